import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention: a stored credential copy can be purged (its hash, summary and verifications stay, and the audit trail
 * references it by hash), and a scan's stored response can be redacted to its decision and reason codes.
 */
export class Retention1765006000100 implements MigrationInterface {
  name = 'Retention1765006000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE presented_credential ALTER COLUMN jws DROP NOT NULL, ADD COLUMN purged_at timestamptz`);
    await q.query(`ALTER TABLE check_in_attempt ADD COLUMN response_redacted_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE check_in_attempt DROP COLUMN response_redacted_at`);
    await q.query(`UPDATE presented_credential SET jws = '' WHERE jws IS NULL`);
    await q.query(`ALTER TABLE presented_credential DROP COLUMN purged_at, ALTER COLUMN jws SET NOT NULL`);
  }
}
