import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsUUID } from 'class-validator';
import type { IndeterminatePolicy, PrimarySourcePolicy } from '../primary-source.repository';

const INDETERMINATE: IndeterminatePolicy[] = ['deny', 'non_clinical_with_warning'];

export class PrimarySourcePolicyInputDto {
  @ApiProperty({ description: 'Licence-number check-ins (primary-source lookups) are accepted at this incident' })
  @IsBoolean()
  acceptPrimarySource!: boolean;

  @ApiProperty({ enum: INDETERMINATE, description: 'When the source gives no usable answer: deny, or admit to non-clinical positions with a warning' })
  @IsIn(INDETERMINATE)
  onIndeterminate!: IndeterminatePolicy;

  @ApiProperty({ type: [String], format: 'uuid', description: 'Positions that require a signed credential' })
  @IsArray()
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true })
  signedCredentialPositions!: string[];
}

export class PrimarySourcePolicyDto extends PrimarySourcePolicyInputDto implements Omit<PrimarySourcePolicy, 'updatedAt'> {
  @ApiProperty({ format: 'uuid' }) incidentId!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Null: the defaults (accepted, indeterminate denied)' }) updatedAt!:
    string | null;
  @ApiProperty({ type: [String], description: 'The configured sources that answer for licences here (id: name, states, professions)' })
  sources!: string[];
}

export class NoticeAcceptedDto {
  @ApiProperty() noticeId!: string;
  @ApiProperty({ description: 'Deployments flagged on this notice' }) flagged!: number;
  @ApiProperty({ description: 'Deployments whose licence flag this notice cleared' }) cleared!: number;
  @ApiProperty({ description: 'Deployments admitted while the source gave no usable answer, now confirmed and qualified' }) confirmed!: number;
  @ApiProperty({ description: 'The notice was applied before (delivered twice): nothing changed' }) duplicate!: boolean;
}

export class RelookupSummaryDto {
  @ApiProperty() checked!: number;
  @ApiProperty() flagged!: number;
  @ApiProperty() cleared!: number;
  @ApiProperty({ description: 'Deployments admitted while the source gave no usable answer, now confirmed and qualified' }) confirmed!: number;
  @ApiProperty({ description: 'Lookups that gave no usable answer (nothing changed for them)' }) indeterminate!: number;
}
