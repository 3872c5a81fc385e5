import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The chain head also keeps the hash its last entry links to, so one statement can move the head and write the
 * entry (PostgreSQL computes the link: see libs/audit/src/store/audit-trail.repository.ts). Heads written before this have none
 * until their next append.
 */
export class AuditChainLink1764300600000 implements MigrationInterface {
  name = 'AuditChainLink1764300600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_chain ADD COLUMN prev_hash text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_chain DROP COLUMN prev_hash`);
  }
}
