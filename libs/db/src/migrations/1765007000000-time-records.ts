import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Time records (libs/time-records): per-agency pay rules and rates, how each responder is paid, corrections and day
 * approvals. Corrections and approvals are append-only: a correction is approved once, never edited or deleted.
 * Adds the `timekeeper` role (the time unit) to app_user.
 */
export class TimeRecords1765007000000 implements MigrationInterface {
  name = 'TimeRecords1765007000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app_user DROP CONSTRAINT app_user_role_check`);
    await q.query(
      `ALTER TABLE app_user ADD CONSTRAINT app_user_role_check CHECK (role IN ('admin', 'commander', 'checkin', 'auditor', 'supervisor', 'timekeeper'))`,
    );
    await q.query(`
      CREATE TABLE time_agency_rule (
        incident_id uuid NOT NULL REFERENCES incident (id),
        agency text NOT NULL,
        daily_regular_minutes integer CHECK (daily_regular_minutes > 0),
        weekly_regular_minutes integer CHECK (weekly_regular_minutes > 0),
        week_starts_on smallint NOT NULL CHECK (week_starts_on BETWEEN 0 AND 6),
        breaks jsonb NOT NULL,
        rates jsonb NOT NULL,
        volunteer_cents_per_hour integer CHECK (volunteer_cents_per_hour >= 0),
        updated_by uuid NOT NULL REFERENCES app_user (id),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (incident_id, agency)
      )`);
    await q.query(`
      CREATE TABLE time_employment (
        incident_id uuid NOT NULL REFERENCES incident (id),
        responder_id uuid NOT NULL REFERENCES responder (id),
        employment text NOT NULL CHECK (employment IN ('employee', 'budgeted', 'volunteer')),
        updated_by uuid NOT NULL REFERENCES app_user (id),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (incident_id, responder_id)
      )`);
    await q.query(`
      CREATE TABLE time_correction (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        incident_id uuid NOT NULL REFERENCES incident (id),
        responder_id uuid NOT NULL REFERENCES responder (id),
        agency text NOT NULL,
        work_date date NOT NULL,
        on_duty jsonb NOT NULL,
        reason text NOT NULL,
        author_id uuid NOT NULL REFERENCES app_user (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        approver_id uuid REFERENCES app_user (id),
        approved_at timestamptz,
        CHECK ((approver_id IS NULL) = (approved_at IS NULL)),
        CHECK (approver_id IS NULL OR approver_id <> author_id)
      )`);
    await q.query(`CREATE INDEX time_correction_incident ON time_correction (incident_id, created_at)`);
    await q.query(`
      CREATE TABLE time_day_approval (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        incident_id uuid NOT NULL REFERENCES incident (id),
        agency text NOT NULL,
        work_date date NOT NULL,
        approved_by uuid NOT NULL REFERENCES app_user (id),
        approved_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX time_day_approval_day ON time_day_approval (incident_id, agency, work_date, approved_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['time_day_approval', 'time_correction', 'time_employment', 'time_agency_rule']) await q.query(`DROP TABLE ${t}`);
    await q.query(`ALTER TABLE app_user DROP CONSTRAINT app_user_role_check`);
    await q.query(`ALTER TABLE app_user ADD CONSTRAINT app_user_role_check CHECK (role IN ('admin', 'commander', 'checkin', 'auditor', 'supervisor'))`);
  }
}
