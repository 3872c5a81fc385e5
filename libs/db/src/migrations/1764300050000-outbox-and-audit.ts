import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox (events for the live board, written in the same transaction as the change) and the
 * hash-chained audit trail (one chain per incident, plus `system`).
 */
export class OutboxAndAudit1764300050000 implements MigrationInterface {
  name = 'OutboxAndAudit1764300050000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE event_stream (
        incident_id uuid PRIMARY KEY,
        last_seq bigint NOT NULL
      )`);
    await q.query(`
      CREATE TABLE outbox_event (
        id bigserial PRIMARY KEY,
        incident_id uuid NOT NULL,
        seq bigint NOT NULL,
        name text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        UNIQUE (incident_id, seq)
      )`);
    await q.query(`CREATE INDEX outbox_event_unpublished ON outbox_event (id) WHERE published_at IS NULL`);

    await q.query(`
      CREATE TABLE audit_chain (
        chain_id text PRIMARY KEY,
        last_seq bigint NOT NULL,
        last_hash text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE audit_entry (
        id bigserial PRIMARY KEY,
        chain_id text NOT NULL,
        seq bigint NOT NULL,
        occurred_at timestamptz NOT NULL,
        actor jsonb NOT NULL,
        action text NOT NULL,
        incident_id uuid,
        target_type text,
        target_id text,
        payload jsonb NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        UNIQUE (chain_id, seq)
      )`);
    await q.query(`CREATE INDEX audit_entry_incident ON audit_entry (incident_id, occurred_at)`);
    await q.query(`CREATE INDEX audit_entry_action ON audit_entry (action, occurred_at)`);
    await q.query(`CREATE INDEX audit_entry_target ON audit_entry (target_type, target_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_entry; DROP TABLE audit_chain; DROP TABLE outbox_event; DROP TABLE event_stream`);
  }
}
