import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import type { AuditActor } from '@app/audit';
import { Database, type Transaction } from '@app/db';
import type { JobRun, JobRunKind, JobRunProgress, JobRunState, JsonObject, OpenRunInput, ShardRange } from './job-run';

interface JobRunRow {
  id: string;
  kind: JobRunKind;
  incident_id: string | null;
  parent_id: string | null;
  scope: JsonObject;
  dedupe_key: string | null;
  state: JobRunState;
  progress: JobRunProgress;
  checkpoint: JsonObject | null;
  result: JsonObject | null;
  error: string | null;
  attempts: number;
  requested_by: AuditActor;
  created_at: Date;
  enqueued_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  updated_at: Date;
}

const toRun = (r: JobRunRow): JobRun => ({
  id: r.id,
  kind: r.kind,
  incidentId: r.incident_id,
  parentId: r.parent_id,
  scope: r.scope,
  dedupeKey: r.dedupe_key,
  state: r.state,
  progress: r.progress,
  checkpoint: r.checkpoint,
  result: r.result,
  error: r.error,
  attempts: r.attempts,
  requestedBy: r.requested_by,
  createdAt: r.created_at,
  enqueuedAt: r.enqueued_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  updatedAt: r.updated_at,
});

/**
 * job_run: the source of truth for background runs (GET /jobs/:id). State moves queued -> running -> completed |
 * failed; every transition is a guarded UPDATE, so a duplicate or late delivery of the same job cannot reopen a
 * finished run.
 */
@Injectable()
export class JobRunRepository {
  constructor(private readonly db: Database) {}

  /** Records a run (or returns the open run with the same dedupe key). `created` is false when an open run was reused. */
  async open(tx: Transaction, input: OpenRunInput): Promise<{ run: JobRun; created: boolean }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const inserted = await tx.queryOne<JobRunRow>(
        `INSERT INTO job_run (kind, incident_id, scope, dedupe_key, requested_by) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL AND state IN ('queued', 'running') DO NOTHING
         RETURNING *`,
        [input.kind, input.incidentId ?? null, JSON.stringify(input.scope ?? {}), input.dedupeKey ?? null, JSON.stringify(input.requestedBy)],
      );
      if (inserted) return { run: toRun(inserted), created: true };
      const open = await tx.queryOne<JobRunRow>(`SELECT * FROM job_run WHERE dedupe_key = $1 AND state IN ('queued', 'running')`, [input.dedupeKey]);
      // The open run may have finished between the two statements: try again.
      if (open) return { run: toRun(open), created: false };
    }
    throw new Error(`could not open a run for ${input.dedupeKey ?? input.kind}`);
  }

  /**
   * Opens the shards of a sweep (one run per range) and records their ids in the sweep's checkpoint, in one
   * transaction. Idempotent: a sweep that already has shards (a resumed or re-delivered sweep) gets those back.
   */
  async openShards(parentId: string, ranges: ShardRange[], requestedBy: AuditActor): Promise<JobRun[]> {
    return this.db.transaction(async (tx) => {
      const parent = await tx.queryOne<JobRunRow>(`SELECT * FROM job_run WHERE id = $1 FOR UPDATE`, [parentId]);
      if (!parent) throw new Error(`run ${parentId} not found`);
      const existing = await tx.query<JobRunRow>(`SELECT * FROM job_run WHERE parent_id = $1 ORDER BY (scope->>'shard')::int`, [parentId]);
      if (existing.length > 0) return existing.map(toRun);
      const rows = await tx.query<JobRunRow>(
        `INSERT INTO job_run (kind, parent_id, scope, requested_by)
         SELECT 'sweep_shard', $1, jsonb_build_object('after', r.after, 'upTo', r.up_to, 'shard', r.n::int - 1, 'of', $4::int), $3
           FROM unnest($2::text[], $5::text[]) WITH ORDINALITY AS r(after, up_to, n)
         RETURNING *`,
        [parentId, ranges.map((r) => r.after), JSON.stringify(requestedBy), ranges.length, ranges.map((r) => r.upTo)],
      );
      await tx.execute(`UPDATE job_run SET checkpoint = $2, updated_at = now() WHERE id = $1`, [parentId, JSON.stringify({ shards: rows.map((r) => r.id) })]);
      return rows.map(toRun).sort((a, b) => Number(a.scope.shard) - Number(b.scope.shard));
    });
  }

  /** The shards of a sweep, in range order. */
  async children(parentId: string): Promise<JobRun[]> {
    const rows = await this.db.query<JobRunRow>(`SELECT * FROM job_run WHERE parent_id = $1 ORDER BY (scope->>'shard')::int`, [parentId]);
    return rows.map(toRun);
  }

  async get(id: string): Promise<JobRun | null> {
    if (!isUUID(id)) return null;
    const row = await this.db.queryOne<JobRunRow>(`SELECT * FROM job_run WHERE id = $1`, [id]);
    return row ? toRun(row) : null;
  }

  /** Marks the run running (one more attempt) and returns it; null when it is already finished (nothing to do). */
  async start(id: string): Promise<JobRun | null> {
    const row = await this.db.queryOne<JobRunRow>(
      `UPDATE job_run SET state = 'running', attempts = attempts + 1, started_at = COALESCE(started_at, now()), updated_at = now()
        WHERE id = $1 AND state IN ('queued', 'running') RETURNING *`,
      [id],
    );
    return row ? toRun(row) : null;
  }

  /** Progress, the resume point and the counts so far. */
  async checkpoint(id: string, progress: JobRunProgress, checkpoint: JsonObject, partialResult: JsonObject): Promise<void> {
    await this.db.execute(`UPDATE job_run SET progress = $2, checkpoint = $3, result = $4, updated_at = now() WHERE id = $1 AND state = 'running'`, [
      id,
      JSON.stringify(progress),
      JSON.stringify(checkpoint),
      JSON.stringify(partialResult),
    ]);
  }

  async complete(id: string, result: JsonObject, progress: JobRunProgress): Promise<void> {
    await this.db.execute(
      `UPDATE job_run SET state = 'completed', result = $2, progress = $3, error = NULL, finished_at = now(), updated_at = now()
        WHERE id = $1 AND state IN ('queued', 'running')`,
      [id, JSON.stringify(result), JSON.stringify(progress)],
    );
  }

  /** A failed attempt: the run stays open (a retry follows) but the error is visible. */
  async noteError(id: string, error: string): Promise<void> {
    await this.db.execute(`UPDATE job_run SET error = $2, updated_at = now() WHERE id = $1 AND state IN ('queued', 'running')`, [id, truncate(error)]);
  }

  /** The final failure. Returns false when the run had already finished. */
  async fail(id: string, error: string): Promise<boolean> {
    const failed = await this.db.execute(
      `UPDATE job_run SET state = 'failed', error = $2, finished_at = now(), updated_at = now() WHERE id = $1 AND state IN ('queued', 'running')`,
      [id, truncate(error)],
    );
    return failed > 0;
  }

  async markEnqueued(id: string): Promise<void> {
    await this.db.execute(`UPDATE job_run SET enqueued_at = now() WHERE id = $1 AND enqueued_at IS NULL`, [id]);
  }

  /** Runs not finished yet, oldest first (what the dispatcher makes sure is on the queue). */
  async openRuns(limit = 500): Promise<JobRun[]> {
    const rows = await this.db.query<JobRunRow>(`SELECT * FROM job_run WHERE state IN ('queued', 'running') ORDER BY created_at LIMIT $1`, [limit]);
    return rows.map(toRun);
  }
}

const truncate = (text: string): string => (text.length > 2000 ? `${text.slice(0, 2000)}…` : text);
