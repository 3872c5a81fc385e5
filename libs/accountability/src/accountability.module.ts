import { Module } from '@nestjs/common';
import { AuditTrailModule } from '@app/audit';
import { AuthModule } from '@app/auth';
import { OutboxModule } from '@app/realtime';
import { ParController } from './http/par.controller';
import { ParRepository } from './par/par.repository';
import { ParService } from './par/par.service';
import { ParTimers } from './par/par-timers';
import { AccountabilitySettingsRepository } from './settings/accountability-settings.repository';
import { AccountabilitySettingsService } from './settings/accountability-settings.service';
import { SupervisorsRepository } from './supervisors/supervisors.repository';
import { SupervisorsService } from './supervisors/supervisors.service';

const CORE = [ParRepository, ParService, AccountabilitySettingsRepository, AccountabilitySettingsService, SupervisorsRepository];

/**
 * Accountability without HTTP: PARs, settings and work/rest limits. Needs IncidentsCoreModule (global) from the
 * application.
 */
@Module({
  imports: [AuditTrailModule, OutboxModule],
  providers: CORE,
  exports: CORE,
})
export class AccountabilityCoreModule {}

/** The api side: PAR, settings and supervisor routes. */
@Module({
  imports: [AccountabilityCoreModule, AuthModule, AuditTrailModule],
  controllers: [ParController],
  providers: [SupervisorsService],
})
export class AccountabilityModule {}

/** The worker side: the clock that raises overdue PARs and due PAR timers. */
@Module({ imports: [AccountabilityCoreModule], providers: [ParTimers] })
export class AccountabilityWorkerModule {}
