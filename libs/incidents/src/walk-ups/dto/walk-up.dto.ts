import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { DeploymentDto } from '../../deployments/dto/deployment.dto';
import type { IdSeen, WalkUpEvidence, WalkUpStatus } from '../walk-up';
import type { WalkUpIntakeInput, WalkUpView } from '../walk-ups.service';
import { BADGE_DEFAULT_HOURS, BADGE_MAX_HOURS } from '../walk-up-badges';

const QUALIFICATION = /^[A-Z][A-Z0-9_]{0,31}$/;

export class IdSeenDto implements IdSeen {
  @ApiProperty({ example: 'driver licence', description: 'The document check-in staff saw' }) @IsString() @Length(1, 100) type!: string;
  @ApiProperty({ example: 'Photo and name match; FL DL ending 4821.', description: "Check-in staff's statement of what they checked" })
  @IsString()
  @Length(1, 500)
  statement!: string;
}

export class WalkUpIntakeDto implements WalkUpIntakeInput {
  @ApiProperty({ example: 'Sam Rivera' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ example: '+1 305 555 0142', description: 'Phone or e-mail: kept with the walk-up record only (never on the board or in the audit trail)' })
  @IsString()
  @Length(3, 200)
  contact!: string;
  @ApiProperty({ type: [String], example: ['RN'], description: 'What the volunteer says they hold: recorded, never admitted on' })
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(QUALIFICATION, { each: true })
  claimedQualifications!: string[];
  @ApiProperty({ type: IdSeenDto }) @ValidateNested() @Type(() => IdSeenDto) idSeen!: IdSeenDto;
  @ApiPropertyOptional({ example: 'Red Cross South Florida' }) @IsOptional() @IsString() @MaxLength(200) agency?: string;
  @ApiPropertyOptional({ example: 'FL' }) @IsOptional() @IsString() @Matches(/^[A-Z]{2}$/) homeState?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'A general-support position (requiring GENERAL_SUPPORT) or none' })
  @IsOptional()
  @IsUUID()
  positionId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() locationId?: string;
}

export class WalkUpPositionDto {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The position, or null for none' })
  @IsOptional()
  @IsUUID()
  positionId!: string | null;
}

export class WalkUpBadgeRequestDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: BADGE_MAX_HOURS,
    default: BADGE_DEFAULT_HOURS,
    description: 'How long the badge is valid, in hours',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(BADGE_MAX_HOURS)
  validHours?: number;
}

export class WalkUpUpgradeDto {
  @ApiProperty({ description: 'The credential the volunteer presents (what a badge scan yields, as for check-in)', maxLength: 65536 })
  @IsString()
  @Length(1, 65536)
  credential!: string;
}

export class WalkUpIdSeenDto extends IdSeenDto {
  @ApiProperty({ format: 'uuid', description: 'The check-in staff member who recorded it' }) recordedBy!: string;
}

export class WalkUpDto implements WalkUpView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) incidentId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() contact!: string;
  @ApiProperty({ type: [String] }) claimedQualifications!: string[];
  @ApiProperty({ type: WalkUpIdSeenDto }) idSeen!: WalkUpIdSeenDto;
  @ApiProperty({ type: String, nullable: true }) agency!: string | null;
  @ApiProperty({ type: String, nullable: true }) homeState!: string | null;
  @ApiProperty({ enum: ['pending_verification', 'verified'] }) status!: WalkUpStatus;
  @ApiProperty({ type: [String], description: 'Qualifications a credential or primary source verified' }) verifiedQualifications!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'What verified the volunteer (kind credential or primary_source)' })
  verification!: WalkUpEvidence | null;
  @ApiProperty({ format: 'date-time' }) registeredAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) verifiedAt!: string | null;
  @ApiProperty({ type: DeploymentDto }) deployment!: DeploymentDto;
}

export class WalkUpBadgeDto {
  @ApiProperty({ description: 'The badge: a compact JWS (typ walk-up-badge+jwt) signed with the incident key' }) token!: string;
  @ApiProperty({ description: 'The badge as a QR code (SVG)' }) qrSvg!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ description: 'The incident badge key that signed it (GET /incidents/:incidentId/walk-up-badge-keys)' }) kid!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'The incident name and number, as printed' }) incident!: string;
}

export class BadgeKeysDto {
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Ed25519 public keys (JWK)' }) keys!: object[];
}
