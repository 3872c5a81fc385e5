import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import type { BreakRule, Employment, Rate } from '../domain';

const EMPLOYMENTS: readonly Employment[] = ['employee', 'budgeted', 'volunteer'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class BreakRuleDto implements BreakRule {
  @ApiProperty({ enum: ['meal', 'rest'] }) @IsIn(['meal', 'rest']) kind!: 'meal' | 'rest';
  @ApiProperty({ example: 360, description: 'The break applies when a day has more on-duty minutes than this' })
  @IsInt()
  @Min(0)
  @Max(1440)
  afterMinutes!: number;
  @ApiProperty({ example: 30 }) @IsInt() @Min(1) @Max(240) minutes!: number;
  @ApiProperty({ description: 'Paid breaks are not taken off the worked time' }) @IsBoolean() paid!: boolean;
}

export class RateDto implements Rate {
  @ApiProperty({ type: String, nullable: true, description: 'Position name; null: any other position' })
  @ValidateIf((o: RateDto) => o.position !== null)
  @IsString()
  @Length(1, 120)
  position!: string | null;
  @ApiProperty({ example: 4000 }) @IsInt() @Min(0) @Max(10_000_000) regularCentsPerHour!: number;
  @ApiProperty({ example: 6000 }) @IsInt() @Min(0) @Max(10_000_000) overtimeCentsPerHour!: number;
}

/** An agency's overtime limits, breaks and rates at this incident. */
export class AgencyRulesDto {
  @ApiProperty({ example: 'State Fire', description: 'As recorded in ICS 211 block 5' }) @IsString() @Length(1, 120) agency!: string;
  @ApiProperty({ type: Number, nullable: true, example: 480, description: 'Minutes a day beyond which time is overtime; null: none' })
  @ValidateIf((o: AgencyRulesDto) => o.dailyRegularMinutes !== null)
  @IsInt()
  @Min(1)
  @Max(1440)
  dailyRegularMinutes!: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 2400, description: 'Regular minutes a week beyond which time is overtime; null: none' })
  @ValidateIf((o: AgencyRulesDto) => o.weeklyRegularMinutes !== null)
  @IsInt()
  @Min(1)
  @Max(10080)
  weeklyRegularMinutes!: number | null;
  @ApiProperty({ example: 0, description: '0 = Sunday ... 6 = Saturday' }) @IsInt() @Min(0) @Max(6) weekStartsOn!: number;
  @ApiProperty({ type: [BreakRuleDto] }) @IsArray() @ArrayMaxSize(10) @ValidateNested({ each: true }) @Type(() => BreakRuleDto) breaks!: BreakRuleDto[];
  @ApiProperty({ type: [RateDto] }) @IsArray() @ArrayMaxSize(200) @ValidateNested({ each: true }) @Type(() => RateDto) rates!: RateDto[];
  @ApiProperty({ type: Number, nullable: true, example: 3180, description: 'Value of a donated volunteer hour in cents; null: none' })
  @ValidateIf((o: AgencyRulesDto) => o.volunteerCentsPerHour !== null)
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  volunteerCentsPerHour!: number | null;
}

export class EmploymentDto {
  @ApiProperty({ enum: EMPLOYMENTS, description: 'budgeted: only overtime is claimed; volunteer: hours are donated' })
  @IsIn(EMPLOYMENTS)
  employment!: Employment;
}

export class EmploymentResultDto {
  @ApiProperty({ format: 'uuid' }) responderId!: string;
  @ApiProperty({ enum: EMPLOYMENTS }) employment!: Employment;
}

export class OnDutyIntervalDto {
  @ApiProperty({ example: '2026-06-01T08:00:00-04:00' }) @IsISO8601({ strict: true }) start!: string;
  @ApiProperty({ example: '2026-06-01T17:30:00-04:00' }) @IsISO8601({ strict: true }) end!: string;
}

export class CreateCorrectionDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() responderId!: string;
  @ApiProperty({ example: 'State Fire' }) @IsString() @Length(1, 120) agency!: string;
  @ApiProperty({ example: '2026-06-01', description: "Local date in the incident's time zone" }) @Matches(DATE) date!: string;
  @ApiProperty({ type: [OnDutyIntervalDto], description: 'The on-duty time of that day, replacing what was derived or corrected before' })
  @IsArray()
  @ArrayMaxSize(48)
  @ValidateNested({ each: true })
  @Type(() => OnDutyIntervalDto)
  onDuty!: OnDutyIntervalDto[];
  @ApiProperty({ example: 'Check-out scanned an hour late' }) @IsString() @Length(3, 500) reason!: string;
}

export class CorrectionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) responderId!: string;
  @ApiProperty() agency!: string;
  @ApiProperty({ example: '2026-06-01' }) date!: string;
  @ApiProperty({ type: [OnDutyIntervalDto] }) onDuty!: OnDutyIntervalDto[];
  @ApiProperty() reason!: string;
  @ApiProperty({ format: 'uuid' }) authorId!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) approverId!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) approvedAt!: string | null;
}

export class ApproveDayDto {
  @ApiProperty({ example: 'State Fire' }) @IsString() @Length(1, 120) agency!: string;
  @ApiProperty({ example: '2026-06-01' }) @Matches(DATE) date!: string;
}

export class ApprovePeriodDto {
  @ApiProperty({ example: 'State Fire' }) @IsString() @Length(1, 120) agency!: string;
  @ApiProperty({ format: 'uuid', description: "One of the incident's operational periods." }) @IsUUID() periodId!: string;
}

