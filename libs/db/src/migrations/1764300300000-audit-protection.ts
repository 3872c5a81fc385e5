import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Makes the audit trail append-only in the database itself, and adds signed checkpoints of the chain heads.
 *
 * - A trigger refuses UPDATE, DELETE and TRUNCATE on audit_entry and audit_checkpoint, whoever asks (only the
 *   tables' owner can switch it off, with ALTER TABLE ... DISABLE TRIGGER: the tamper tests do exactly that).
 * - The NOLOGIN role responder_checkin_app is what the application runs as in production (a LOGIN role that is a
 *   member of it, and that does not own the tables): it may SELECT and INSERT audit rows, never change them.
 *   Roles are cluster-wide, so it is created only if missing.
 * - audit_chain (the head of each chain: last seq and hash) stays writable: appends move it. It is a cache of the
 *   head; the signed checkpoints are what an auditor trusts.
 */
export class AuditProtection1764300300000 implements MigrationInterface {
  name = 'AuditProtection1764300300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_checkpoint (
        id bigserial PRIMARY KEY,
        chain_id text NOT NULL,
        seq bigint NOT NULL,
        head_hash text NOT NULL,
        jws text NOT NULL,
        kid text NOT NULL,
        created_at timestamptz NOT NULL,
        UNIQUE (chain_id, seq)
      )`);

    await q.query(`
      CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege', HINT = 'Audit rows are never changed; record a correcting entry instead.';
      END
      $$`);
    for (const table of ['audit_entry', 'audit_checkpoint']) {
      await q.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`);
    }

    // Search: by actor and by responder (entries about a responder carry payload.responderId or target responder).
    await q.query(`CREATE INDEX audit_entry_actor ON audit_entry ((actor->>'userId'), occurred_at) WHERE actor->>'userId' IS NOT NULL`);
    await q.query(`CREATE INDEX audit_entry_responder ON audit_entry ((payload->>'responderId'), occurred_at) WHERE payload->>'responderId' IS NOT NULL`);
    await q.query(`CREATE INDEX audit_entry_occurred ON audit_entry (occurred_at, id)`);

    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'responder_checkin_app') THEN
          CREATE ROLE responder_checkin_app NOLOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL; -- another database of this cluster created it at the same moment
      END
      $$`);
    // The application role may do ordinary work on every table (present and future, as created by the migrating
    // role) but only read and append audit rows.
    await q.query(`GRANT USAGE ON SCHEMA public TO responder_checkin_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO responder_checkin_app`);
    await q.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO responder_checkin_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO responder_checkin_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO responder_checkin_app`);
    await q.query(`REVOKE ALL ON audit_entry, audit_checkpoint FROM responder_checkin_app`);
    await q.query(`REVOKE ALL ON audit_entry, audit_checkpoint FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT ON audit_entry, audit_checkpoint TO responder_checkin_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM responder_checkin_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM responder_checkin_app`);
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM responder_checkin_app`);
    await q.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM responder_checkin_app`);
    await q.query(`REVOKE ALL ON SCHEMA public FROM responder_checkin_app`);
    for (const table of ['audit_entry', 'audit_checkpoint']) {
      await q.query(`DROP TRIGGER ${table}_append_only ON ${table}`);
      await q.query(`DROP TRIGGER ${table}_no_truncate ON ${table}`);
    }
    await q.query(`DROP FUNCTION audit_refuse_change()`);
    await q.query(`DROP INDEX audit_entry_actor; DROP INDEX audit_entry_responder; DROP INDEX audit_entry_occurred`);
    await q.query(`DROP TABLE audit_checkpoint`);
  }
}
