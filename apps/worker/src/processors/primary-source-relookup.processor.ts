import { Injectable, Logger } from '@nestjs/common';
import { HandlesJob, type JobHandler } from '@app/jobs';
import { LicenceChangesService } from '@app/primary-source';

/** `primary-source.relookup` (scheduler tick): deployed licences whose source sends no notices, looked up again. */
@Injectable()
@HandlesJob('primary-source.relookup')
export class PrimarySourceRelookupProcessor implements JobHandler<'primary-source.relookup'> {
  private readonly logger = new Logger(PrimarySourceRelookupProcessor.name);

  constructor(private readonly changes: LicenceChangesService) {}

  async handle(): Promise<void> {
    const outcome = await this.changes.relookup({ kind: 'system', process: 'worker', job: 'primary-source.relookup' });
    if (outcome.flagged + outcome.cleared + outcome.confirmed + outcome.indeterminate > 0) {
      this.logger.log(
        `licence re-lookups: ${outcome.checked} checked, ${outcome.flagged} flagged, ${outcome.cleared} cleared, ${outcome.confirmed} confirmed, ${outcome.indeterminate} indeterminate`,
      );
    }
  }
}