export class PeriodApprovalDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() agency!: string;
  @ApiProperty({ format: 'uuid' }) periodId!: string;
  @ApiProperty({ format: 'date-time', description: 'The period as approved.' }) startsAt!: string;
  @ApiProperty({ format: 'date-time' }) endsAt!: string;
  @ApiProperty({ format: 'uuid' }) approvedBy!: string;
  @ApiProperty({ format: 'date-time' }) approvedAt!: string;
}

export class DayApprovalDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() agency!: string;
  @ApiProperty() date!: string;
  @ApiProperty({ format: 'uuid' }) approvedBy!: string;
  @ApiProperty({ format: 'date-time' }) approvedAt!: string;
}

export class LabourSummaryQueryDto {
  @ApiPropertyOptional({ description: 'Only this agency' }) @IsOptional() @IsString() @Length(1, 120) agency?: string;
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: refuse while a corrected day waits for re-approval (for certification)' })
  @IsOptional()
  @IsIn(['true', 'false'])
  settled?: 'true' | 'false';
}

export class AgencyQueryDto {
  @ApiProperty({ example: 'State Fire', description: 'The agency whose package this is' }) @IsString() @Length(1, 120) agency!: string;
}

export class MissionReferenceDto {
  @ApiProperty({ example: 'State Fire' }) @IsString() @Length(1, 120) agency!: string;
  @ApiProperty({ example: 'EMAC FL-2026-0142', description: 'The mission, mission assignment or order the agency is reimbursed under' })
  @IsString()
  @Length(1, 200)
  reference!: string;
}

export class CertifyDto {
  @ApiProperty({ example: 'State Fire' }) @IsString() @Length(1, 120) agency!: string;
}

export class CertificationDto {
  @ApiProperty() statement!: string;
  @ApiProperty({ format: 'uuid' }) certifiedBy!: string;
  @ApiProperty() certifierName!: string;
  @ApiProperty({ format: 'date-time' }) certifiedAt!: string;
  @ApiProperty({ description: 'The claim certified, in cents' }) claimCents!: number;
  @ApiProperty({ description: 'The donated value certified, in cents' }) donatedCents!: number;
}

export class CredentialEvidenceDto {
  @ApiProperty({ type: String, nullable: true }) qualification!: string | null;
  @ApiProperty({ type: String, nullable: true }) issuer!: string | null;
  @ApiProperty({ format: 'date-time', description: 'When check-in verified the credential' }) verifiedAt!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The basis to practise decided at check-in' }) legalBasis!: string | null;
}

export class PackageRowDto {
  @ApiProperty() agency!: string;
  @ApiProperty({ format: 'uuid' }) responderId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) position!: string | null;
  @ApiProperty({ enum: EMPLOYMENTS }) employment!: Employment;
  @ApiProperty({ example: '2026-06-01' }) date!: string;
  @ApiProperty() onDutyMinutes!: number;
  @ApiProperty({ description: 'Travel to or from the incident that day (ICS 211 departure to check-in, check-out to the ICS 221 ETA home)' })
  travelMinutes!: number;
  @ApiProperty() unpaidBreakMinutes!: number;
  @ApiProperty() regularMinutes!: number;
  @ApiProperty() overtimeMinutes!: number;
  @ApiProperty() claimedRegularMinutes!: number;
  @ApiProperty() claimedOvertimeMinutes!: number;
  @ApiProperty({ type: Number, nullable: true }) regularCentsPerHour!: number | null;
  @ApiProperty({ type: Number, nullable: true }) overtimeCentsPerHour!: number | null;
  @ApiProperty() claimCents!: number;
  @ApiProperty() donatedMinutes!: number;
  @ApiProperty() donatedCents!: number;
  @ApiProperty({ enum: ['open', 'approved', 'reapproval_required'] }) status!: 'open' | 'approved' | 'reapproval_required';
  @ApiProperty({ type: String, nullable: true }) approvedBy!: string | null;
  @ApiProperty({ type: String, nullable: true }) correctionId!: string | null;
  @ApiProperty({ type: [String] }) pendingCorrectionIds!: string[];
  @ApiProperty({ description: "The day's ICS 214 entries about the person" }) workDescription!: string;
  @ApiProperty({ type: CredentialEvidenceDto, nullable: true }) evidence!: CredentialEvidenceDto | null;
}

export class AgencyTotalsDto {
  @ApiProperty() agency!: string;
  @ApiProperty() travelMinutes!: number;
  @ApiProperty() regularMinutes!: number;
  @ApiProperty() overtimeMinutes!: number;
  @ApiProperty() claimCents!: number;
  @ApiProperty() donatedMinutes!: number;
  @ApiProperty() donatedCents!: number;
}

export class DonatedHoursDto {
  @ApiProperty({ format: 'uuid' }) responderId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) position!: string | null;
  @ApiProperty() days!: number;
  @ApiProperty() donatedMinutes!: number;
  @ApiProperty() donatedCents!: number;
}

export class PackageIncidentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() number!: string;
}

export class TimePackageDto {
  @ApiProperty({ type: PackageIncidentDto }) incident!: PackageIncidentDto;
  @ApiProperty() agency!: string;
  @ApiProperty({ type: String, nullable: true }) missionReference!: string | null;
  @ApiProperty({ type: CertificationDto, nullable: true }) certification!: CertificationDto | null;
  @ApiProperty({ type: [PackageRowDto] }) rows!: PackageRowDto[];
  @ApiProperty({ type: AgencyTotalsDto }) totals!: AgencyTotalsDto;
  @ApiProperty({ type: [DonatedHoursDto] }) volunteers!: DonatedHoursDto[];
}
