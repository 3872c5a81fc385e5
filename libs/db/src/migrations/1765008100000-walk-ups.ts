import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Walk-up volunteers (libs/incidents, docs/walk-ups.md): the intake record with its ID-seen statement, the link to the
 * responder and deployment it opened, and what verified it later; and each incident's temporary-badge signing key
 * (sealed under the key-encryption key, its public half published for the incident).
 */
export class WalkUps1765008100000 implements MigrationInterface {
  name = 'WalkUps1765008100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE walk_up (
        id uuid PRIMARY KEY,
        incident_id uuid NOT NULL REFERENCES incident (id),
        responder_id uuid NOT NULL REFERENCES responder (id),
        deployment_id uuid NOT NULL REFERENCES deployment (id),
        name text NOT NULL,
        contact text NOT NULL,
        claimed_qualifications text[] NOT NULL DEFAULT '{}',
        id_seen jsonb NOT NULL,
        agency text,
        home_state text,
        status text NOT NULL DEFAULT 'pending_verification' CHECK (status IN ('pending_verification', 'verified')),
        verified_qualifications text[] NOT NULL DEFAULT '{}',
        verification jsonb,
        registered_by uuid NOT NULL REFERENCES app_user (id),
        registered_at timestamptz NOT NULL,
        verified_at timestamptz,
        version integer NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE INDEX walk_up_incident ON walk_up (incident_id, registered_at)`);
    await q.query(`CREATE UNIQUE INDEX walk_up_deployment ON walk_up (deployment_id)`);
    await q.query(`
      CREATE TABLE walk_up_badge_key (
        incident_id uuid PRIMARY KEY REFERENCES incident (id),
        kid text NOT NULL UNIQUE,
        public_jwk jsonb NOT NULL,
        sealed_private_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE walk_up_badge_key`);
    await q.query(`DROP TABLE walk_up`);
  }
}
