import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Practice-authority rules (compacts, EMAC missions, emergency orders) as versioned documents: each import adds a
 * version, the newest is in force, earlier ones stay for the auditor (which rules were in force when). Append-only
 * for the application role.
 */
export class PracticeRuleSet1765002000000 implements MigrationInterface {
  name = 'PracticeRuleSet1765002000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE practice_rule_set (
        version integer PRIMARY KEY CHECK (version > 0),
        digest text NOT NULL,
        document jsonb NOT NULL,
        imported_by jsonb NOT NULL,
        imported_at timestamptz NOT NULL
      )`);
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON practice_rule_set FROM responder_checkin_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE practice_rule_set`);
  }
}
