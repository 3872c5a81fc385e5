import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import type { ParReason } from '@app/realtime';
import { PAR_REASONS } from '../../par/par';
import type { LimitKind, LimitLevel } from '../../limits/work-limits';
import type { ActivityPriority, ActivitySubjectKind } from '../../activity/activity-log.repository';
import type { MissingPersonView, ParMemberView, ParView, ParWithMembersView } from '../par.view';

export class StartParDto {
  @ApiProperty({ enum: PAR_REASONS }) @IsIn(PAR_REASONS) reason!: ParReason;
  @ApiPropertyOptional({ example: 'Division A', description: 'One assignment (division, group); absent: the whole incident' })
  @IsOptional()
  @IsString()
  @Length(1, 120)
  assignment?: string;
  @ApiPropertyOptional({ description: 'Required when the reason is other' })
  @ValidateIf((o: StartParDto) => o.reason === 'other' || o.note !== undefined)
  @IsString()
  @Length(1, 500)
  note?: string;
}

export class MarkMembersDto {
  @ApiProperty({ type: [String], format: 'uuid', description: 'Deployments on the PAR’s expected list (at most 500 per request)' })
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  deploymentIds!: string[];
  @ApiPropertyOptional({ enum: ['board', 'scan'], default: 'board', description: 'scan: a badge scan at a station' })
  @IsOptional()
  @IsIn(['board', 'scan'])
  via?: 'board' | 'scan';
}

export class ParScanDto {
  @ApiProperty({ description: 'What the badge scan yielded, as for a check-in (docs/verification.md, "Formats")', maxLength: 65536 })
  @IsString()
  @Length(1, 65536)
  credential!: string;
}

export class MarkMissingDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() deploymentId!: string;
}

export class ListParsQueryDto {
  @ApiPropertyOptional({ enum: ['running', 'completed'] }) @IsOptional() @IsIn(['running', 'completed']) state?: 'running' | 'completed';
}

export class SnoozeTimerDto {
  @ApiProperty({ minimum: 1, maximum: 60 }) @IsInt() @Min(1) @Max(60) minutes!: number;
  @ApiProperty({ description: 'Why the roll call is put off (kept in the audit trail)' }) @IsString() @Length(3, 500) reason!: string;
}

export class ParCountsDto {
  @ApiProperty() expected!: number;
  @ApiProperty() accounted!: number;
  @ApiProperty() missing!: number;
  @ApiProperty() unaccounted!: number;
}

export class ParDto implements ParView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) incidentId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Null: the whole incident' }) assignment!: string | null;
  @ApiProperty({ enum: PAR_REASONS }) reason!: ParReason;
  @ApiProperty({ type: String, nullable: true }) note!: string | null;
  @ApiProperty({ description: 'Role of who started it' }) startedBy!: string;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ format: 'date-time' }) deadlineAt!: string;
  @ApiProperty({ enum: ['running', 'completed'] }) state!: 'running' | 'completed';
  @ApiProperty({ description: 'True once the deadline passed with people unaccounted' }) overdue!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completedAt!: string | null;
  @ApiProperty({ type: ParCountsDto }) counts!: ParCountsDto;
}

export class ParMemberDto implements ParMemberView {
  @ApiProperty({ format: 'uuid' }) deploymentId!: string;
  @ApiProperty({ format: 'uuid' }) responderId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) assignment!: string | null;
  @ApiProperty({ enum: ['unaccounted', 'accounted', 'missing'] }) state!: 'unaccounted' | 'accounted' | 'missing';
  @ApiProperty({ type: String, enum: ['board', 'scan'], nullable: true }) via!: 'board' | 'scan' | null;
  @ApiProperty({ type: String, nullable: true, description: 'Role of who marked them' }) markedBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) markedAt!: string | null;
}

