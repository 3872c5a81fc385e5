import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import type { ResourceStatus } from '@app/realtime';

const STATUSES: ResourceStatus[] = ['assigned', 'available', 'out_of_service'];

/** GET /incidents/:incidentId/roster: every filter given narrows the entries (the counts stay over all). */
export class RosterQueryDto {
  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: ResourceStatus;

  @ApiPropertyOptional({ description: 'An assignment name, or "unassigned".', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  assignment?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  positionId?: string;

  @ApiPropertyOptional({ description: 'A qualification code, for example RN or PARAMEDIC.', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  qualification?: string;

  @ApiPropertyOptional({ enum: ['1', '2', '3', '4', 'none'], description: 'An ESAR-VHP level, or "none".' })
  @IsOptional()
  @IsIn(['1', '2', '3', '4', 'none'])
  level?: string;
}
