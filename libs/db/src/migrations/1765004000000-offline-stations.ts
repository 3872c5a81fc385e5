import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Offline check-in stations (docs/offline.md):
 * - `server_signing_key.purpose` gains `incident_pack`: incident packs are signed with their own key, so a leaked
 *   pack key never forges an access token or an audit checkpoint.
 * - `offline_device`: a station's device key, registered while online, and the head of its hash chain as synced.
 * - `offline_scan`: every synced entry of a device log, as evidence (chain link, signature, record) with its
 *   offline and online outcomes; (device, scan id) is the idempotency key of a sync.
 */
export class OfflineStations1765004000000 implements MigrationInterface {
  name = 'OfflineStations1765004000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE server_signing_key DROP CONSTRAINT server_signing_key_purpose_check`);
    await q.query(
      `ALTER TABLE server_signing_key ADD CONSTRAINT server_signing_key_purpose_check CHECK (purpose IN ('access_token', 'audit_checkpoint', 'incident_pack'))`,
    );
    await q.query(`
      CREATE TABLE offline_device (
        id uuid PRIMARY KEY,
        incident_id uuid NOT NULL REFERENCES incident(id),
        user_id uuid NOT NULL REFERENCES app_user(id),
        label text NOT NULL,
        public_jwk jsonb NOT NULL,
        key_thumbprint text NOT NULL UNIQUE,
        registered_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoked_by uuid REFERENCES app_user(id),
        head_seq integer NOT NULL DEFAULT 0,
        head_hash text NOT NULL
      )`);
    await q.query(`CREATE INDEX offline_device_incident ON offline_device (incident_id)`);
    await q.query(`
      CREATE TABLE offline_scan (
        device_id uuid NOT NULL REFERENCES offline_device(id),
        scan_id uuid NOT NULL,
        incident_id uuid NOT NULL REFERENCES incident(id),
        seq integer NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        signature text NOT NULL,
        record text NOT NULL,
        kind text NOT NULL,
        device_scanned_at timestamptz NOT NULL,
        scanned_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        pack_time timestamptz,
        offline_decision text,
        online_decision text,
        outcome text NOT NULL CHECK (outcome IN ('reconfirmed', 'changed', 'refused')),
        code text,
        message text,
        attempt_id uuid,
        flags text[] NOT NULL DEFAULT '{}',
        PRIMARY KEY (device_id, scan_id),
        UNIQUE (device_id, seq)
      )`);
    await q.query(`CREATE INDEX offline_scan_incident ON offline_scan (incident_id, received_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE offline_scan`);
    await q.query(`DROP TABLE offline_device`);
    await q.query(`DELETE FROM server_signing_key WHERE purpose = 'incident_pack'`);
    await q.query(`ALTER TABLE server_signing_key DROP CONSTRAINT server_signing_key_purpose_check`);
    await q.query(`ALTER TABLE server_signing_key ADD CONSTRAINT server_signing_key_purpose_check CHECK (purpose IN ('access_token', 'audit_checkpoint'))`);
  }
}
