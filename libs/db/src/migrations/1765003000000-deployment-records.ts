import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deployment records (docs/deployment-records.md): the credential an agency issues a responder at check-out, the
 * issuer's keys, and the deployment kinds the agency names.
 *
 * - `deployment_record`: one per deployment. Written `pending` (with the facts it will state) in the check-out
 *   transaction, signed after commit; `status_index` is its bit in the agency's Bitstring Status List.
 * - `deployment_record_key`: the issuer's Ed25519 keys; a generated private key only sealed under the key-encryption
 *   key. Every key stays published (records it signed must keep verifying); the newest active one signs.
 * - `deployment_record_kind`: the achievement a record names, per incident or per incident type.
 */
export class DeploymentRecords1765003000000 implements MigrationInterface {
  name = 'DeploymentRecords1765003000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE deployment_record_status_index AS integer MINVALUE 0 START 0`);
    await q.query(`
      CREATE TABLE deployment_record (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        deployment_id uuid NOT NULL UNIQUE REFERENCES deployment (id),
        incident_id uuid NOT NULL REFERENCES incident (id),
        responder_id uuid NOT NULL REFERENCES responder (id),
        subject_id text,
        status_index integer NOT NULL UNIQUE DEFAULT nextval('deployment_record_status_index'),
        facts jsonb NOT NULL,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'issued', 'revoked')),
        jwt text,
        kid text,
        created_at timestamptz NOT NULL DEFAULT now(),
        issued_at timestamptz,
        revoked_at timestamptz,
        revoked_by uuid REFERENCES app_user (id),
        revoke_reason text,
        CHECK ((state = 'pending') = (jwt IS NULL))
      )`);
    await q.query(`ALTER SEQUENCE deployment_record_status_index OWNED BY deployment_record.status_index`);
    await q.query(`CREATE INDEX deployment_record_responder ON deployment_record (responder_id)`);
    await q.query(`CREATE INDEX deployment_record_pending ON deployment_record (created_at) WHERE state = 'pending'`);
    await q.query(`CREATE INDEX deployment_record_revoked ON deployment_record (status_index) WHERE revoked_at IS NOT NULL`);
    await q.query(`
      CREATE TABLE deployment_record_key (
        kid text PRIMARY KEY,
        public_jwk jsonb NOT NULL,
        sealed_private_key text,
        created_at timestamptz NOT NULL DEFAULT now(),
        -- published from creation, signing from here on (a new key is announced before verifiers' caches need it)
        activates_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE deployment_record_kind (
        scope text PRIMARY KEY CHECK (scope ~ '^(incident:[0-9a-f-]{36}|type:.+)$'),
        name text NOT NULL,
        description text,
        updated_by uuid REFERENCES app_user (id),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE deployment_record_kind`);
    await q.query(`DROP TABLE deployment_record_key`);
    await q.query(`DROP TABLE deployment_record`);
  }
}
