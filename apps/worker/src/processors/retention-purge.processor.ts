import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@app/common';
import { RetentionService } from '@app/incidents';
import { HandlesJob, type JobHandler } from '@app/jobs';

/** `retention.purge` (scheduler tick): purges credential copies and redacts scan responses past their retention. */
@Injectable()
@HandlesJob('retention.purge')
export class RetentionPurgeProcessor implements JobHandler<'retention.purge'> {
  private readonly logger = new Logger(RetentionPurgeProcessor.name);

  constructor(
    private readonly retention: RetentionService,
    private readonly clock: Clock,
  ) {}

  async handle(): Promise<void> {
    const outcome = await this.retention.purge(this.clock.now());
    if (outcome.credentialCopiesPurged + outcome.scanResponsesRedacted > 0) {
      this.logger.log(`retention: ${outcome.credentialCopiesPurged} credential copies purged, ${outcome.scanResponsesRedacted} scan responses redacted`);
    }
  }
}
