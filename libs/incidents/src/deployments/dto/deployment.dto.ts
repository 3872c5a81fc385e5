import { ApiExtraModels, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PracticeAuthorityDto } from '@app/practice-authority';
import { IsIn, IsOptional, IsString, Length, MaxLength, ValidateIf } from 'class-validator';
import { AUDIT_ACTOR_DTOS, AUDIT_ACTOR_PROPERTY, type AuditActorDto } from '@app/audit';
import type { CredentialFlag, CredentialFlagCode, OutOfServiceReason, ResourceStatus } from '@app/realtime';
import { Ics211InputDto } from '../../check-in/dto/check-in.dto';
import { LOCATION_KINDS, type LocationKind } from '../../incidents/incident';
import type { AdmitDecision, DeploymentStatus } from '../deployment';
import type { DeploymentView } from '../deployment.view';
import type { Ics211Fields } from '../ics211';
import type { Roster } from '../roster.service';
import type { IdentityChangeItem } from '../deployments.service';

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
  @ApiPropertyOptional({ description: 'Commanders only: why someone in mandatory rest is assigned anyway (audited)' })
  @IsOptional()
  @IsString()
  @Length(3, 500)
  overrideReason?: string;
}

export class CheckOutDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) note?: string;
  @ApiPropertyOptional({ description: 'Commanders only: why the responder is released without the ICS 221 sign-offs (audited)' })
  @IsOptional()
  @IsString()
  @Length(3, 500)
  overrideReason?: string;
}

export class DeploymentResponderDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
}

/** The credential the responder checked in with, as verified then. */
export class DeploymentCredentialDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, nullable: true, example: 'RN' }) qualification!: string | null;
  @ApiProperty({ type: String, nullable: true }) issuerId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'From the trust registry' }) issuerName!: string | null;
  @ApiProperty({ type: String, nullable: true }) licenseNumber!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) validUntil!: string | null;
}

export class DeploymentPositionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Triage Nurse' }) name!: string;
}

export class DeploymentLocationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Staging Area 1' }) name!: string;
  @ApiProperty({ enum: LOCATION_KINDS }) kind!: LocationKind;
}

/** A credential problem found after check-in (reverification), open until cleared. */
export class CredentialFlagDto implements CredentialFlag {
  @ApiProperty({
    enum: [
      'revoked',
      'suspended',
      'expired',
      'untrusted_issuer',
      'issuer_not_authorized',
      'signature_invalid',
      'mission_ended',
      'order_ended',
      'compact_privilege_ended',
    ],
  })
  code!: CredentialFlagCode;
  @ApiProperty() message!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class Ics211PreparedByDto {
  @ApiProperty() name!: string;
  @ApiProperty() position!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

/** The ICS 211 blocks kept with a deployment: those staff may edit, and block 17 filled at check-in. */
export class Ics211FieldsDto extends Ics211InputDto implements Ics211Fields {
  @ApiPropertyOptional({ type: Ics211PreparedByDto, description: 'Block 17: the signed-in user who checked the responder in' })
  preparedBy?: Ics211PreparedByDto;
}

export class WalkUpMarkerDto {
  @ApiProperty({ format: 'uuid', description: 'The walk-up intake record' }) id!: string;
  @ApiProperty({ enum: ['pending_verification', 'verified'] }) status!: 'pending_verification' | 'verified';
}

export class DeploymentDto implements DeploymentView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) incidentId!: string;
  @ApiProperty({ type: DeploymentResponderDto }) responder!: DeploymentResponderDto;
  @ApiProperty({ type: DeploymentCredentialDto }) credential!: DeploymentCredentialDto;
  @ApiProperty({ type: DeploymentPositionDto, nullable: true }) position!: DeploymentPositionDto | null;
  @ApiProperty({ type: DeploymentLocationDto, nullable: true }) location!: DeploymentLocationDto | null;
  @ApiProperty({ enum: ['admitted', 'admitted_with_warnings'] }) decision!: AdmitDecision;
  @ApiProperty({ enum: [...RESOURCE_STATUSES, 'demobilized'] }) status!: DeploymentStatus;
  @ApiProperty({ enum: OUT_OF_SERVICE_REASONS, nullable: true }) statusReason!: OutOfServiceReason | null;
  @ApiProperty({ type: String, nullable: true, example: 'Division A' }) assignment!: string | null;
  @ApiProperty({ type: CredentialFlagDto, nullable: true }) credentialFlag!: CredentialFlagDto | null;
  @ApiProperty({ type: Ics211FieldsDto }) ics211!: Ics211FieldsDto;
  @ApiProperty({ type: PracticeAuthorityDto, nullable: true, description: 'The basis to practise and the ESAR-VHP level the check-in admitted on' })
  practiceAuthority!: PracticeAuthorityDto | null;
  @ApiProperty({ format: 'date-time' }) checkedInAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) checkedOutAt!: string | null;
  @ApiProperty({ type: WalkUpMarkerDto, nullable: true, description: 'Set when a walk-up intake opened this deployment (docs/walk-ups.md)' })
  walkUp!: WalkUpMarkerDto | null;
  @ApiProperty({ description: 'Time on scene so far (or until check-out), in hours with two decimals' }) hoursOnScene!: number;
}

