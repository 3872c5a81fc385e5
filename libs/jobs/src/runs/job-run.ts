import type { AuditActor } from '@app/audit';

/**
 * What a run covers: every active deployment, one incident's, or those with a credential on one status list; a
 * `sweep_shard` is one deployment id range of a sweep split across workers.
 */
export type JobRunKind = 'sweep' | 'incident' | 'status_list' | 'sweep_shard';
export type JobRunState = 'queued' | 'running' | 'completed' | 'failed';

export interface JobRunProgress {
  done: number;
  total: number;
}

export type JsonObject = Record<string, unknown>;

/** One row of job_run: the lasting record of a background run, whatever happened to Redis meanwhile. */
export interface JobRun {
  id: string;
  kind: JobRunKind;
  incidentId: string | null;
  /** The sweep a shard belongs to. */
  parentId: string | null;
  scope: JsonObject;
  dedupeKey: string | null;
  state: JobRunState;
  progress: JobRunProgress;
  /** Where an interrupted run resumes. */
  checkpoint: JsonObject | null;
  result: JsonObject | null;
  /** The latest failure (kept while retries go on; final when state is failed). */
  error: string | null;
  /** Times a worker started (or resumed) the run. */
  attempts: number;
  requestedBy: AuditActor;
  createdAt: Date;
  enqueuedAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

export interface OpenRunInput {
  kind: JobRunKind;
  incidentId?: string;
  scope?: JsonObject;
  /** At most one open run per key: opening a second returns the open one. */
  dedupeKey?: string;
  requestedBy: AuditActor;
}

/** One shard of a sweep: the deployments with `after < id <= upTo`. */
export interface ShardRange {
  after: string;
  upTo: string;
}
