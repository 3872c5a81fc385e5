import { Inject, Injectable } from '@nestjs/common';
import { AuditTrail, type AuditActor } from '@app/audit';
import { AppConfig } from '@app/config';
import { Database } from '@app/db';
import { RETENTION_BATCH, RetentionRepository } from './retention.repository';

const DAY_MS = 86_400_000;

export interface RetentionOutcome {
  credentialCopiesPurged: number;
  scanResponsesRedacted: number;
}

/**
 * Keeps personal data only as long as it is needed (docs/operations.md, "Retention and the data map"): credential
 * copies past RETENTION_CREDENTIAL_COPY_DAYS after their last use are purged, scan responses past
 * RETENTION_SCAN_RESPONSE_DAYS are redacted. Each batch commits with an audit entry on the system chain naming what
 * was purged by hash; audit entries themselves are never changed (they reference credentials by hash), so every chain
 * still verifies.
 */
@Injectable()
export class RetentionService {
  constructor(
    private readonly database: Database,
    private readonly retention: RetentionRepository,
    private readonly audit: AuditTrail,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async purge(now: Date, actor: AuditActor = { kind: 'system', process: 'worker', job: 'retention.purge' }): Promise<RetentionOutcome> {
    const outcome: RetentionOutcome = { credentialCopiesPurged: 0, scanResponsesRedacted: 0 };
    const { credentialCopyDays, scanResponseDays } = this.config.retention;
    if (credentialCopyDays > 0) {
      const cutoff = new Date(now.getTime() - credentialCopyDays * DAY_MS);
      for (;;) {
        const hashes = await this.database.transaction(async (tx) => {
          const purged = await this.retention.purgeCredentialCopies(tx, cutoff);
          if (purged.length > 0) {
            await this.audit.record(tx, {
              actor,
              action: 'retention.credential_copies_purged',
              payload: { cutoff: cutoff.toISOString(), retentionDays: credentialCopyDays, credentialHashes: purged },
            });
          }
          return purged;
        });
        outcome.credentialCopiesPurged += hashes.length;
        if (hashes.length < RETENTION_BATCH) break;
      }
    }
    if (scanResponseDays > 0) {
      const cutoff = new Date(now.getTime() - scanResponseDays * DAY_MS);
      for (;;) {
        const redacted = await this.database.transaction(async (tx) => {
          const count = await this.retention.redactScanResponses(tx, cutoff);
          if (count > 0) {
            await this.audit.record(tx, {
              actor,
              action: 'retention.scan_responses_redacted',
              payload: { cutoff: cutoff.toISOString(), retentionDays: scanResponseDays, count },
            });
          }
          return count;
        });
        outcome.scanResponsesRedacted += redacted;
        if (redacted < RETENTION_BATCH) break;
      }
    }
    return outcome;
  }
}
