import { ApiProperty, ApiPropertyOptional, getSchemaPath, type ResponseObject } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { DeploymentReport, DeploymentReportRow, ReportedPracticeAuthority } from '../deployment-report';

export class ReportIncidentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() number!: string;
  @ApiProperty({ example: 'US-FL' }) jurisdiction!: string;
  @ApiProperty({ example: 'America/New_York' }) timeZone!: string;
}

export class ReportResponderDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
}

export class ReportIssuerDto {
  @ApiProperty({ type: String, nullable: true }) id!: string | null;
  @ApiProperty({ type: String, nullable: true }) name!: string | null;
}

export class VerificationAtCheckInDto {
  @ApiProperty({ enum: ['online at check-in'] }) method!: 'online at check-in';
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty() verified!: boolean;
  @ApiProperty({ example: 'verified', description: '"verified", or the checks that did not pass' }) result!: string;
}

export class ReverificationSummaryDto {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ example: 'incident' }) kind!: string;
  @ApiProperty() verified!: boolean;
  @ApiProperty() result!: string;
}

export class ReportVerificationDto {
  @ApiProperty({ type: VerificationAtCheckInDto, nullable: true }) atCheckIn!: VerificationAtCheckInDto | null;
  @ApiProperty({ type: [ReverificationSummaryDto] }) reverifications!: ReverificationSummaryDto[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastReverifiedAt!: string | null;
}

export class HoursOnDateDto {
  @ApiProperty({ format: 'date', description: "A day in the incident's time zone" }) date!: string;
  @ApiProperty() hours!: number;
}

export class ReportedPracticeAuthorityDto implements ReportedPracticeAuthority {
  @ApiProperty({ type: String, nullable: true, example: 'multistate RN licence (NLC, home state TX).' }) basis!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'compact' }) kind!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'NLC', description: 'The mission, order or compact' }) ruleId!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) until!: string | null;
  @ApiProperty({ type: [String] }) conditions!: string[];
  @ApiProperty({ type: 'integer', nullable: true, description: 'ESAR-VHP level' }) level!: number | null;
  @ApiProperty() levelRule!: string;
  @ApiProperty({ type: 'integer', description: 'The practice-rules version decided with' }) ruleSetVersion!: number;
}

export class DeploymentReportRowDto implements DeploymentReportRow {
  @ApiProperty({ format: 'uuid' }) deploymentId!: string;
  @ApiProperty({ type: ReportIncidentDto }) incident!: ReportIncidentDto;
  @ApiProperty({ type: ReportResponderDto }) responder!: ReportResponderDto;
  @ApiProperty({ type: String, nullable: true }) agency!: string | null;
  @ApiProperty({ type: String, nullable: true }) homeUnit!: string | null;
  @ApiProperty({ type: String, nullable: true }) position!: string | null;
  @ApiProperty({ type: String, nullable: true }) assignment!: string | null;
  @ApiProperty({ type: String, nullable: true }) qualification!: string | null;
  @ApiProperty({ type: String, nullable: true }) licenseNumber!: string | null;
  @ApiProperty({ type: ReportIssuerDto }) issuer!: ReportIssuerDto;
  @ApiProperty({ type: ReportVerificationDto }) verification!: ReportVerificationDto;
  @ApiProperty({ example: 'admitted' }) decision!: string;
  @ApiProperty({ type: [String] }) decisionReasons!: string[];
  @ApiProperty({ type: ReportedPracticeAuthorityDto, nullable: true, description: 'The legal basis to practise and the ESAR-VHP level' })
  practiceAuthority!: ReportedPracticeAuthorityDto | null;
  @ApiProperty({ example: 'available' }) status!: string;
  @ApiProperty({ format: 'date-time' }) checkedInAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) checkedOutAt!: string | null;
  @ApiProperty({ description: 'Still on scene when the report was made: hours run to reportedAt' }) open!: boolean;
  @ApiProperty() hoursOnScene!: number;
  @ApiProperty({ type: [HoursOnDateDto], description: "Split at midnight in the incident's time zone" }) hoursByDay!: HoursOnDateDto[];
}

export class ResponderDayHoursDto {
  @ApiProperty({ format: 'uuid' }) responderId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'date' }) date!: string;
  @ApiProperty() hours!: number;
}

export class DeploymentReportDto implements DeploymentReport {
  @ApiProperty({ format: 'date-time' }) reportedAt!: string;
  @ApiProperty({ type: [DeploymentReportRowDto] }) deployments!: DeploymentReportRowDto[];
  @ApiProperty({ type: [ResponderDayHoursDto], description: 'Total hours per responder per local day' }) hoursByResponderDay!: ResponderDayHoursDto[];
}

/** One responder's report: the responder, then every deployment of theirs the caller may see. */
export class ResponderReportDto extends DeploymentReportDto {
  @ApiProperty({ type: ReportResponderDto }) responder!: ReportResponderDto;
}

/** A report route's 200: the report as JSON, or as CSV (?format=csv). */
export const reportContent = (dto: typeof DeploymentReportDto): NonNullable<ResponseObject['content']> => ({
  'application/json': { schema: { $ref: getSchemaPath(dto) } },
  'text/csv': { schema: { type: 'string', description: 'RFC 4180 with a header row: one row per deployment and local day' } },
});

export class ReportFormatDto {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}
