import { Global, Module } from '@nestjs/common';
import { AuditTrailModule } from '@app/audit';
import { ServerKeysModule } from '@app/auth';
import { CredentialsModule } from '@app/credentials';
import { DeploymentReleaseHook } from '@app/incidents';
import { LogRecordMailer, RecordMailer } from './delivery/record-mailer';
import { DeploymentRecordController, DeploymentRecordsAdminController, DeploymentRecordsPublicController } from './http/deployment-records.controller';
import { RecordKeysRepository } from './keys/record-keys.repository';
import { RecordIssuerKeysService } from './keys/record-issuer-keys.service';
import { DeploymentRecordsRepository } from './records/deployment-records.repository';
import { DeploymentRecordsService } from './records/deployment-records.service';
import { PendingRecordsSweeper } from './records/pending-records.sweeper';

/** The records issuer key alone: what the CLI needs to list and rotate it. */
@Module({ imports: [ServerKeysModule], providers: [RecordKeysRepository, RecordIssuerKeysService], exports: [RecordIssuerKeysService] })
export class RecordIssuerKeysModule {}

/**
 * Deployment records for the api process. Global because it provides @app/incidents' DeploymentReleaseHook (the
 * check-out hook); RecordMailer is the e-mail hook an operator replaces (LogRecordMailer logs in development).
 */
@Global()
@Module({
  imports: [AuditTrailModule, CredentialsModule, ServerKeysModule, RecordIssuerKeysModule],
  controllers: [DeploymentRecordController, DeploymentRecordsAdminController, DeploymentRecordsPublicController],
  providers: [
    DeploymentRecordsRepository,
    DeploymentRecordsService,
    PendingRecordsSweeper,
    { provide: DeploymentReleaseHook, useExisting: DeploymentRecordsService },
    { provide: RecordMailer, useClass: LogRecordMailer },
  ],
  exports: [DeploymentReleaseHook, DeploymentRecordsService, RecordIssuerKeysModule, RecordMailer],
})
export class DeploymentRecordsModule {}
