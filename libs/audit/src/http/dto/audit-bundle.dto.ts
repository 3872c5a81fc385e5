import { ApiProperty } from '@nestjs/swagger';
import { JwksDto } from '@app/auth';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type AuditBundle } from '../../verification/audit-bundle';
import { AuditEntryDto } from './audit-entry.dto';
import { ChainHeadDto } from './chain-verification.dto';
import { CheckpointDto } from './checkpoint.dto';

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
}
