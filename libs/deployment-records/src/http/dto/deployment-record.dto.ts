import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';

const CREDENTIAL_OBJECT = { type: 'object', additionalProperties: true } as const;

/** A deployment record as the check-out screen and the station show it. */
export class DeploymentRecordDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) deploymentId!: string;
  @ApiProperty({ format: 'uuid' }) incidentId!: string;
  @ApiProperty({ enum: ['pending', 'issued', 'revoked'], description: 'pending: not signed yet (the agency has no records key loaded)' })
  state!: 'pending' | 'issued' | 'revoked';
  @ApiProperty({ type: String, nullable: true, description: 'The compact JWS (vc+jwt, media type application/vc+jwt): the .jwt download' })
  jwt!: string | null;
  @ApiProperty({ ...CREDENTIAL_OBJECT, nullable: true, description: 'The credential the JWT secures (the JSON download)' })
  credential!: Record<string, unknown> | null;
  @ApiProperty({ type: String, nullable: true, description: 'An SVG QR code of the JWT, for a wallet or a later station to scan' })
  qrSvg!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) issuedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) revokeReason!: string | null;
}

export class RevokeRecordDto {
  @ApiProperty({ example: 'Issued to the wrong responder', description: 'Why (kept in the audit trail)' })
  @IsString()
  @Length(3, 500)
  reason!: string;
}

export class DeploymentKindDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'The incident this kind is for (one of incidentId, incidentType)' })
  @ValidateIf((o: DeploymentKindDto) => o.incidentType === undefined || o.incidentId !== undefined)
  @IsUUID()
  incidentId?: string;
  @ApiPropertyOptional({ example: 'Structural Collapse', description: 'Every incident of this type, unless the incident has its own' })
  @ValidateIf((o: DeploymentKindDto) => o.incidentId === undefined || o.incidentType !== undefined)
  @IsString()
  @Length(1, 100)
  incidentType?: string;
  @ApiProperty({ example: 'Disaster Deployment: Structural Collapse, Medical Unit' })
  @IsString()
  @Length(3, 200)
  @Matches(/\S/)
  name!: string;
  @ApiPropertyOptional({ example: 'Served with the state medical unit at a structural collapse.' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;
}

export class DeploymentKindSavedDto {
  @ApiProperty({ example: 'type:Structural Collapse' }) scope!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
}

export class RotateRecordKeyDto {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: 604800,
    default: 600,
    description: 'Seconds the new key is published before it signs (0: at once, when the current key must stop now)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(604800)
  activateInSeconds?: number;
}

export class RecordIssuerKeyDto {
  @ApiProperty({ description: 'RFC 7638 thumbprint of the new key' }) kid!: string;
  @ApiProperty({ example: 'did:web:checkin.ema.example.gov#kid', description: 'Its verification method in the DID document' }) verificationMethod!: string;
  @ApiProperty({ format: 'date-time', description: 'When it starts signing records and status lists' }) activatesAt!: string;
}

export class PresentedRecordDto {
  @ApiProperty({ description: 'What the scan yielded: the deployment record (compact JWS)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64 * 1024)
  verifiableCredential!: string;
}

export class RecordHistoryItemDto {
  @ApiProperty({ format: 'uuid' }) recordId!: string;
  @ApiProperty() incident!: string;
  @ApiProperty() incidentNumber!: string;
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) until!: string;
  @ApiProperty({ type: 'integer' }) days!: number;
  @ApiProperty() hoursOnDuty!: number;
}

export class RecordHistoryDto {
  @ApiProperty({ type: 'integer' }) deployments!: number;
  @ApiProperty({ type: 'integer', description: 'Calendar days on scene, each deployment counted inclusively' }) totalDays!: number;
  @ApiProperty() hoursOnDuty!: number;
  @ApiProperty({ type: [RecordHistoryItemDto] }) items!: RecordHistoryItemDto[];
}

/** A presented record: whether it verified, and if so the holder's deployment history. Never an admission. */
export class PresentedRecordResultDto {
  @ApiProperty({ description: "The record verified (signature, validity, not revoked) and is one of this agency's" }) verified!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'Why not, when not verified' }) reason!: string | null;
  @ApiProperty({ type: String, nullable: true }) subjectId!: string | null;
  @ApiProperty({ type: String, nullable: true }) name!: string | null;
  @ApiProperty({ type: RecordHistoryDto, nullable: true }) history!: RecordHistoryDto | null;
}

export class DidDocumentDto {
  @ApiProperty({ type: [String] }) '@context'!: string[];
  @ApiProperty({ example: 'did:web:checkin.ema.example.gov' }) id!: string;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) verificationMethod!: Array<Record<string, unknown>>;
  @ApiProperty({ type: [String] }) assertionMethod!: string[];
}
