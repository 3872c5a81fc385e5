import { ApiProperty } from '@nestjs/swagger';
import { CredentialSummaryDto, VerificationCheckDto, VerificationEvidenceDto } from '@app/credentials';
import { PracticeAuthorityDto } from '@app/practice-authority';
import { DeploymentDto } from '../../deployments/dto/deployment.dto';
import type { CheckInDecision, CheckInReason, CheckInResponse } from '../check-in.types';

const DECISIONS: CheckInDecision[] = ['admitted', 'admitted_with_warnings', 'denied'];

export class CheckInReasonDto implements CheckInReason {
  @ApiProperty({
    example: 'not_qualified',
    description:
      "A verification reason code, or check-in's own: not_qualified, no_qualification, active_elsewhere, status_unavailable_policy, no_practice_authority, basis_not_accepted, level_too_low, deployment_record",
  })
  code!: string;
  @ApiProperty({ description: 'Plain English, for check-in staff' }) message!: string;
}

export class CheckInResponderDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: [String], example: ['RN'] }) qualifications!: string[];
}

export class CheckInVerificationDto {
  @ApiProperty() verified!: boolean;
  @ApiProperty({ type: [VerificationCheckDto] }) checks!: VerificationCheckDto[];
  @ApiProperty({ type: CredentialSummaryDto, nullable: true }) credential!: CredentialSummaryDto | null;
  @ApiProperty({ type: VerificationEvidenceDto }) evidence!: VerificationEvidenceDto;
}

/** The decision on a badge scan; a replay (same Idempotency-Key) returns the same bytes. */
export class CheckInResponseDto implements CheckInResponse {
  @ApiProperty({ format: 'uuid' }) attemptId!: string;
  @ApiProperty({ format: 'uuid' }) incidentId!: string;
  @ApiProperty({ enum: DECISIONS }) decision!: CheckInDecision;
  @ApiProperty({ type: [CheckInReasonDto], description: 'Why denied, or the warnings admitted with' }) reasons!: CheckInReasonDto[];
  @ApiProperty({ description: 'The badge belongs to someone already checked in here: the existing deployment is returned' }) alreadyCheckedIn!: boolean;
  @ApiProperty({ type: CheckInResponderDto, nullable: true }) responder!: CheckInResponderDto | null;
  @ApiProperty({ type: DeploymentDto, nullable: true, description: 'Null when denied' }) deployment!: DeploymentDto | null;
  @ApiProperty({ type: CheckInVerificationDto }) verification!: CheckInVerificationDto;
  @ApiProperty({ type: PracticeAuthorityDto, nullable: true, description: 'May this person practise here now, on what basis, at which ESAR-VHP level' })
  practiceAuthority!: PracticeAuthorityDto | null;
  @ApiProperty({ format: 'date-time' }) performedAt!: string;
}

/** One of the latest scans at an incident (the station's "last scans" list). */
export class RecentCheckInDto {
  @ApiProperty({ format: 'uuid' }) attemptId!: string;
  @ApiProperty({ enum: DECISIONS }) decision!: CheckInDecision;
  @ApiProperty({ type: [CheckInReasonDto] }) reasons!: CheckInReasonDto[];
  @ApiProperty({ format: 'date-time' }) performedAt!: string;
  @ApiProperty({ type: String, nullable: true, description: 'As the credential names the responder' }) name!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'RN' }) qualification!: string | null;
}
