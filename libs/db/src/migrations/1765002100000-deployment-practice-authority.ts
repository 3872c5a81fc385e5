import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The practice-authority answer a check-in admitted on (basis, ESAR-VHP level, rule-set version), kept with the
 * deployment: the board, the reports and reverification read it there. Null for deployments opened before.
 */
export class DeploymentPracticeAuthority1765002100000 implements MigrationInterface {
  name = 'DeploymentPracticeAuthority1765002100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deployment ADD COLUMN practice_authority jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deployment DROP COLUMN practice_authority`);
  }
}
