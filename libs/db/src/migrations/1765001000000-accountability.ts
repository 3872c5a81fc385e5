import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accountability on scene (@app/accountability): PAR roll calls and their expected lists, per-incident PAR timer
 * and work/rest limits, division/group supervisors and the assignments they answer for, the ICS 214 activity log's written entries, ICS 221
 * demobilization sign-offs and travel, and the limit warnings already raised. Also admits the `supervisor` role.
 */
export class Accountability1765001000000 implements MigrationInterface {
  name = 'Accountability1765001000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE app_user DROP CONSTRAINT IF EXISTS app_user_role_check;
      ALTER TABLE app_user ADD CONSTRAINT app_user_role_check CHECK (role IN ('admin', 'commander', 'checkin', 'auditor', 'supervisor'));

      CREATE TABLE par (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        incident_id uuid NOT NULL REFERENCES incident(id),
        scope_assignment text,
        reason text NOT NULL CHECK (reason IN ('timer', 'collapse', 'evacuation', 'change_of_strategy', 'missing_member', 'other')),
        note text,
        started_by jsonb NOT NULL,
        started_at timestamptz NOT NULL,
        deadline_at timestamptz NOT NULL,
        state text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'completed')),
        expected integer NOT NULL,
        accounted integer NOT NULL DEFAULT 0,
        missing integer NOT NULL DEFAULT 0,
        overdue_at timestamptz,
        completed_at timestamptz,
        completed_by jsonb
      );
      -- One running PAR per scope: the whole incident ('') or one assignment.
      CREATE UNIQUE INDEX par_one_running ON par (incident_id, coalesce(scope_assignment, '')) WHERE state = 'running';
      CREATE INDEX par_due ON par (deadline_at) WHERE state = 'running' AND overdue_at IS NULL;
      CREATE INDEX par_by_incident ON par (incident_id, started_at DESC);

      CREATE TABLE par_member (
        par_id uuid NOT NULL REFERENCES par(id),
        deployment_id uuid NOT NULL REFERENCES deployment(id),
        responder_id uuid NOT NULL,
        name text NOT NULL,
        assignment text,
        state text NOT NULL DEFAULT 'unaccounted' CHECK (state IN ('unaccounted', 'accounted', 'missing')),
        via text CHECK (via IN ('board', 'scan')),
        marked_by jsonb,
        marked_at timestamptz,
        PRIMARY KEY (par_id, deployment_id)
      );

      CREATE TABLE accountability_settings (
        incident_id uuid PRIMARY KEY REFERENCES incident(id),
        par_response_seconds integer NOT NULL DEFAULT 300 CHECK (par_response_seconds BETWEEN 30 AND 3600),
        par_timer_minutes integer CHECK (par_timer_minutes BETWEEN 5 AND 240),
        par_timer_due_at timestamptz,
        max_days_on_incident integer CHECK (max_days_on_incident BETWEEN 1 AND 90),
        max_hours_per_period numeric(5,2) CHECK (max_hours_per_period > 0 AND max_hours_per_period <= 48),
        min_rest_hours numeric(5,2) CHECK (min_rest_hours > 0 AND min_rest_hours <= 48),
        demob_required boolean NOT NULL DEFAULT false,
        demob_signoffs text[] NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX accountability_settings_timer_due ON accountability_settings (par_timer_due_at) WHERE par_timer_due_at IS NOT NULL;

      CREATE TABLE incident_supervisor (
        incident_id uuid NOT NULL REFERENCES incident(id),
        user_id uuid NOT NULL REFERENCES app_user(id),
        assignment text NOT NULL,
        assigned_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (incident_id, user_id, assignment)
      );

      CREATE TABLE activity_log_entry (
        id bigserial PRIMARY KEY,
        incident_id uuid NOT NULL REFERENCES incident(id),
        subject_kind text NOT NULL CHECK (subject_kind IN ('incident', 'unit', 'assignment', 'person')),
        subject text,
        deployment_id uuid REFERENCES deployment(id),
        text text NOT NULL,
        priority text NOT NULL CHECK (priority IN ('routine', 'important', 'urgent')),
        author jsonb NOT NULL,
        occurred_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX activity_log_entry_incident ON activity_log_entry (incident_id, occurred_at);

      CREATE TABLE demob_signoff (
        deployment_id uuid NOT NULL REFERENCES deployment(id),
        unit text NOT NULL,
        note text,
        signed_by jsonb NOT NULL,
        signed_at timestamptz NOT NULL,
        PRIMARY KEY (deployment_id, unit)
      );

      CREATE TABLE demob_travel (
        deployment_id uuid PRIMARY KEY REFERENCES deployment(id),
        method text NOT NULL,
        eta_home timestamptz NOT NULL,
        recorded_by jsonb NOT NULL,
        recorded_at timestamptz NOT NULL
      );

      CREATE TABLE work_limit_warning (
        deployment_id uuid NOT NULL REFERENCES deployment(id),
        limit_kind text NOT NULL CHECK (limit_kind IN ('days_on_incident', 'hours_in_period', 'rest_between_periods')),
        level text NOT NULL CHECK (level IN ('approaching', 'breached')),
        raised_at timestamptz NOT NULL,
        PRIMARY KEY (deployment_id, limit_kind, level)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE work_limit_warning, demob_travel, demob_signoff, activity_log_entry, incident_supervisor, accountability_settings, par_member, par;
      ALTER TABLE app_user DROP CONSTRAINT IF EXISTS app_user_role_check;
      ALTER TABLE app_user ADD CONSTRAINT app_user_role_check CHECK (role IN ('admin', 'commander', 'checkin', 'auditor'));
    `);
  }
}
