import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JwksDto } from '@app/auth';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type AuditBundle } from '../../verification/audit-bundle';
import type { DeviceChain, DeviceChainEntry } from '../../verification/device-chains';
import { AuditEntryDto } from './audit-entry.dto';
import { ChainHeadDto } from './chain-verification.dto';
import { CheckpointDto } from './checkpoint.dto';

export class DeviceChainEntryDto implements DeviceChainEntry {
  @ApiProperty({ type: 'integer' }) seq!: number;
  @ApiProperty() prevHash!: string;
  @ApiProperty() hash!: string;
  @ApiProperty({ description: 'ECDSA P-256 by the device key over the hash (IEEE P1363, base64url)' }) signature!: string;
  @ApiProperty({ description: 'The scan record as JSON text, exactly as the station hashed it' }) record!: string;
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
}

export class DeviceChainKeyDto {
  @ApiProperty({ example: 'EC' }) kty!: string;
  @ApiProperty({ example: 'P-256' }) crv!: string;
  @ApiProperty() x!: string;
  @ApiProperty() y!: string;
}

export class DeviceChainHeadDto {
  @ApiProperty({ type: 'integer' }) seq!: number;
  @ApiProperty() hash!: string;
}

/** An offline station's key and synced log (docs/offline.md). */
export class DeviceChainDto implements DeviceChain {
  @ApiProperty({ format: 'uuid' }) deviceId!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ type: DeviceChainKeyDto }) publicJwk!: DeviceChainKeyDto;
  @ApiProperty({ description: 'RFC 7638 thumbprint, as recorded by offline.device_registered' }) keyThumbprint!: string;
  @ApiProperty({ format: 'date-time' }) registeredAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt!: string | null;
  @ApiProperty({ type: DeviceChainHeadDto }) head!: DeviceChainHeadDto;
  @ApiProperty({ type: [DeviceChainEntryDto] }) entries!: DeviceChainEntryDto[];
}

/** GET /audit/export: one chain with everything needed to verify it offline (`audit-verify`). */
export class AuditBundleDto implements AuditBundle {
  @ApiProperty({ enum: [BUNDLE_FORMAT] }) format!: typeof BUNDLE_FORMAT;
  @ApiProperty({ enum: [BUNDLE_VERSION] }) version!: typeof BUNDLE_VERSION;
  @ApiProperty() chainId!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) incidentId!: string | null;
  @ApiProperty({ format: 'date-time' }) exportedAt!: string;
  @ApiProperty({ type: ChainHeadDto, nullable: true, description: 'The chain head when the bundle was made' }) head!: ChainHeadDto | null;
  @ApiProperty({ type: [AuditEntryDto] }) entries!: AuditEntryDto[];
  @ApiProperty({ type: [CheckpointDto] }) checkpoints!: CheckpointDto[];
  @ApiProperty({ type: JwksDto, description: 'Every server public key, retired ones included' }) jwks!: JwksDto;
  @ApiPropertyOptional({ type: [DeviceChainDto], description: "An incident's offline stations and their synced logs; checked by audit-verify" })
  deviceChains?: DeviceChainDto[];
}
