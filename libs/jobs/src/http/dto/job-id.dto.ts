import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

/**
 * A job id in the path. Runs are listed by UUID, but an id that is none (a queue's own job id) is a 404, not a 400,
 * so the check is only that it is a short token.
 */
export class JobIdParamsDto {
  @ApiProperty({ format: 'uuid', description: 'The jobId a 202 answered with' })
  @Matches(/^[A-Za-z0-9_:-]{1,200}$/, { message: 'id must be a job id' })
  id!: string;
}
