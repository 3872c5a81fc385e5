import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, MaxLength, ValidateIf } from 'class-validator';
import type { OutOfServiceReason, ResourceStatus } from '@app/realtime';

export const RESOURCE_STATUSES: readonly ResourceStatus[] = ['assigned', 'available', 'out_of_service'];
export const OUT_OF_SERVICE_REASONS: readonly OutOfServiceReason[] = ['rest', 'personnel', 'credential', 'other'];

export class ChangeStatusDto {
  @ApiProperty({ enum: RESOURCE_STATUSES }) @IsIn(RESOURCE_STATUSES) status!: ResourceStatus;
  @ApiPropertyOptional({ enum: OUT_OF_SERVICE_REASONS, description: 'Required when out_of_service' })
  @ValidateIf((o: ChangeStatusDto) => o.status === 'out_of_service' || o.reason !== undefined)
  @IsIn(OUT_OF_SERVICE_REASONS)
  reason?: OutOfServiceReason;
  @ApiPropertyOptional({ example: 'Division A', description: 'Branch, division, group or staging area (ICS 204); required when assigned' })
  @ValidateIf((o: ChangeStatusDto) => o.status === 'assigned' || o.assignment !== undefined)
  @IsString()
  @Length(1, 120)
  assignment?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) note?: string;
}

export class CheckOutDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) note?: string;
}
