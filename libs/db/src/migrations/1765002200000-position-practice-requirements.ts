import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a position asks of the basis to practise (docs/practice-authority.md): the basis kinds it accepts (empty:
 * any) and an ESAR-VHP level at or better than which a responder must be (null: none).
 */
export class PositionPracticeRequirements1765002200000 implements MigrationInterface {
  name = 'PositionPracticeRequirements1765002200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE incident_position ADD COLUMN required_basis text[] NOT NULL DEFAULT '{}'`);
    await q.query(`ALTER TABLE incident_position ADD COLUMN required_level smallint CHECK (required_level BETWEEN 1 AND 4)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE incident_position DROP COLUMN required_basis, DROP COLUMN required_level`);
  }
}
