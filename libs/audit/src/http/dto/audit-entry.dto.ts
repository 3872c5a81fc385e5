import { ApiExtraModels, ApiProperty } from '@nestjs/swagger';
import type { AuditEntryRecord } from '../../audit.types';
import type { AuditEntryPage } from '../audit-search.service';
import { AUDIT_ACTOR_DTOS, AUDIT_ACTOR_PROPERTY, type AuditActorDto } from './audit-actor.dto';

@ApiExtraModels(...AUDIT_ACTOR_DTOS)
export class AuditEntryDto implements AuditEntryRecord {
  @ApiProperty({ example: '1042' }) id!: string;
  @ApiProperty({ example: 'incident:7b0c2d4e-…', description: '`system`, or `incident:<uuid>`' }) chainId!: string;
  @ApiProperty({ type: 'integer', description: 'Position in the chain, from 1' }) seq!: number;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty(AUDIT_ACTOR_PROPERTY) actor!: AuditActorDto;
  @ApiProperty({ example: 'checkin.admitted', description: 'Dotted verb' }) action!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) incidentId!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'deployment' }) targetType!: string | null;
  @ApiProperty({ type: String, nullable: true }) targetId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The evidence: what was decided, on what basis' })
  payload!: Record<string, unknown>;
  @ApiProperty({ description: 'sha256 (hex) of the previous entry; 64 zeros for the first' }) prevHash!: string;
  @ApiProperty({ description: 'sha256 (hex) over this entry and prevHash' }) hash!: string;
}

export class AuditEntryPageDto implements AuditEntryPage {
  @ApiProperty({ type: [AuditEntryDto], description: 'Newest first' }) entries!: AuditEntryDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next (older) page; null on the last page' })
  nextCursor!: string | null;
}
