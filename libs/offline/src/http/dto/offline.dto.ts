import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsISO8601, IsIn, IsInt, IsObject, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';

export class SignedIncidentPackDto {
  @ApiProperty({ description: 'The incident pack as JSON text (docs/offline.md, "The pack"): parse it only after the signature verified' }) payload!: string;
  @ApiProperty({ description: 'JWS protected header, base64url: alg EdDSA, kid (see /.well-known/incident-pack-keys.json), typ incident-pack+jws, b64 false' })
  protected!: string;
  @ApiProperty({ description: 'Ed25519 signature (base64url) over `protected` + "." + `payload` (RFC 7797 unencoded payload)' }) signature!: string;
}

export class DevicePublicKeyDto {
  @ApiProperty({ enum: ['EC'] }) @IsIn(['EC']) kty!: string;
  @ApiProperty({ enum: ['P-256'] }) @IsIn(['P-256']) crv!: string;
  @ApiProperty() @IsString() @Matches(/^[A-Za-z0-9_-]{43}$/) x!: string;
  @ApiProperty() @IsString() @Matches(/^[A-Za-z0-9_-]{43}$/) y!: string;
}

export class RegisterDeviceDto {
  @ApiProperty({ example: 'Staging Area 1, tablet 2' }) @IsString() @Length(1, 100) label!: string;
  @ApiProperty({ type: DevicePublicKeyDto, description: "The station's ECDSA P-256 public key (its private half is non-extractable on the device)" })
  @IsObject()
  @ValidateNested()
  @Type(() => DevicePublicKeyDto)
  publicKey!: DevicePublicKeyDto;
}

export class OfflineDeviceDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) incidentId!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ description: 'RFC 7638 thumbprint of the device key' }) keyThumbprint!: string;
  @ApiProperty({ type: String, format: 'date-time' }) registeredAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt!: string | null;
  @ApiProperty({ description: 'Sequence number of the last entry synced (0: none yet)' }) headSeq!: number;
  @ApiProperty({ description: 'Hash the next entry links to (at registration: the genesis hash of this device)' }) headHash!: string;
}

export class DeviceLogEntryDto {
  @ApiProperty({ minimum: 1 }) @IsInt() @Min(1) @Max(2_000_000_000) seq!: number;
  @ApiProperty() @IsString() @Matches(/^[0-9a-f]{64}$/) prevHash!: string;
  @ApiProperty() @IsString() @Matches(/^[0-9a-f]{64}$/) hash!: string;
  @ApiProperty({ description: 'ECDSA P-256 signature (base64url, r||s) by the device key over `hash`' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{86}$/)
  signature!: string;
  @ApiProperty({ description: 'The scan record as JSON text, exactly as hashed (docs/offline.md, "The device log")', maxLength: 70000 })
  @IsString()
  @Length(2, 70000)
  record!: string;
}

export class SyncBatchDto {
  @ApiProperty({ type: String, format: 'date-time', description: "The station's clock when it sent the batch (measures its skew)" })
  @IsISO8601({ strict: true })
  sentAt!: string;
  @ApiProperty({ type: [DeviceLogEntryDto], minItems: 1, maxItems: 100 })
  @ValidateNested({ each: true })
  @Type(() => DeviceLogEntryDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  entries!: DeviceLogEntryDto[];
}

export class SyncEntryResultDto {
  @ApiProperty() seq!: number;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) scanId!: string | null;
  @ApiProperty({ enum: ['accepted', 'duplicate', 'rejected'], description: 'duplicate: synced before (the first outcome is repeated)' }) status!:
    'accepted' | 'duplicate' | 'rejected';
  @ApiPropertyOptional({ enum: ['reconfirmed', 'changed', 'refused'] }) outcome?: 'reconfirmed' | 'changed' | 'refused';
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'What the server did: admitted, admitted_with_warnings or denied (check_in), checked_out, status_changed, acknowledged (par_ack)',
  })
  onlineDecision?: string | null;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true }) attemptId?: string | null;
  @ApiPropertyOptional({
    description:
      'Why it was rejected, refused or changed (e.g. device_log_edited, incident_closed, revoked, deployment_not_active, par_not_running, par_not_in_scope)',
  })
  code?: string;
  @ApiPropertyOptional() message?: string;
  @ApiPropertyOptional({ type: [String], description: 'clock_skew, scanned_in_future, chain_gap, after_close' }) flags?: string[];
}

export class SyncHeadDto {
  @ApiProperty() seq!: number;
  @ApiProperty() hash!: string;
}

export class SyncResultDto {
  @ApiProperty({ format: 'uuid' }) deviceId!: string;
  @ApiProperty({ type: String, format: 'date-time' }) receivedAt!: string;
  @ApiProperty({ description: 'Server clock minus station clock at upload' }) clockSkewSeconds!: number;
  @ApiProperty({ type: SyncHeadDto }) head!: SyncHeadDto;
  @ApiProperty({ type: [SyncEntryResultDto] }) results!: SyncEntryResultDto[];
}

export class OfflineScanDto {
  @ApiProperty({ format: 'uuid' }) deviceId!: string;
  @ApiProperty({ format: 'uuid' }) scanId!: string;
  @ApiProperty() seq!: number;
  @ApiProperty() hash!: string;
  @ApiProperty({ type: String, format: 'date-time', description: "The station's clock" }) deviceScannedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'The scan time, corrected for clock skew' }) scannedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'When the server received and re-verified it' }) receivedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The pack the station verified with' }) packTime!: string | null;
  @ApiProperty() offlineDecision!: string;
  @ApiProperty({ type: String, nullable: true }) onlineDecision!: string | null;
  @ApiProperty({ enum: ['reconfirmed', 'changed', 'refused'] }) outcome!: 'reconfirmed' | 'changed' | 'refused';
  @ApiProperty({ type: String, nullable: true }) code!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) attemptId!: string | null;
  @ApiProperty({ type: [String] }) flags!: string[];
}
