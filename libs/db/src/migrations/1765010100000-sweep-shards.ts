import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A sweep split into shards: each shard is a job_run of its own (kind `sweep_shard`, a deployment id range in its
 * scope) that any worker takes up, resumes from its checkpoint and de-duplicates like any run; `parent_id` ties it to
 * the sweep, which completes once every shard has.
 */
export class SweepShards1765010100000 implements MigrationInterface {
  name = 'SweepShards1765010100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE job_run DROP CONSTRAINT job_run_kind_check`);
    await q.query(`ALTER TABLE job_run ADD CONSTRAINT job_run_kind_check CHECK (kind IN ('sweep', 'incident', 'status_list', 'sweep_shard'))`);
    await q.query(`ALTER TABLE job_run ADD COLUMN parent_id uuid REFERENCES job_run (id)`);
    await q.query(`ALTER TABLE job_run ADD CONSTRAINT job_run_shard_has_parent CHECK ((kind = 'sweep_shard') = (parent_id IS NOT NULL))`);
    await q.query(`CREATE INDEX job_run_children ON job_run (parent_id) WHERE parent_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM job_run WHERE kind = 'sweep_shard'`);
    await q.query(`ALTER TABLE job_run DROP CONSTRAINT job_run_shard_has_parent`);
    await q.query(`ALTER TABLE job_run DROP COLUMN parent_id`);
    await q.query(`ALTER TABLE job_run DROP CONSTRAINT job_run_kind_check`);
    await q.query(`ALTER TABLE job_run ADD CONSTRAINT job_run_kind_check CHECK (kind IN ('sweep', 'incident', 'status_list'))`);
  }
}
