import { Client } from 'pg';
import type { AppConfig } from '@app/config';
import { ensureDatabaseExists, runMigrations } from './migrate';

/**
 * What a process does with the database before it starts: create it if missing and migrate it, as the schema's
 * owner (MIGRATION_DATABASE_URL, else DATABASE_URL). In production it first refuses to run as a role that could
 * undo the audit trail's protection, and checks again once the tables exist.
 */
export async function prepareDatabase(config: AppConfig): Promise<void> {
  const production = config.env === 'production';
  if (production) await refuseUnsafeRole(config.database.url);
  await ensureDatabaseExists(config.database.migrationUrl);
  await runMigrations(config.database.migrationUrl, config.matching.hashKey);
  if (production) await refuseUnsafeRole(config.database.url);
}

/** Throws (one line) when `url` connects as a superuser, or as a member of the role that owns the audit tables. */
export async function refuseUnsafeRole(url: string): Promise<void> {
  const problem = await unsafeRole(url);
  if (problem) throw new Error(problem);
}

async function unsafeRole(url: string): Promise<string | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ who: string; superuser: boolean; owns_audit: boolean | null }>(
      `SELECT current_user AS who,
              (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
              (SELECT pg_has_role(current_user, c.relowner, 'MEMBER') FROM pg_class c WHERE c.oid = to_regclass('public.audit_entry')) AS owns_audit`,
    );
    const { who, superuser, owns_audit: ownsAudit } = rows[0];
    if (superuser) {
      return `DATABASE_URL connects as ${who}, a PostgreSQL superuser: in production the api and worker run as a role without SUPERUSER that owns nothing (docs/security.md)`;
    }
    if (ownsAudit) {
      return `DATABASE_URL connects as ${who}, which owns the audit tables and could switch their protection off: in production migrate with MIGRATION_DATABASE_URL and run as a role that owns nothing (docs/security.md)`;
    }
    return undefined;
  } finally {
    await client.end();
  }
}
