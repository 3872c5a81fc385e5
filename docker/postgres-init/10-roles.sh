#!/bin/sh
# Runs once, when the postgres container initialises an empty data directory (/docker-entrypoint-initdb.d), as the
# superuser. Least privilege (docs/security.md):
#   checkin_owner  owns the database and its schema; only the migrate step connects as it.
#   checkin_app    what the api and worker connect as: a member of responder_checkin_app, owner of nothing, so it
#                  cannot switch off the audit tables' protection; it may read and append audit rows, never change them
#                  (the grants come with the migrations).
set -eu
: "${CHECKIN_OWNER_PASSWORD:?}" "${CHECKIN_APP_PASSWORD:?}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner_password="$CHECKIN_OWNER_PASSWORD" -v app_password="$CHECKIN_APP_PASSWORD" <<'SQL'
CREATE ROLE checkin_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
CREATE ROLE responder_checkin_app NOLOGIN;
CREATE ROLE checkin_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'app_password' IN ROLE responder_checkin_app;

ALTER DATABASE :"DBNAME" OWNER TO checkin_owner;
REVOKE ALL ON DATABASE :"DBNAME" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"DBNAME" TO checkin_owner, responder_checkin_app;
-- Extensions need more than the owner has; the migrations find it there.
CREATE EXTENSION IF NOT EXISTS pgcrypto;
SQL
