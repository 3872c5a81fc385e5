import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { AppConfig } from '@app/config';
import { Metrics, Tracing } from '@app/telemetry';
import { QUEUE_NAMES, type JobName, type JobPayloads, type QueueName } from '../job-catalog';
import { bullPrefix, producerConnection } from './queue-connection';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

/** A queue of the catalog, typed by the job names it carries. */
export type CatalogQueue = Queue<JobPayloads[JobName], unknown, JobName>;

/**
 * The process's BullMQ queues (producer side), created on first use. Creating one never waits for Redis; commands
 * fail fast while Redis is down (see producerConnection), and their errors are logged, not thrown at the process.
 */
@Injectable()
export class JobQueues implements OnApplicationShutdown {
  private readonly logger = new Logger(JobQueues.name);
  private readonly queues = new Map<QueueName, CatalogQueue>();
  /** Each queue's Redis connection, opened here so that shutdown can drop it (see onApplicationShutdown). */
  private readonly connections: Redis[] = [];
  private lastErrorLogAt = 0;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    metrics: Metrics,
    private readonly tracing: Tracing,
  ) {
    metrics.onScrape(() => this.countJobs(metrics));
  }

  get(name: QueueName): CatalogQueue {
    let queue = this.queues.get(name);
    if (!queue) {
      const connection = new Redis(this.config.redis.url, producerConnection());
      this.connections.push(connection);
      queue = new Queue<JobPayloads[JobName], unknown, JobName>(name, {
        connection,
        prefix: bullPrefix(this.config),
        telemetry: this.tracing.queueTelemetry(),
        // Job records are kept for a while (bull-board, debugging), then dropped: job_run is the lasting record.
        defaultJobOptions: { removeOnComplete: { age: 24 * 3600, count: 1000 }, removeOnFail: { age: 7 * 24 * 3600, count: 5000 } },
      });
      queue.on('error', (err: Error) => this.logThrottled(name, err));
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** All queues of the catalog (bull-board shows them even before anything was queued). */
  all(): CatalogQueue[] {
    return QUEUE_NAMES.map((name) => this.get(name));
  }

  private async countJobs(metrics: Metrics): Promise<void> {
    for (const queue of this.all()) {
      const counts = await queue.getJobCounts(...QUEUE_STATES);
      for (const state of QUEUE_STATES) metrics.queueJobs.set({ queue: queue.name, state }, counts[state] ?? 0);
    }
  }

  private logThrottled(queue: QueueName, err: Error): void {
    // While Redis is down ioredis reports every reconnect attempt; one line every 10 s is enough.
    if (Date.now() - this.lastErrorLogAt < 10_000) return;
    this.lastErrorLogAt = Date.now();
    this.logger.warn(`queue ${queue}: redis unavailable (${err.message})`);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    // BullMQ would end a connection it opened with QUIT, a command, which a connection still reconnecting (Redis
    // unreachable, no offline queue) cannot send: that client then retried forever and kept the process from
    // exiting. The connections are ours, so they are dropped here, at once and for good.
    for (const connection of this.connections.splice(0)) connection.disconnect();
    this.queues.clear();
  }
}
