import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessChangesModule, IncidentAccess } from '@app/auth';
import { LiveSnapshotSource } from '@app/realtime';
import { CredentialsModule } from '@app/credentials';
import { CheckInAttemptEntity } from './check-in/check-in-attempt.entity';
import { CheckInController } from './check-in/check-in.controller';
import { CheckInService } from './check-in/check-in.service';
import { CredentialFlagsService } from './deployments/credential-flags.service';
import { DeployedCredentialsRepository } from './deployments/deployed-credentials.repository';
import { DeploymentReader } from './deployments/deployment-reader';
import { DeploymentStatusEventEntity } from './deployments/deployment-status-event.entity';
import { DeploymentEntity } from './deployments/deployment.entity';
import { DeploymentsController } from './deployments/deployments.controller';
import { DeploymentsService } from './deployments/deployments.service';
import { RosterService } from './deployments/roster.service';
import { Ics211EditEntity } from './deployments/ics211-edit.entity';
import { CheckInLocationEntity } from './incidents/check-in-location.entity';
import { IncidentAccessPolicy } from './incidents/incident-access.policy';
import { IncidentStaffEntity } from './incidents/incident-staff.entity';
import { IncidentEntity } from './incidents/incident.entity';
import { IncidentsController } from './incidents/incidents.controller';
import { IncidentsService } from './incidents/incidents.service';
import { OperationalPeriodEntity } from './incidents/operational-period.entity';
import { PositionEntity } from './incidents/position.entity';
import { PresentedCredentialEntity } from './responders/presented-credential.entity';
import { ResponderEntity } from './responders/responder.entity';
import { ResponderRegistry } from './responders/responder-registry';
import { CheckInWriter } from './check-in/check-in-writer';
import { IdempotencyKeyHints } from './check-in/idempotency-key-hints';
import { VerificationEntity } from './responders/verification.entity';

const ENTITIES = [
  IncidentEntity, CheckInLocationEntity, PositionEntity, OperationalPeriodEntity, IncidentStaffEntity, ResponderEntity,
  PresentedCredentialEntity, VerificationEntity, DeploymentEntity, DeploymentStatusEventEntity, Ics211EditEntity, CheckInAttemptEntity,
];
const SERVICES = [IncidentsService, DeploymentReader, DeploymentsService, CredentialFlagsService, ResponderRegistry, CheckInService, CheckInWriter, IdempotencyKeyHints, RosterService];

/**
 * Incidents and their data, without HTTP (the worker uses it for reverification). Global because the auth guard and
 * the live gateway need its IncidentAccess and LiveSnapshotSource, which they know only as abstract classes.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature(ENTITIES), CredentialsModule, AccessChangesModule],
  providers: [
    ...SERVICES,
    DeployedCredentialsRepository,
    IncidentAccessPolicy,
    { provide: IncidentAccess, useExisting: IncidentAccessPolicy },
    { provide: LiveSnapshotSource, useExisting: RosterService },
  ],
  exports: [...SERVICES, DeployedCredentialsRepository, IncidentAccess, LiveSnapshotSource, TypeOrmModule],
})
export class IncidentsCoreModule {}

/** Incidents, check-in, deployments: the HTTP side (api process). */
@Module({
  imports: [IncidentsCoreModule],
  controllers: [IncidentsController, CheckInController, DeploymentsController],
  exports: [IncidentsCoreModule],
})
export class IncidentsModule {}
