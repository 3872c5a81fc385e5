import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Approval of an agency's operational period (docs/time-and-reimbursement.md): the period's bounds are kept as they
 * were when approved, so a later change of the period does not change what was approved.
 */
export class TimePeriodApproval1765010300000 implements MigrationInterface {
  name = 'TimePeriodApproval1765010300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE time_period_approval (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        incident_id uuid NOT NULL REFERENCES incident (id),
        agency text NOT NULL,
        period_id uuid NOT NULL REFERENCES operational_period (id),
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
        approved_by uuid NOT NULL REFERENCES app_user (id),
        approved_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX time_period_approval_incident ON time_period_approval (incident_id, approved_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE time_period_approval`);
  }
}
