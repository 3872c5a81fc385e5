import { Module } from '@nestjs/common';
import { AuditTrailModule } from '@app/audit';
import { IncidentsModule } from '@app/incidents';
import { ReverificationCoreModule } from '@app/reverification';
import { LicenceChangesService } from './licence-changes.service';
import { LicenceCheckInService } from './licence-check-in.service';
import { LicenceLookupService } from './licence-lookup.service';
import { PrimarySourceRepository } from './primary-source.repository';
import { PrimarySourcePolicyService } from './primary-source-policy.service';
import { PrimarySources } from './primary-sources';
import { LicenceCheckInController, PrimarySourceNoticesController } from './http/primary-source.controller';

const CORE = [PrimarySources, LicenceLookupService, PrimarySourceRepository, LicenceChangesService];

/** Lookups and licence changes (notices, scheduled re-lookups): the worker runs the re-lookups with this. */
@Module({ imports: [AuditTrailModule, ReverificationCoreModule], providers: CORE, exports: CORE })
export class PrimarySourceCoreModule {}

/** Licence-number check-in, the incident policy and the notice endpoint (api process). */
@Module({
  imports: [PrimarySourceCoreModule, AuditTrailModule, IncidentsModule],
  providers: [LicenceCheckInService, PrimarySourcePolicyService],
  controllers: [LicenceCheckInController, PrimarySourceNoticesController],
})
export class PrimarySourceModule {}
