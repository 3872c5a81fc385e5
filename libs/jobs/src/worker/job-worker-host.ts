import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { DelayedError, Worker, type Job } from 'bullmq';
import { AppConfig } from '@app/config';
import { Metrics, Tracing } from '@app/telemetry';
import { isJobName, JOBS, QUEUE_NAMES, type JobName, type JobPayloads } from '../job-catalog';
import { bullPrefix, workerConnection } from '../queue/queue-connection';
import { JOB_HANDLER, JOB_INTERRUPTED, type JobContext, type JobHandler } from './job-handler';
import { handlerTable, type FoundHandler } from './job-handler-registry';

type CatalogJob = Job<JobPayloads[JobName], unknown, string>;

/**
 * Runs the job handlers of this process (the worker): one BullMQ Worker per queue, each job dispatched to the one
 * provider marked @HandlesJob for its name. Start-up fails if the handlers do not cover the catalog exactly.
 *
 * Delivery: a job whose worker dies stops renewing its lock and is taken up again by any worker after
 * JOB_LOCK_DURATION_MS (stalled-job recovery); failures are retried with exponential backoff; the final failure is
 * reported to the handler (onFinalFailure). Workers reconnect to Redis on their own and carry on.
 */
@Injectable()
export class JobWorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobWorkerHost.name);
  private handlers = new Map<JobName, JobHandler<JobName>>();
  private readonly workers: Worker[] = [];
  private stopping = false;
  private lastErrorLogAt = 0;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly metrics: Metrics,
    private readonly tracing: Tracing,
  ) {}

  onApplicationBootstrap(): void {
    this.handlers = handlerTable(this.discoverHandlers());
    for (const queue of QUEUE_NAMES) {
      const worker = new Worker<JobPayloads[JobName], unknown, string>(queue, (job, token) => this.process(job, token), {
        connection: workerConnection(this.config),
        prefix: bullPrefix(this.config),
        telemetry: this.tracing.queueTelemetry(),
        concurrency: this.config.reverification.workerConcurrency,
        lockDuration: this.config.jobs.lockDurationMs,
        stalledInterval: this.config.jobs.stalledIntervalMs,
        // Runs resume from their checkpoint, so a job may stall (its worker killed) a few times before it is given up.
        maxStalledCount: 3,
      });
      worker.on('error', (err: Error) => this.logThrottled(`worker ${queue}: ${err.message}`));
      worker.on('stalled', (jobId: string) => this.logger.warn(`job ${jobId} stalled (its worker stopped); it is queued again`));
      worker.on('failed', (job: CatalogJob | undefined, err: Error) => {
        if (!job) return;
        const final = job.finishedOn !== undefined && job.finishedOn !== null;
        this.logger.warn(`job ${job.name} ${job.id} failed (attempt ${job.attemptsMade}${final ? ', final' : ', will retry'}): ${err.message}`);
      });
      this.workers.push(worker);
    }
    this.logger.log(`processing ${this.handlers.size} job types on queues ${QUEUE_NAMES.join(', ')}`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    // Active handlers see stopping() and return at their next checkpoint; close() waits for them.
    await Promise.allSettled(this.workers.map((w) => w.close()));
  }

  private discoverHandlers(): FoundHandler[] {
    const found: FoundHandler[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const { metatype, instance } = wrapper;
      if (!metatype || !instance || typeof metatype !== 'function') continue;
      const job = this.reflector.get<string | undefined>(JOB_HANDLER, metatype);
      if (job) found.push({ job, provider: metatype.name, instance: instance as JobHandler<JobName> });
    }
    return found;
  }

  private async process(job: CatalogJob, token?: string): Promise<void> {
    if (!isJobName(job.name)) throw new Error(`No job "${job.name}" in the catalog`);
    const handler = this.handlers.get(job.name);
    if (!handler) throw new Error(`No handler for job "${job.name}"`);
    const attempts = job.opts.attempts ?? 1;
    const ctx: JobContext = {
      jobId: job.id ?? '',
      attempt: job.attemptsMade + 1,
      finalAttempt: job.attemptsMade + 1 >= attempts || !JOBS[job.name].retries,
      stopping: () => this.stopping,
    };
    let outcome: void | typeof JOB_INTERRUPTED;
    const timed = this.metrics.jobSeconds.startTimer({ job: job.name });
    try {
      outcome = await handler.handle(job.data, ctx);
      timed({ outcome: outcome === JOB_INTERRUPTED ? 'interrupted' : 'completed' });
    } catch (err) {
      timed({ outcome: 'failed' });
      const error = err instanceof Error ? err : new Error(String(err));
      if (ctx.finalAttempt && handler.onFinalFailure) {
        await handler.onFinalFailure(job.data, error).catch((e: unknown) => this.logger.error(`recording the failure of job ${job.id} failed: ${String(e)}`));
      }
      throw error;
    }
    if (outcome === JOB_INTERRUPTED) {
      // Back to the queue without using an attempt; whoever picks it up continues from the checkpoint.
      await job.moveToDelayed(Date.now() + 100, token);
      throw new DelayedError();
    }
  }

  private logThrottled(message: string): void {
    if (Date.now() - this.lastErrorLogAt < 10_000) return;
    this.lastErrorLogAt = Date.now();
    this.logger.warn(message);
  }
}