export class StatusCountsDto {
  @ApiProperty({ type: 'integer' }) assigned!: number;
  @ApiProperty({ type: 'integer' }) available!: number;
  @ApiProperty({ type: 'integer' }) out_of_service!: number;
}

const COUNTS = { type: 'object', additionalProperties: { type: 'integer' } } as const;

/** Head counts over the whole active roster (not only the filtered entries), as the board shows them. */
export class RosterCountsDto {
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: StatusCountsDto }) byStatus!: StatusCountsDto;
  @ApiProperty({ ...COUNTS, description: 'Deployments without an assignment count under `unassigned`' }) byAssignment!: Record<string, number>;
  @ApiProperty(COUNTS) byQualification!: Record<string, number>;
  @ApiProperty({ ...COUNTS, description: 'By position name; `none` for no position' }) byPosition!: Record<string, number>;
  @ApiProperty({ type: 'integer', description: 'Deployments with an open credential flag' }) flagged!: number;
  @ApiProperty({ ...COUNTS, description: 'By ESAR-VHP level (1-4); `none` for no level' }) byLevel!: Record<string, number>;
}

export class RosterDto implements Roster {
  @ApiProperty({ type: [DeploymentDto] }) entries!: DeploymentDto[];
  @ApiProperty({ type: RosterCountsDto }) counts!: RosterCountsDto;
}

export class StatusSnapshotDto {
  @ApiProperty({ enum: [...RESOURCE_STATUSES, 'demobilized'], description: '`demobilized`: checked out (in `to` only)' }) status!: DeploymentStatus;
  @ApiPropertyOptional({ enum: OUT_OF_SERVICE_REASONS }) reason?: OutOfServiceReason;
  @ApiPropertyOptional() assignment?: string;
}

@ApiExtraModels(...AUDIT_ACTOR_DTOS)
export class StatusHistoryItemDto {
  @ApiProperty({ type: StatusSnapshotDto, nullable: true, description: 'Null for the status set at check-in' }) from!: Partial<StatusSnapshotDto> | null;
  @ApiProperty({ type: StatusSnapshotDto }) to!: StatusSnapshotDto;
  @ApiProperty({ type: String, nullable: true }) note!: string | null;
  @ApiProperty(AUDIT_ACTOR_PROPERTY) changedBy!: AuditActorDto;
  @ApiProperty({ format: 'date-time' }) changedAt!: string;
}

@ApiExtraModels(...AUDIT_ACTOR_DTOS)
export class Ics211EditDto {
  @ApiProperty({ type: [String], description: 'The ICS 211 fields changed' }) fields!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Those fields before' }) before!: object;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Those fields after' }) after!: object;
  @ApiProperty(AUDIT_ACTOR_PROPERTY) changedBy!: AuditActorDto;
  @ApiProperty({ format: 'date-time' }) changedAt!: string;
}

export class IdentityChangeItemDto implements IdentityChangeItem {
  @ApiProperty({ enum: ['name', 'email'] }) field!: 'name' | 'email';
  @ApiProperty({ type: String, nullable: true, description: 'The value before; null when there was none' }) from!: string | null;
  @ApiProperty() to!: string;
  @ApiProperty({ description: 'The trusted issuer whose verified credential made the change' }) issuerId!: string;
  @ApiProperty({ description: 'SHA-256 of that credential' }) credentialHash!: string;
  @ApiProperty({ format: 'uuid' }) incidentId!: string;
  @ApiProperty({ format: 'date-time' }) changedAt!: string;
}

export class DeploymentHistoryDto {
  @ApiProperty({ type: [StatusHistoryItemDto], description: 'Resource status changes, oldest first' }) status!: StatusHistoryItemDto[];
  @ApiProperty({ type: [Ics211EditDto], description: 'ICS 211 corrections, oldest first' }) ics211Edits!: Ics211EditDto[];
  @ApiProperty({ type: [IdentityChangeItemDto], description: "Changes to the responder's name or e-mail by trusted credentials, oldest first" })
  identityChanges!: IdentityChangeItemDto[];
}
