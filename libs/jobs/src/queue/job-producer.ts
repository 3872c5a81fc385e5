import { Inject, Injectable } from '@nestjs/common';
import type { JobsOptions } from 'bullmq';
import { AppConfig } from '@app/config';
import { JOBS, type JobName, type JobPayloads, type ScheduledJobName } from '../job-catalog';
import { JobQueues } from './job-queues';

/** Redis did not answer in time: nothing was queued (the caller keeps its record in PostgreSQL and retries later). */
export class QueueUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueUnavailableError';
  }
}

export interface EnqueueOptions {
  delayMs?: number;
  /** Give up after this long (default 1500 ms): callers on a request path never wait on Redis for longer. */
  timeoutMs?: number;
}

/** What Redis knows about a job: `missing` when it was never queued, already removed, or lost with Redis. */
export type QueuedJobState = { state: 'missing' } | { state: 'failed'; reason: string } | { state: 'completed' | 'active' | 'waiting' | 'delayed' | 'other' };

const DEFAULT_TIMEOUT_MS = 1500;

/**
 * Type-checked enqueueing: the payload must match the job name (see job-catalog.ts). Ids, de-duplication and retry
 * policy come from the catalog, so every producer queues a given job the same way.
 */
@Injectable()
export class JobProducer {
  constructor(
    private readonly queues: JobQueues,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /** Queues a job; returns its BullMQ id. Throws QueueUnavailableError when Redis does not answer in time. */
  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], opts: EnqueueOptions = {}): Promise<string> {
    const def = JOBS[name];
    const jobOpts: JobsOptions = { ...this.retryPolicy(def.retries), delay: opts.delayMs };
    const jobId = def.jobId?.(payload);
    if (jobId) jobOpts.jobId = jobId;
    const dedupe = def.deduplicationId?.(payload);
    if (dedupe) jobOpts.deduplication = { id: dedupe };
    const job = await withDeadline(this.queues.get(def.queue).add(name, payload, jobOpts), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, `queue ${def.queue}`);
    return job.id ?? jobId ?? '';
  }

  /**
   * Creates the repeatable scheduler of a tick job unless it exists with this interval (called at start and every
   * maintenance pass, so a Redis that restarted empty gets it back). Returns true when it was (re)created.
   */
  async schedule(name: ScheduledJobName, everyMs: number): Promise<boolean> {
    const def = JOBS[name];
    const queue = this.queues.get(def.queue);
    const existing = await withDeadline(queue.getJobScheduler(name), DEFAULT_TIMEOUT_MS, `queue ${def.queue}`);
    if (existing && Number(existing.every) === everyMs) return false;
    await withDeadline(
      queue.upsertJobScheduler(
        name,
        { every: everyMs },
        {
          name,
          data: {},
          opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
        },
      ),
      DEFAULT_TIMEOUT_MS,
      `queue ${def.queue}`,
    );
    return true;
  }

  async state<N extends JobName>(name: N, jobId: string): Promise<QueuedJobState> {
    const job = await withDeadline(this.queues.get(JOBS[name].queue).getJob(jobId), DEFAULT_TIMEOUT_MS, `queue ${JOBS[name].queue}`);
    if (!job) return { state: 'missing' };
    const state = await withDeadline(job.getState(), DEFAULT_TIMEOUT_MS, `queue ${JOBS[name].queue}`);
    if (state === 'failed') return { state: 'failed', reason: job.failedReason ?? 'failed' };
    if (state === 'completed' || state === 'active' || state === 'waiting' || state === 'delayed') return { state };
    return { state: 'other' };
  }

  private retryPolicy(retries: boolean): Pick<JobsOptions, 'attempts' | 'backoff'> {
    if (!retries) return { attempts: 1 };
    return { attempts: this.config.jobs.attempts, backoff: { type: 'exponential', delay: this.config.jobs.backoffMs } };
  }
}

async function withDeadline<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new QueueUnavailableError(`${what}: Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
        timer.unref();
      }),
    ]);
  } catch (err) {
    if (err instanceof QueueUnavailableError) throw err;
    throw new QueueUnavailableError(`${what}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    clearTimeout(timer);
  }
}
