import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The history of a responder's identity fields. A verified credential from an issuer the incident trusts may carry
 * another name or e-mail for a responder it matches (by subject id, docs/check-in.md); the change is applied with a
 * row here per field (which credential, which issuer, at which check-in) and an audit entry, never silently.
 * Append-only for the application role.
 */
export class ResponderIdentityChange1765000000010 implements MigrationInterface {
  name = 'ResponderIdentityChange1765000000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE responder_identity_change (
        id bigserial PRIMARY KEY,
        responder_id uuid NOT NULL REFERENCES responder (id),
        field text NOT NULL CHECK (field IN ('name', 'email')),
        old_value text,
        new_value text NOT NULL,
        issuer_id text NOT NULL,
        credential_hash text NOT NULL,
        incident_id uuid NOT NULL REFERENCES incident (id),
        attempt_id uuid NOT NULL REFERENCES check_in_attempt (id),
        changed_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX responder_identity_change_responder ON responder_identity_change (responder_id, id)`);
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON responder_identity_change FROM responder_checkin_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE responder_identity_change`);
  }
}
