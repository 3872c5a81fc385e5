import { DynamicModule, Module } from '@nestjs/common';
import { AccessChangesModule, ServerKeysModule } from '@app/auth';
import { CommonModule, LoggingModule } from '@app/common';
import { AppConfig, ConfigModule } from '@app/config';
import { DbModule } from '@app/db';
import { TelemetryModule } from '@app/telemetry';
import { AuditWorkerModule, AuditTrailModule } from '@app/audit';
import { LiveEmitterModule, OutboxModule } from '@app/realtime';
import { CredentialsModule } from '@app/credentials';
import { TrustModule } from '@app/trust';
import { IncidentsCoreModule } from '@app/incidents';
import { JobWorkerModule } from '@app/jobs';
import { ReverificationCoreModule } from '@app/reverification';
import { AccountabilityWorkerModule } from '@app/accountability';
import { PrimarySourceCoreModule } from '@app/primary-source';
import { PROCESSORS } from './processors';

/** The worker process: queue processors (reverification, status lists, checkpoints). No HTTP. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        TelemetryModule.forProcess('worker'),
        LoggingModule,
        CommonModule,
        DbModule,
        ServerKeysModule,
        AccessChangesModule,
        AuditTrailModule,
        AuditWorkerModule,
        OutboxModule,
        LiveEmitterModule,
        TrustModule,
        CredentialsModule,
        IncidentsCoreModule,
        ReverificationCoreModule,
        JobWorkerModule,
        AccountabilityWorkerModule,
        PrimarySourceCoreModule,
      ],
      providers: [...PROCESSORS],
    };
  }
}
