import { Global, Module } from '@nestjs/common';
import { AuditSearchRepository, AuditTrailModule } from '@app/audit';
import { AuthModule } from '@app/auth';
import { CredentialsModule } from '@app/credentials';
import { AssignmentRules, CheckOutRules } from '@app/incidents';
import { SweepFollowUp } from '@app/reverification';
import { OutboxModule } from '@app/realtime';
import { ParController } from './http/par.controller';
import { ActivityLogController } from './http/activity-log.controller';
import { DemobController } from './http/demob.controller';
import { DemobRepository } from './demob/demob.repository';
import { DemobService } from './demob/demob.service';
import { ActivityLogRepository } from './activity/activity-log.repository';
import { ActivityLogService } from './activity/activity-log.service';
import { WorkDescriptions } from './activity/work-descriptions';
import { TravelHome } from './demob/travel-home';
import { WorkLimitWarningsRepository } from './limits/work-limit-warnings.repository';
import { WorkLimitsService } from './limits/work-limits.service';
import { ParRepository } from './par/par.repository';
import { ParService } from './par/par.service';
import { ParScanService } from './par/par-scans.service';
import { ParTimers } from './par/par-timers';
import { AccountabilitySettingsRepository } from './settings/accountability-settings.repository';
import { AccountabilitySettingsService } from './settings/accountability-settings.service';
import { SupervisorsRepository } from './supervisors/supervisors.repository';
import { SupervisorsService } from './supervisors/supervisors.service';

const CORE = [
  ParRepository,
  ParService,
  AccountabilitySettingsRepository,
  AccountabilitySettingsService,
  SupervisorsRepository,
  WorkLimitWarningsRepository,
  WorkLimitsService,
  DemobRepository,
  DemobService,
  ActivityLogRepository,
  WorkDescriptions,
  TravelHome,
];
const PORTS = [
  { provide: AssignmentRules, useExisting: WorkLimitsService },
  { provide: SweepFollowUp, useExisting: WorkLimitsService },
  { provide: CheckOutRules, useExisting: DemobService },
];

/**
 * Accountability without HTTP: PARs, settings and work/rest limits. Needs IncidentsCoreModule (global) from the
 * application. Global because @app/incidents (status changes) and @app/reverification (end of a run) know its
 * rules only as the ports they declare.
 */
@Global()
@Module({
  imports: [AuditTrailModule, OutboxModule],
  providers: [...CORE, ...PORTS],
  exports: [...CORE, AssignmentRules, SweepFollowUp, CheckOutRules],
})
export class AccountabilityCoreModule {}

/** The api side: PAR, settings, supervisor, work-limit and activity-log (ICS 214) routes. */
@Module({
  imports: [AccountabilityCoreModule, AuthModule, AuditTrailModule, CredentialsModule],
  controllers: [ParController, ActivityLogController, DemobController],
  providers: [ParScanService, SupervisorsService, ActivityLogService, AuditSearchRepository],
})
export class AccountabilityModule {}

/** The worker side: the clock that raises overdue PARs and due PAR timers. */
@Module({ imports: [AccountabilityCoreModule], providers: [ParTimers] })
export class AccountabilityWorkerModule {}