export class MissingPersonDto implements MissingPersonView {
  @ApiProperty({ format: 'uuid' }) deploymentId!: string;
  @ApiProperty({ format: 'uuid' }) responderId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) assignment!: string | null;
  @ApiProperty({ format: 'uuid', description: 'The roll call that marked them missing' }) parId!: string;
  @ApiProperty({ description: 'Role of who marked them missing' }) markedBy!: string;
  @ApiProperty({ format: 'date-time' }) markedAt!: string;
}

export class ParWithMembersDto implements ParWithMembersView {
  @ApiProperty({ type: ParDto }) par!: ParDto;
  @ApiProperty({ type: [ParMemberDto] }) members!: ParMemberDto[];
}

export class UpdateAccountabilitySettingsDto {
  @ApiPropertyOptional({ minimum: 30, maximum: 3600, description: 'Time to account for everyone in a PAR (default 300)' })
  @IsOptional()
  @IsInt()
  @Min(30)
  @Max(3600)
  parResponseSeconds?: number;
  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 5, maximum: 240, description: 'PAR reminder interval (20 to 30 usual); null: off' })
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @IsInt()
  @Min(5)
  @Max(240)
  parTimerMinutes?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, maximum: 90, description: 'Maximum consecutive days on incident (e.g. 14)' })
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @IsInt()
  @Min(1)
  @Max(90)
  maxDaysOnIncident?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, maximum: 48, description: 'Maximum hours per operational period (e.g. 16)' })
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @IsInt()
  @Min(1)
  @Max(48)
  maxHoursPerPeriod?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, maximum: 48, description: 'Minimum rest between periods, in hours (e.g. 8)' })
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @IsInt()
  @Min(1)
  @Max(48)
  minRestHours?: number | null;
  @ApiPropertyOptional({ description: 'Check-out becomes a release process (ICS 221)' }) @IsOptional() @IsBoolean() demobRequired?: boolean;
  @ApiPropertyOptional({ type: [String], example: ['supply', 'communications', 'documentation', 'medical'], description: 'Units that sign off before release' })
  @IsOptional()
  @ArrayMaxSize(12)
  @IsString({ each: true })
  @Length(1, 60, { each: true })
  demobSignoffs?: string[];
}

export class AccountabilitySettingsDto {
  @ApiProperty() parResponseSeconds!: number;
  @ApiProperty({ type: Number, nullable: true }) parTimerMinutes!: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) parTimerDueAt!: string | null;
  @ApiProperty({ type: Number, nullable: true }) maxDaysOnIncident!: number | null;
  @ApiProperty({ type: Number, nullable: true }) maxHoursPerPeriod!: number | null;
  @ApiProperty({ type: Number, nullable: true }) minRestHours!: number | null;
  @ApiProperty() demobRequired!: boolean;
  @ApiProperty({ type: [String] }) demobSignoffs!: string[];
}

export class AssignSupervisorDto {
  @ApiProperty({ type: [String], example: ['Division A'], description: 'The assignments this supervisor answers for (replaces the previous list)' })
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(120, { each: true })
  assignments!: string[];
}

export class SupervisorDto {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ type: [String] }) assignments!: string[];
}

export class WorkLimitDto {
  @ApiProperty({ format: 'uuid' }) deploymentId!: string;
  @ApiProperty({ format: 'uuid' }) responderId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['days_on_incident', 'hours_in_period', 'rest_between_periods'] }) limit!: LimitKind;
  @ApiProperty({ enum: ['approaching', 'breached'], description: 'approaching: amber; breached: red (rest: still in mandatory rest)' }) level!: LimitLevel;
  @ApiProperty({ description: 'Days on incident, hours in the period, or hours rested' }) value!: number;
  @ApiProperty() max!: number;
}

export const ACTIVITY_SUBJECTS = ['incident', 'unit', 'assignment', 'person'] as const;
export const ACTIVITY_PRIORITIES = ['routine', 'important', 'urgent'] as const;

