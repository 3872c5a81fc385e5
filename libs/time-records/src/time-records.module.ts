import { Module } from '@nestjs/common';
import { AuditTrailModule } from '@app/audit';
import { IncidentsCoreModule } from '@app/incidents';
import { TimeRecordsController } from './http/time-records.controller';
import { TimeRecordsRepository } from './time-records.repository';
import { TimeRecordsService } from './time-records.service';

/** Time records and the labour summary (api process). */
@Module({
  imports: [IncidentsCoreModule, AuditTrailModule],
  controllers: [TimeRecordsController],
  providers: [TimeRecordsService, TimeRecordsRepository],
})
export class TimeRecordsModule {}
