import type { Writable } from 'node:stream';
import { Injectable, Optional } from '@nestjs/common';
import { ServerKeysService } from '@app/auth';
import { Clock } from '@app/common';
import { Database } from '@app/db';
import { AuditCheckpointsRepository } from '../store/audit-checkpoints.repository';
import { AuditEntriesRepository } from '../store/audit-entries.repository';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type AuditBundle } from './audit-bundle';
import { inSnapshot } from './audit-verification.service';
import { writeBundle } from './bundle-writer';
import { DeviceChainEvidence } from './device-chains';

/**
 * GET /audit/export: streams a chain as an audit bundle (see writeBundle) from one read-only snapshot, so a long chain
 * never sits in memory as one string and the bundle is internally consistent (head, checkpoints, entries and the
 * offline stations' device chains agree).
 */
@Injectable()
export class AuditExportService {
  constructor(
    private readonly database: Database,
    private readonly entries: AuditEntriesRepository,
    private readonly checkpoints: AuditCheckpointsRepository,
    private readonly keys: ServerKeysService,
    private readonly clock: Clock,
    @Optional() private readonly deviceChains?: DeviceChainEvidence,
  ) {}

  async write(out: Writable, chainId: string, incidentId: string | null): Promise<void> {
    const jwks = await this.keys.trustedCheckpointKeys();
    await inSnapshot(this.database, async (tx) => {
      const head = await this.entries.head(tx, chainId);
      const checkpoints = await this.checkpoints.list(tx, chainId);
      // The stations' logs are evidence of the incident's offline scans: the bundle carries them to be checked offline.
      const deviceChains = incidentId && this.deviceChains ? await this.deviceChains.forIncident(tx, incidentId) : undefined;
      const header: Omit<AuditBundle, 'entries'> = {
        format: BUNDLE_FORMAT,
        version: BUNDLE_VERSION,
        chainId,
        incidentId,
        exportedAt: this.clock.now().toISOString(),
        head,
        checkpoints,
        jwks,
        ...(deviceChains ? { deviceChains } : {}),
      };
      await writeBundle(out, header, this.entries.pages(tx, chainId, 1, Number.MAX_SAFE_INTEGER));
    });
  }
}
