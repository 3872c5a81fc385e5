import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DeploymentRecordsService } from './deployment-records.service';

const SWEEP_MS = 60_000;

/**
 * The outbox side of issuing: a record committed `pending` with its check-out but not signed (the process stopped
 * first, or signing failed) is signed here within about two minutes, if nobody asked for it before. Every api process
 * may run it: signing locks the row and skips records already signed.
 */
@Injectable()
export class PendingRecordsSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PendingRecordsSweeper.name);
  private timer?: NodeJS.Timeout;

  constructor(private readonly records: DeploymentRecordsService) {}

  onApplicationBootstrap(): void {
    if (!this.records.issuer) return;
    this.timer = setInterval(() => {
      this.records.issuePending().then(
        (n) => n > 0 && this.logger.log(`signed ${n} pending deployment records`),
        (err: unknown) => this.logger.warn({ err }, 'pending deployment records: will retry'),
      );
    }, SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
