import { createHash } from 'node:crypto';

/**
 * The one list of background jobs: name -> queue, payload, id and retry policy. Payloads carry identifiers only
 * (run ids, status-list URLs), never credential contents: handlers read what they need from PostgreSQL. Adding a job
 * here without a handler makes the worker refuse to start (see JobWorkerHost).
 */
export const QUEUE_NAMES = ['reverification', 'status-lists', 'maintenance'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface JobPayloads {
  /** Scheduler tick (every SWEEP_INTERVAL_MS): opens the sweep run unless one is open, and queues it. */
  'reverify.sweep': Record<string, never>;
  /** Processes one job_run (a sweep, one incident, or the deployments on one status list) block by block. */
  'reverify.run': { runId: string };
  /** Scheduler tick (every STATUS_LIST_REFRESH_CHECK_MS): queues a refresh for each list in use whose ttl ran out. */
  'status-list.refresh-due': Record<string, never>;
  /** Fetches one status list (conditionally, with its ETag) and shares the decoded list through Redis. */
  'status-list.refresh': { listUrl: string };
  /** Scheduler tick (every RETENTION_PURGE_INTERVAL_MS): purges personal contents past their retention period. */
  'retention.purge': Record<string, never>;
  /** Scheduler tick (every PRIMARY_SOURCE_RELOOKUP_MS): looks up again deployed licences whose source sends no notices. */
  'primary-source.relookup': Record<string, never>;
}

export type JobName = keyof JobPayloads;

interface JobDefinition<N extends JobName> {
  queue: QueueName;
  /** Deterministic id: adding a job whose id exists is a no-op, so the same work is never queued twice. */
  jobId?: (payload: JobPayloads[N]) => string;
  /** While a job with this id is waiting or running, further adds are dropped (BullMQ deduplication). */
  deduplicationId?: (payload: JobPayloads[N]) => string;
  /** Scheduler ticks are cheap and superseded by the next one: no retries. */
  retries: boolean;
}

/** BullMQ refuses custom ids with ':'; hashes keep URLs out of ids and keys. */
export const shortHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 24);

/** The BullMQ id of the job that carries out a job_run row. */
export const runJobId = (runId: string): string => `run-${runId}`;

export const JOBS: { readonly [N in JobName]: JobDefinition<N> } = {
  'reverify.sweep': { queue: 'reverification', retries: false },
  'reverify.run': { queue: 'reverification', jobId: (p) => runJobId(p.runId), retries: true },
  'status-list.refresh-due': { queue: 'status-lists', retries: false },
  'status-list.refresh': { queue: 'status-lists', deduplicationId: (p) => `status-list-${shortHash(p.listUrl)}`, retries: true },
  'retention.purge': { queue: 'maintenance', retries: false },
  'primary-source.relookup': { queue: 'maintenance', retries: false },
};

export const JOB_NAMES = Object.keys(JOBS) as JobName[];

/** Ticks of these jobs are produced by BullMQ job schedulers (repeatable), one scheduler per job name. */
export const SCHEDULED_JOBS = ['reverify.sweep', 'status-list.refresh-due', 'retention.purge', 'primary-source.relookup'] as const satisfies readonly JobName[];
export type ScheduledJobName = (typeof SCHEDULED_JOBS)[number];

export const isJobName = (name: string): name is JobName => Object.prototype.hasOwnProperty.call(JOBS, name);
