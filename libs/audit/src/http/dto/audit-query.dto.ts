import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';

/** Names one chain: `incidentId`, or `chainId` ("system" or "incident:<uuid>"). Exactly one. */
export class ChainQueryDto {
  @ApiPropertyOptional({ description: 'The incident whose chain to use' })
  @IsOptional()
  @IsUUID()
  incidentId?: string;

  @ApiPropertyOptional({ example: 'system', description: '"system" (admins only) or "incident:<uuid>"' })
  @IsOptional()
  @IsString()
  @MaxLength(80)
  chainId?: string;
}

export class VerifyQueryDto extends ChainQueryDto {
  @ApiPropertyOptional({ minimum: 1, description: 'First entry to check (default 1)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  fromSeq?: number;

  @ApiPropertyOptional({ minimum: 1, description: 'Last entry to check (default: the whole chain, including anything past its head)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  toSeq?: number;
}

export class EntriesQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() incidentId?: string;

  @ApiPropertyOptional({ description: 'Entries about this responder (payload.responderId, or target responder)' })
  @IsOptional()
  @IsUUID()
  responderId?: string;

  @ApiPropertyOptional({ description: 'Entries by this user' })
  @IsOptional()
  @IsUUID()
  actorId?: string;

  @ApiPropertyOptional({ example: 'checkin.*', description: 'Exact action, or a prefix ending in ".*"' })
  @IsOptional()
  @Matches(/^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$/, { message: 'action must look like checkin.admitted or checkin.*' })
  @MaxLength(100)
  action?: string;

  @ApiPropertyOptional({ description: 'From this instant (inclusive), ISO 8601' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Until this instant (exclusive), ISO 8601' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
