import { ApiProperty } from '@nestjs/swagger';
import type { JobRunState } from '@app/jobs';
import type { ReverifyAccepted } from '../reverification.controller';

export class ReverifyAcceptedDto implements ReverifyAccepted {
  @ApiProperty({ format: 'uuid', description: 'Follow the run at GET /jobs/{jobId}' }) jobId!: string;
  @ApiProperty({ enum: ['queued', 'running', 'completed', 'failed'] }) state!: JobRunState;
  @ApiProperty({ description: 'False when a run for the same thing was already open: its id is returned' }) created!: boolean;
  @ApiProperty({ description: 'False while Redis is unavailable: the run starts when it is back' }) queued!: boolean;
}

/** The Location header of a 202: where to follow the run. */
export const JOB_LOCATION = { Location: { description: 'The run: /jobs/{jobId}', schema: { type: 'string' } } } as const;