export class WriteActivityDto {
  @ApiProperty({ enum: ACTIVITY_SUBJECTS }) @IsIn(ACTIVITY_SUBJECTS) subjectKind!: ActivitySubjectKind;
  @ApiPropertyOptional({ example: 'Task Force 2', description: 'The unit or assignment (required for those)' })
  @IsOptional()
  @IsString()
  @Length(1, 120)
  subject?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The person (required when subjectKind is person)' }) @IsOptional() @IsUUID() deploymentId?: string;
  @ApiProperty({ example: 'Searched void spaces in sector B; no victims found.' }) @IsString() @Length(1, 2000) text!: string;
  @ApiPropertyOptional({ enum: ACTIVITY_PRIORITIES, default: 'routine' }) @IsOptional() @IsIn(ACTIVITY_PRIORITIES) priority?: ActivityPriority;
  @ApiPropertyOptional({ format: 'date-time', description: 'When it happened (default: now)' }) @IsOptional() @IsISO8601({ strict: true }) occurredAt?: string;
}

export class ActivityQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'One operational period; absent: the whole incident' }) @IsOptional() @IsUUID() periodId?: string;
}

export class ActivityItemDto {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ enum: ACTIVITY_SUBJECTS }) subjectKind!: ActivitySubjectKind;
  @ApiProperty({ type: String, nullable: true }) subject!: string | null;
  @ApiProperty() text!: string;
  @ApiProperty({ enum: ACTIVITY_PRIORITIES }) priority!: ActivityPriority;
  @ApiProperty({ description: 'Role of who wrote it, or system' }) author!: string;
  @ApiProperty({ description: 'Made from the audit trail (check-in, status, flags, limits, PARs)' }) automatic!: boolean;
}

export class ActivityIncidentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() number!: string;
}

export class ActivityPeriodDto {
  @ApiProperty() label!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) from!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) to!: string | null;
}

export class ActivityLogDto {
  @ApiProperty({ type: ActivityIncidentDto }) incident!: ActivityIncidentDto;
  @ApiProperty({ type: ActivityPeriodDto }) period!: ActivityPeriodDto;
  @ApiProperty({ type: [ActivityItemDto] }) items!: ActivityItemDto[];
}

export class SignOffDto {
  @ApiProperty({ example: 'supply', description: 'One of the incident’s demobSignoffs' }) @IsString() @Length(1, 60) unit!: string;
  @ApiPropertyOptional({ example: 'Radio and PPE returned' }) @IsOptional() @IsString() @MaxLength(500) note?: string;
}

export class TravelDto {
  @ApiProperty({ example: 'POV', description: 'Method of travel home' }) @IsString() @Length(1, 60) method!: string;
  @ApiProperty({ format: 'date-time', description: 'Estimated arrival home' }) @IsISO8601({ strict: true }) etaHome!: string;
}

export class DemobSignoffDto {
  @ApiProperty() unit!: string;
  @ApiProperty() signed!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'Role of who signed' }) signedBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) signedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) note!: string | null;
}

export class DemobTravelDto {
  @ApiProperty() method!: string;
  @ApiProperty({ format: 'date-time' }) etaHome!: string;
}

export class DemobDto {
  @ApiProperty({ format: 'uuid' }) deploymentId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'The incident makes check-out a release process' }) required!: boolean;
  @ApiProperty({ type: [DemobSignoffDto] }) signoffs!: DemobSignoffDto[];
  @ApiProperty({ type: DemobTravelDto, nullable: true }) travel!: DemobTravelDto | null;
  @ApiProperty({ description: 'Every sign-off and the travel information are in' }) ready!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) checkedOutAt!: string | null;
}

export class ParScanMemberDto {
  @ApiProperty({ format: 'uuid' }) deploymentId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) assignment!: string | null;
}

export class ParScanResultDto {
  @ApiProperty({ type: ParDto }) par!: ParDto;
  @ApiProperty({ type: ParScanMemberDto, description: 'Who the badge accounted for' }) member!: ParScanMemberDto;
}
