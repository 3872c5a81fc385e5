import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthModule } from '@app/auth';
import { CommonModule, LoggingModule, ProblemDetailsFilter } from '@app/common';
import { AppConfig, ConfigModule } from '@app/config';
import { DbModule } from '@app/db';
import { TelemetryModule } from '@app/telemetry';
import { AuditApiModule, AuditTrailModule } from '@app/audit';
import { LiveBoardModule, OutboxModule } from '@app/realtime';
import { IncidentsModule } from '@app/incidents';
import { CredentialsHttpModule } from '@app/credentials';
import { TrustHttpModule, TrustModule } from '@app/trust';
import { ReverificationModule } from '@app/reverification';
import { OfflineModule } from '@app/offline';
import { TimeRecordsModule } from '@app/time-records';
import { PracticeAuthorityHttpModule } from '@app/practice-authority';
import { AccountabilityModule } from '@app/accountability';
import { DeploymentRecordsModule } from '@app/deployment-records';
import { PrimarySourceModule } from '@app/primary-source';
import { HealthController } from './health/health.controller';

/** The api process: HTTP API, live gateway and web app. Feature modules are listed here. */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        TelemetryModule.forProcess('api'),
        LoggingModule,
        CommonModule,
        DbModule,
        AuthModule,
        AuditTrailModule,
        AuditApiModule,
        OutboxModule,
        LiveBoardModule,
        IncidentsModule,
        TrustModule,
        TrustHttpModule,
        CredentialsHttpModule,
        ReverificationModule,
        OfflineModule,
        TimeRecordsModule,
        PracticeAuthorityHttpModule,
        AccountabilityModule,
        DeploymentRecordsModule,
        PrimarySourceModule,
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
    };
  }
}
