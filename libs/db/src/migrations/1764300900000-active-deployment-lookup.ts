import type { MigrationInterface, QueryRunner } from 'typeorm';

const REBUILD = `
  CREATE UNIQUE INDEX deployment_one_active_per_responder_rebuilt ON deployment (responder_id) WHERE checked_out_at IS NULL;
  DROP INDEX deployment_one_active_per_responder;
  ALTER INDEX deployment_one_active_per_responder_rebuilt RENAME TO deployment_one_active_per_responder;`;

/**
 * Rebuilds the one-active-deployment-per-responder index so that it is the deployment table's newest index.
 *
 * Why: the check-in's identify statement (now part of CheckInRepository's) runs as a prepared statement, whose one
 * generic plan may be made while the tables are still empty, and is kept until they are next ANALYZEd (by autovacuum; never,
 * where it is off, as on the development VM). On an empty table, finding a responder's active deployment costs the
 * same through this index (responder_id = $1) as by reading the whole of deployment_active_by_id (every active
 * deployment, filtered), and PostgreSQL keeps the first of two equal paths, trying the newest index first: it
 * picked deployment_active_by_id, which grew into a scan of every active deployment per check-in.
 * test/check-in-statement-plan.e2e-spec.ts checks the plan made on an empty database; a later index on deployment
 * with the same predicate must keep it passing.
 */
export class ActiveDeploymentLookup1764300900000 implements MigrationInterface {
  name = 'ActiveDeploymentLookup1764300900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(REBUILD);
  }

  async down(): Promise<void> {
    // Nothing to undo: the index is the same, only newer.
  }
}
