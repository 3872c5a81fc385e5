import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { AuditCheckpointsService } from './audit-checkpoints.service';

/**
 * The worker's periodic checkpoint run (AUDIT_CHECKPOINT_INTERVAL_MS; 0 switches it off). A plain interval for now:
 * `run()` is what a repeatable queue job would call instead. Runs never overlap within a process, and concurrent
 * runs in several workers are harmless (see AuditCheckpointsService).
 */
@Injectable()
export class CheckpointScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CheckpointScheduler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly checkpoints: AuditCheckpointsService,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.audit.checkpointIntervalMs;
    if (every <= 0) return;
    this.timer = setInterval(() => void this.run(), every);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One checkpoint run; resolves when done, never throws (failures are logged and retried at the next tick). */
  run(): Promise<void> {
    this.running ??= this.checkpoints
      .checkpointMovedChains()
      .then((r) => {
        if (r.created.length > 0) this.logger.log(`signed ${r.created.length} audit checkpoint(s)`);
      })
      .catch((err: unknown) => this.logger.error({ err }, 'audit checkpoint run failed'))
      .finally(() => (this.running = undefined));
    return this.running;
  }
}
