import { Module } from '@nestjs/common';
import { ServerKeysModule } from '@app/auth';
import { AuditTrailModule } from './audit-trail.module';
import { AuditCheckpointsService } from './checkpoints/audit-checkpoints.service';
import { CheckpointScheduler } from './checkpoints/checkpoint-scheduler';
import { AuditCheckpointsRepository } from './store/audit-checkpoints.repository';
import { AuditEntriesRepository } from './store/audit-entries.repository';

/** The worker side: the periodic checkpoint run (AUDIT_CHECKPOINT_INTERVAL_MS). */
@Module({
  imports: [ServerKeysModule, AuditTrailModule],
  providers: [AuditEntriesRepository, AuditCheckpointsRepository, AuditCheckpointsService, CheckpointScheduler],
  exports: [AuditCheckpointsService, CheckpointScheduler],
})
export class AuditWorkerModule {}
