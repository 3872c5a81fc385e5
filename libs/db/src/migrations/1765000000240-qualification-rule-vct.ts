import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A qualification rule may name an SD-JWT VC type (`vct`): a credential whose `vct` equals it shows that
 * qualification. Still exactly one kind per rule.
 */
export class QualificationRuleVct1765000000240 implements MigrationInterface {
  name = 'QualificationRuleVct1765000000240';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE qualification_rule ADD COLUMN vct text CHECK (vct IS NULL OR length(vct) BETWEEN 1 AND 2048)`);
    await q.query(`ALTER TABLE qualification_rule DROP CONSTRAINT qualification_rule_check`);
    await q.query(`
      ALTER TABLE qualification_rule ADD CONSTRAINT qualification_rule_one_kind CHECK (
        (achievement_id IS NOT NULL)::int + (achievement_name IS NOT NULL)::int + (credential_type IS NOT NULL)::int + (vct IS NOT NULL)::int = 1
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM qualification_rule WHERE vct IS NOT NULL`);
    await q.query(`ALTER TABLE qualification_rule DROP CONSTRAINT qualification_rule_one_kind`);
    await q.query(`ALTER TABLE qualification_rule DROP COLUMN vct`);
    await q.query(`
      ALTER TABLE qualification_rule ADD CONSTRAINT qualification_rule_check CHECK (
        (achievement_id IS NOT NULL)::int + (achievement_name IS NOT NULL)::int + (credential_type IS NOT NULL)::int = 1
      )`);
  }
}
