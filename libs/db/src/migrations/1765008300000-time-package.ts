import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reimbursement package of time records: the mission or order reference the time unit sets per agency, and the
 * certification of an agency's package (once, never edited: a certified package is locked).
 */
export class TimePackage1765008300000 implements MigrationInterface {
  name = 'TimePackage1765008300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE time_mission_reference (
        incident_id uuid NOT NULL REFERENCES incident (id),
        agency text NOT NULL,
        reference text NOT NULL,
        updated_by uuid NOT NULL REFERENCES app_user (id),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (incident_id, agency)
      )`);
    await q.query(`
      CREATE TABLE time_certification (
        incident_id uuid NOT NULL REFERENCES incident (id),
        agency text NOT NULL,
        statement text NOT NULL,
        certified_by uuid NOT NULL REFERENCES app_user (id),
        certifier_name text NOT NULL,
        certified_at timestamptz NOT NULL DEFAULT now(),
        claim_cents bigint NOT NULL,
        donated_cents bigint NOT NULL,
        PRIMARY KEY (incident_id, agency)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE time_certification`);
    await q.query(`DROP TABLE time_mission_reference`);
  }
}
