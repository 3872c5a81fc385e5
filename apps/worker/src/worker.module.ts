import { DynamicModule, Module } from '@nestjs/common';
import { TokensModule } from '@app/auth';
import { CommonModule, LoggingModule } from '@app/common';
import { AppConfig, ConfigModule } from '@app/config';
import { DbModule } from '@app/db';
import { AuditTrailModule } from '@app/audit';
import { OutboxModule } from '@app/realtime';

/** The worker process: queue processors (reverification, status lists, checkpoints). No HTTP. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [ConfigModule.forRoot(config), LoggingModule, CommonModule, DbModule, TokensModule, AuditTrailModule, OutboxModule],
    };
  }
}
