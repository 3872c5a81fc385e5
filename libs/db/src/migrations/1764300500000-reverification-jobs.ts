import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reverification on the queue. `job_run` is the source of truth for every run a person can ask about (GET /jobs/:id):
 * it is written in PostgreSQL before anything is put on Redis, so a request never depends on Redis being up, and a
 * run lost with Redis is put back on the queue from here. `credential_expiry_warning` remembers which deployments were
 * warned that their credential expires soon, so the warning goes out once. The GIN index finds the credentials on one
 * status list (a list that changed is re-checked at once, without waiting for the sweep).
 */
export class ReverificationJobs1764300500000 implements MigrationInterface {
  name = 'ReverificationJobs1764300500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE job_run (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('sweep', 'incident', 'status_list')),
        incident_id uuid REFERENCES incident (id),
        scope jsonb NOT NULL DEFAULT '{}',
        -- at most one open run per key (one sweep at a time, one reverify per incident at a time)
        dedupe_key text,
        state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'completed', 'failed')),
        progress jsonb NOT NULL DEFAULT '{"done": 0, "total": 0}',
        -- where a run interrupted (worker killed, Redis restarted) resumes
        checkpoint jsonb,
        result jsonb,
        error text,
        attempts integer NOT NULL DEFAULT 0,
        requested_by jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        enqueued_at timestamptz,
        started_at timestamptz,
        finished_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX job_run_one_open_per_key ON job_run (dedupe_key) WHERE dedupe_key IS NOT NULL AND state IN ('queued', 'running')`);
    await q.query(`CREATE INDEX job_run_open ON job_run (created_at) WHERE state IN ('queued', 'running')`);
    await q.query(`CREATE INDEX job_run_incident ON job_run (incident_id, created_at DESC) WHERE incident_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE credential_expiry_warning (
        deployment_id uuid PRIMARY KEY REFERENCES deployment (id),
        valid_until timestamptz NOT NULL,
        warned_at timestamptz NOT NULL DEFAULT now(),
        job_run_id uuid REFERENCES job_run (id)
      )`);

    await q.query(`CREATE INDEX presented_credential_status_lists ON presented_credential USING gin (status_entries jsonb_path_ops)`);
    // The sweep walks active deployments in id order, a block at a time, and stamps last_reverified_at on each: room
    // on every page lets those updates stay HOT (no index entries rewritten), which halves their cost.
    await q.query(`CREATE INDEX deployment_active_by_id ON deployment (id) WHERE checked_out_at IS NULL`);
    await q.query(`ALTER TABLE deployment SET (fillfactor = 85)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deployment RESET (fillfactor)`);
    await q.query(`DROP INDEX deployment_active_by_id`);
    await q.query(`DROP INDEX presented_credential_status_lists`);
    await q.query(`DROP TABLE credential_expiry_warning`);
    await q.query(`DROP TABLE job_run`);
  }
}
