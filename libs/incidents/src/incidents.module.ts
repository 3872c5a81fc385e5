import { Global, Module } from '@nestjs/common';
import { AuditedIncidents, AuditTrailModule } from '@app/audit';
import { AccessChangesModule, AuthModule, IncidentAccess } from '@app/auth';
import { LiveSnapshotSource, OutboxModule } from '@app/realtime';
import { CredentialsModule } from '@app/credentials';
import { PracticeAuthorityModule } from '@app/practice-authority';
import { CheckInController } from './check-in/check-in.controller';
import { CheckInService } from './check-in/check-in.service';
import { RecentCheckInsRepository } from './check-in/recent-check-ins.repository';
import { CredentialFlagsService } from './deployments/credential-flags.service';
import { DeployedCredentialsRepository } from './deployments/deployed-credentials.repository';
import { DeploymentReader } from './deployments/deployment-reader';
import { DeploymentsController } from './deployments/deployments.controller';
import { DeploymentsRepository } from './deployments/deployments.repository';
import { DeploymentsService } from './deployments/deployments.service';
import { RosterService } from './deployments/roster.service';
import { IncidentAccessPolicy } from './incidents/incident-access.policy';
import { IncidentsController } from './incidents/incidents.controller';
import { IncidentStaffService } from './incidents/incident-staff.service';
import { IncidentsRepository } from './incidents/incidents.repository';
import { IncidentsService } from './incidents/incidents.service';
import { ResponderRepository } from './responders/responders.repository';
import { WorkPeriodsRepository } from './deployments/work-periods.repository';
import { CheckInRepository } from './check-in/check-in.repository';
import { IdempotencyKeyHints } from './check-in/idempotency-key-hints';
import { AuditedIncidentsProvider } from './ports/audited-incidents.provider';
import { DeploymentReportsRepository } from './reports/deployment-reports.repository';
import { ReportsController } from './reports/reports.controller';
import { ReportsService } from './reports/reports.service';
import { RetentionRepository } from './retention/retention.repository';
import { RetentionService } from './retention/retention.service';
import { WalkUpBadges } from './walk-ups/walk-up-badges';
import { WalkUpsController } from './walk-ups/walk-ups.controller';
import { WalkUpsRepository } from './walk-ups/walk-ups.repository';
import { WalkUpsService } from './walk-ups/walk-ups.service';

const SERVICES = [
  IncidentsService,
  DeploymentReader,
  DeploymentsService,
  CredentialFlagsService,
  CheckInService,
  IdempotencyKeyHints,
  RosterService,
  RetentionService,
  WalkUpsService,
];
const REPOSITORIES = [
  IncidentsRepository,
  DeploymentsRepository,
  DeployedCredentialsRepository,
  ResponderRepository,
  CheckInRepository,
  RetentionRepository,
  WorkPeriodsRepository,
  WalkUpsRepository,
];

/**
 * Incidents and their data, without HTTP (the worker uses it for reverification). Global because the auth guard and
 * the live gateway need its IncidentAccess and LiveSnapshotSource, which they know only as abstract classes.
 */
@Global()
@Module({
  imports: [CredentialsModule, AccessChangesModule, AuditTrailModule, OutboxModule, PracticeAuthorityModule],
  providers: [
    ...SERVICES,
    ...REPOSITORIES,
    IncidentAccessPolicy,
    { provide: IncidentAccess, useExisting: IncidentAccessPolicy },
    { provide: LiveSnapshotSource, useExisting: RosterService },
    { provide: AuditedIncidents, useClass: AuditedIncidentsProvider },
  ],
  exports: [...SERVICES, ...REPOSITORIES, IncidentAccess, LiveSnapshotSource, AuditedIncidents],
})
export class IncidentsCoreModule {}

/**
 * Incidents, check-in, deployments and the deployment reports: the HTTP side (api process). Staff assignments read
 * users through @app/auth; the reports are scoped by @app/audit's AuditScope (global, from AuditApiModule).
 */
@Module({
  imports: [IncidentsCoreModule, AuthModule, AuditTrailModule],
  controllers: [IncidentsController, CheckInController, DeploymentsController, ReportsController, WalkUpsController],
  providers: [IncidentStaffService, ReportsService, DeploymentReportsRepository, RecentCheckInsRepository, WalkUpBadges],
  exports: [IncidentsCoreModule],
})
export class IncidentsModule {}
