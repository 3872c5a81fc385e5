import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { SCHEDULED_JOBS, type ScheduledJobName } from '../job-catalog';
import { JobProducer, QueueUnavailableError } from '../queue/job-producer';
import { JobRunDispatcher } from '../runs/job-run.dispatcher';

/**
 * The worker's housekeeping loop (every JOB_DISPATCH_INTERVAL_MS): makes sure the job schedulers exist (Redis may
 * have restarted empty) and that every open run is on the queue (JobRunDispatcher.reconcile). Nothing here needs
 * Redis to be up; a pass that cannot reach it just waits for the next one.
 */
@Injectable()
export class JobMaintenance implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobMaintenance.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly producer: JobProducer,
    private readonly dispatcher: JobRunDispatcher,
  ) {}

  onApplicationBootstrap(): void {
    void this.kick();
    this.timer = setInterval(() => void this.kick(), this.config.jobs.dispatchIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /**
   * Runs one pass now unless one is under way; resolves when it is done. A pass stuck on a Redis connection that
   * died mid-command is abandoned after a bound, so one hung command can never stop the housekeeping for good.
   */
  kick(): Promise<void> {
    const bound = Math.max(5000, 4 * this.config.jobs.dispatchIntervalMs);
    this.running ??= withBound(this.pass(), bound)
      .catch((err: unknown) => this.logger.warn(`maintenance pass failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private intervals(): Record<ScheduledJobName, number> {
    return {
      'reverify.sweep': this.config.reverification.sweepIntervalMs,
      'status-list.refresh-due': this.config.reverification.statusListRefreshCheckMs,
      'retention.purge': this.config.retention.purgeIntervalMs,
      'primary-source.relookup': this.config.primarySource.relookupMs,
    };
  }

  private async pass(): Promise<void> {
    const intervals = this.intervals();
    // After a Redis restart without persistence the schedulers are gone: this puts them back. A queue that does not
    // answer is skipped, so it cannot hold up the re-queueing of runs (reconcile stops by itself if Redis is down).
    for (const name of SCHEDULED_JOBS) {
      try {
        if (await this.producer.schedule(name, intervals[name])) this.logger.log(`scheduler installed: ${name} every ${intervals[name]} ms`);
      } catch (err) {
        if (!(err instanceof QueueUnavailableError)) throw err;
      }
    }
    const { queued, failed } = await this.dispatcher.reconcile();
    if (queued || failed) this.logger.log(`runs re-queued: ${queued}, recorded as failed: ${failed}`);
  }
}

function withBound(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`maintenance pass gave up after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, bound]).finally(() => clearTimeout(timer));
}
