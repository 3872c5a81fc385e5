import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDateString,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { BASIS_KINDS } from '@app/practice-authority';
import { LOCATION_KINDS, type LocationKind } from '../incident';
import { IsTimeZone } from './time-zone';

const JURISDICTION = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;
const QUALIFICATION = /^[A-Z][A-Z0-9_]{0,31}$/;

export class LocationDto {
  @ApiProperty({ example: 'Staging Area 1' }) @IsString() @Length(1, 120) name!: string;
  @ApiProperty({ enum: LOCATION_KINDS }) @IsIn(LOCATION_KINDS) kind!: LocationKind;
}

export class PositionDto {
  @ApiProperty({ example: 'Triage Nurse' }) @IsString() @Length(1, 120) name!: string;
  @ApiProperty({ example: ['RN'], description: 'A responder qualifies by holding at least one of these' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @Matches(QUALIFICATION, { each: true })
  requiredQualifications!: string[];

  @ApiPropertyOptional({
    enum: BASIS_KINDS,
    isArray: true,
    example: ['home_state_licence', 'emac_mission'],
    description: 'Bases to practise the position accepts (docs/practice-authority.md); absent or empty: any',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(7)
  @IsIn(BASIS_KINDS, { each: true })
  requiredBasis?: string[];

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 4, description: 'ESAR-VHP level at or better than this (1 is the highest)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(4)
  requiredLevel?: number;
}

export class OperationalPeriodDto {
  @ApiProperty({ example: 'OP 1 (day)' }) @IsString() @Length(1, 80) label!: string;
  @ApiProperty() @IsDateString() startsAt!: string;
  @ApiProperty() @IsDateString() endsAt!: string;
}

const OFFLINE_LIMIT =
  "Offline stations: a status list in the incident pack older than this many hours leaves the credential's status unconfirmed (statusUnavailablePolicy then admits with a warning or denies)";

export class CreateIncidentDto {
  @ApiProperty({ example: 'Surfside Building Collapse' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ example: 'FL-2026-0612' }) @IsString() @Length(1, 60) number!: string;
  @ApiProperty({ example: 'Structural collapse' }) @IsString() @Length(1, 100) type!: string;
  @ApiProperty({ example: 'US-FL' }) @Matches(JURISDICTION) jurisdiction!: string;
  @ApiPropertyOptional({ example: ['US-GA'], description: 'EMAC: other states whose licensing boards are accepted here' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(60)
  @Matches(JURISDICTION, { each: true })
  mutualAidJurisdictions?: string[];
  @ApiPropertyOptional({ enum: ['admit_with_warning', 'deny'], default: 'admit_with_warning' })
  @IsOptional()
  @IsIn(['admit_with_warning', 'deny'])
  statusUnavailablePolicy?: 'admit_with_warning' | 'deny';
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 168, default: 24, description: OFFLINE_LIMIT })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(168)
  offlineStatusMaxAgeHours?: number;
  @ApiPropertyOptional({ example: 'America/New_York', default: 'UTC', description: 'IANA time zone; reports split hours at midnight in it' })
  @IsOptional()
  @IsTimeZone()
  timeZone?: string;
  @ApiPropertyOptional({ type: [LocationDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => LocationDto)
  locations?: LocationDto[];
  @ApiPropertyOptional({ type: [PositionDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => PositionDto)
  positions?: PositionDto[];
  @ApiPropertyOptional({ type: [OperationalPeriodDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => OperationalPeriodDto)
  operationalPeriods?: OperationalPeriodDto[];
}

/** Changes to an incident; lists here are added to what exists. */
export class UpdateIncidentDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 100) type?: string;
  @ApiPropertyOptional() @IsOptional() @IsArray() @ArrayMaxSize(60) @Matches(JURISDICTION, { each: true }) mutualAidJurisdictions?: string[];
  @ApiPropertyOptional({ enum: ['admit_with_warning', 'deny'] }) @IsOptional() @IsIn(['admit_with_warning', 'deny']) statusUnavailablePolicy?:
    'admit_with_warning' | 'deny';
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 168, description: OFFLINE_LIMIT })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(168)
  offlineStatusMaxAgeHours?: number;
  @ApiPropertyOptional({ example: 'America/New_York', description: 'IANA time zone' }) @IsOptional() @IsTimeZone() timeZone?: string;
  @ApiPropertyOptional({ type: [LocationDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => LocationDto)
  addLocations?: LocationDto[];
  @ApiPropertyOptional({ type: [PositionDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => PositionDto)
  addPositions?: PositionDto[];
  @ApiPropertyOptional({ type: [OperationalPeriodDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => OperationalPeriodDto)
  addOperationalPeriods?: OperationalPeriodDto[];
}

export class AssignStaffDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() userId!: string;
}

export interface IncidentView {
  id: string;
  name: string;
  number: string;
  type: string;
  jurisdiction: string;
  mutualAidJurisdictions: string[];
  statusUnavailablePolicy: 'admit_with_warning' | 'deny';
  offlineStatusMaxAgeHours: number;
  timeZone: string;
  state: 'active' | 'closed';
  locations: Array<{ id: string; name: string; kind: LocationKind }>;
  positions: Array<{ id: string; name: string; requiredQualifications: string[]; requiredBasis: string[]; requiredLevel: number | null }>;
  operationalPeriods: Array<{ id: string; label: string; startsAt: string; endsAt: string }>;
  createdAt: string;
  closedAt: string | null;
}

export class IncidentLocationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Staging Area 1' }) name!: string;
  @ApiProperty({ enum: LOCATION_KINDS }) kind!: LocationKind;
}

export class IncidentPositionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Triage Nurse' }) name!: string;
  @ApiProperty({ type: [String], example: ['RN'], description: 'A responder qualifies by holding at least one of these' })
  requiredQualifications!: string[];
  @ApiProperty({ type: [String], description: 'Bases to practise the position accepts; empty: any' }) requiredBasis!: string[];
  @ApiProperty({ type: 'integer', nullable: true, description: 'ESAR-VHP level at or better than this; null: any' }) requiredLevel!: number | null;
}

export class IncidentOperationalPeriodDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'OP 1 (day)' }) label!: string;
  @ApiProperty({ format: 'date-time' }) startsAt!: string;
  @ApiProperty({ format: 'date-time' }) endsAt!: string;
}

export class IncidentDto implements IncidentView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Surfside Building Collapse' }) name!: string;
  @ApiProperty({ example: 'FL-2026-0612' }) number!: string;
  @ApiProperty({ example: 'Structural collapse' }) type!: string;
  @ApiProperty({ example: 'US-FL' }) jurisdiction!: string;
  @ApiProperty({ type: [String], example: ['US-GA'], description: 'EMAC: other states whose licensing boards are accepted here' })
  mutualAidJurisdictions!: string[];
  @ApiProperty({ enum: ['admit_with_warning', 'deny'] }) statusUnavailablePolicy!: 'admit_with_warning' | 'deny';
  @ApiProperty({ type: 'integer', example: 24, description: OFFLINE_LIMIT }) offlineStatusMaxAgeHours!: number;
  @ApiProperty({ example: 'America/New_York' }) timeZone!: string;
  @ApiProperty({ enum: ['active', 'closed'] }) state!: 'active' | 'closed';
  @ApiProperty({ type: [IncidentLocationDto] }) locations!: IncidentLocationDto[];
  @ApiProperty({ type: [IncidentPositionDto] }) positions!: IncidentPositionDto[];
  @ApiProperty({ type: [IncidentOperationalPeriodDto] }) operationalPeriods!: IncidentOperationalPeriodDto[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt!: string | null;
}

/** A commander, supervisor or check-in staff member assigned to an incident. */
export class StaffMemberDto {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty() email!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: ['commander', 'checkin', 'supervisor'] }) role!: string;
  @ApiProperty({ format: 'date-time' }) assignedAt!: string;
}
