import { Injectable, Logger } from '@nestjs/common';
import { RedisConnection } from '@app/common';
import { runJobId } from '../job-catalog';
import { JobProducer, QueueUnavailableError } from '../queue/job-producer';
import type { JobRun } from './job-run';
import { JobRunRepository } from './job-run.repository';

/**
 * Puts runs recorded in job_run on the queue. A request records its run in PostgreSQL first and calls `dispatch`
 * after commit; if Redis is down the run simply stays pending, and `reconcile` (the worker, every
 * JOB_DISPATCH_INTERVAL_MS) queues it once Redis answers. `reconcile` also re-queues open runs that Redis lost
 * (a restart without persistence) and records as failed the runs whose job failed for good on Redis.
 * The job id is derived from the run id, so queueing the same run twice is harmless.
 */
@Injectable()
export class JobRunDispatcher {
  private readonly logger = new Logger(JobRunDispatcher.name);

  constructor(
    private readonly runs: JobRunRepository,
    private readonly producer: JobProducer,
    private readonly redis: RedisConnection,
  ) {}

  /** Queues the run; false when Redis is unavailable (the run stays pending and is queued later). */
  async dispatch(run: Pick<JobRun, 'id'>, timeoutMs = 1000): Promise<boolean> {
    // The process's Redis client already knows Redis is down: don't make the caller wait for a timeout.
    if (this.redis.client.status !== 'ready') {
      this.logger.warn(`run ${run.id} recorded; Redis is unavailable, it will be queued when Redis is back`);
      return false;
    }
    try {
      await this.producer.enqueue('reverify.run', { runId: run.id }, { timeoutMs });
    } catch (err) {
      if (err instanceof QueueUnavailableError) {
        this.logger.warn(`run ${run.id} recorded; it will be queued when Redis answers (${err.message})`);
        return false;
      }
      throw err;
    }
    await this.runs.markEnqueued(run.id);
    return true;
  }

  /** One pass over the open runs. Returns how many were (re)queued and failed. */
  async reconcile(): Promise<{ queued: number; failed: number }> {
    let queued = 0;
    let failed = 0;
    for (const run of await this.runs.openRuns()) {
      let state;
      try {
        state = await this.producer.state('reverify.run', runJobId(run.id));
      } catch (err) {
        if (err instanceof QueueUnavailableError) return { queued, failed };
        throw err;
      }
      if (state.state === 'missing') {
        if (await this.dispatch(run)) queued++;
        else return { queued, failed };
      } else if (state.state === 'failed') {
        // E.g. stalled too many times: the handler never saw its last failure, so record it here.
        if (await this.runs.fail(run.id, state.reason)) failed++;
      } else if (state.state === 'completed') {
        if (await this.runs.fail(run.id, 'The queue reports the job finished but the run recorded no outcome.')) failed++;
      }
    }
    return { queued, failed };
  }
}
