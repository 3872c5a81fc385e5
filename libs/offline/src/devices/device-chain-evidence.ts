import { Global, Injectable, Module } from '@nestjs/common';
import { DeviceChainEvidence, type DeviceChain } from '@app/audit';
import type { Transaction } from '@app/db';
import { OfflineScansRepository } from '../sync/offline-scans.repository';
import { OfflineDevicesRepository } from './offline-devices.repository';

/** An incident's stations and their synced logs, for the audit export (the port @app/audit declares). */
@Injectable()
export class OfflineDeviceChains extends DeviceChainEvidence {
  constructor(
    private readonly devices: OfflineDevicesRepository,
    private readonly scans: OfflineScansRepository,
  ) {
    super();
  }

  async forIncident(tx: Transaction, incidentId: string): Promise<DeviceChain[]> {
    const devices = await this.devices.list(incidentId, tx);
    const entries = await this.scans.chainEntries(tx, incidentId);
    return devices.map((d) => ({
      deviceId: d.id,
      label: d.label,
      publicJwk: { kty: d.publicJwk.kty ?? '', crv: d.publicJwk.crv ?? '', x: d.publicJwk.x ?? '', y: d.publicJwk.y ?? '' },
      keyThumbprint: d.keyThumbprint,
      registeredAt: d.registeredAt.toISOString(),
      revokedAt: d.revokedAt?.toISOString() ?? null,
      head: { seq: d.headSeq, hash: d.headHash },
      entries: entries
        .filter((e) => e.deviceId === d.id)
        .map((e) => ({ seq: e.seq, prevHash: e.prevHash, hash: e.hash, signature: e.signature, record: e.record, receivedAt: e.receivedAt.toISOString() })),
    }));
  }
}

/** Global so that @app/audit's export finds the device chains (it cannot import this library). */
@Global()
@Module({
  providers: [OfflineDevicesRepository, OfflineScansRepository, { provide: DeviceChainEvidence, useClass: OfflineDeviceChains }],
  exports: [DeviceChainEvidence],
})
export class OfflineEvidenceModule {}
