import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A server key's windows: published from created_at, signs from activates_at until retired_at, and keeps verifying
 * what it signed until verifies_until (null: as long as its purpose allows, e.g. audit checkpoints forever).
 * Existing keys signed from their creation.
 */
export class SigningKeyWindows1765008400000 implements MigrationInterface {
  name = 'SigningKeyWindows1765008400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE server_signing_key ADD COLUMN activates_at timestamptz, ADD COLUMN verifies_until timestamptz`);
    await q.query(`UPDATE server_signing_key SET activates_at = created_at`);
    await q.query(`ALTER TABLE server_signing_key ALTER COLUMN activates_at SET NOT NULL, ALTER COLUMN activates_at SET DEFAULT now()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE server_signing_key DROP COLUMN activates_at, DROP COLUMN verifies_until`);
  }
}
