import { Module } from '@nestjs/common';
import { AuditTrailModule } from '@app/audit';
import { AuthModule } from '@app/auth';
import { CredentialsModule } from '@app/credentials';
import { IncidentsModule } from '@app/incidents';
import { OutboxModule } from '@app/realtime';
import { OfflineEvidenceModule } from './devices/device-chain-evidence';
import { OfflineDevicesRepository } from './devices/offline-devices.repository';
import { OfflineDevicesService } from './devices/offline-devices.service';
import { OfflineController } from './http/offline.controller';
import { IncidentPackBuilder } from './pack/incident-pack.builder';
import { OfflineScansRepository } from './sync/offline-scans.repository';
import { OfflineSyncService } from './sync/offline-sync.service';

/** Offline stations (api process): the incident pack, device keys, and sync of device logs through the check-in use case. */
@Module({
  imports: [IncidentsModule, CredentialsModule, AuthModule, AuditTrailModule, OutboxModule, OfflineEvidenceModule],
  controllers: [OfflineController],
  providers: [IncidentPackBuilder, OfflineDevicesRepository, OfflineDevicesService, OfflineScansRepository, OfflineSyncService],
  exports: [IncidentPackBuilder],
})
export class OfflineModule {}
