import { ApiProperty } from '@nestjs/swagger';
import type { JobRunKind, JobRunState } from '../../runs/job-run';
import type { JobView } from '../jobs.controller';

export class JobProgressDto {
  @ApiProperty({ type: 'integer' }) done!: number;
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100 }) percent!: number;
}

/** A background run (reverification of an incident, a sweep, a status list) as its requester sees it. */
export class JobDto implements JobView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['sweep', 'incident', 'status_list', 'sweep_shard'] }) kind!: JobRunKind;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) incidentId!: string | null;
  @ApiProperty({ enum: ['queued', 'running', 'completed', 'failed'] }) state!: JobRunState;
  @ApiProperty({ type: JobProgressDto }) progress!: JobProgressDto;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'When completed: what the run found' }) result!: Record<
    string,
    unknown
  > | null;
  @ApiProperty({ type: String, nullable: true, description: 'The latest failure (final when state is failed)' }) error!: string | null;
  @ApiProperty({ type: 'integer', description: 'Times a worker started (or resumed) the run' }) attempts!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: string | null;
}
