import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { PracticeRulesImportSummary, RuleSetVersionView } from '../practice-rules.service';

export class RuleSetVersionQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'A version of the rules (default: the one in force)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2147483647)
  version?: number;
}

export class PracticeRulesImportSummaryDto implements PracticeRulesImportSummary {
  @ApiProperty({ type: 'integer', description: 'The version the import created; it is in force now' }) version!: number;
  @ApiProperty({ description: 'sha256 (hex) of the JCS-canonical document' }) digest!: string;
  @ApiProperty({ type: 'integer' }) compacts!: number;
  @ApiProperty({ type: 'integer' }) missions!: number;
  @ApiProperty({ type: 'integer' }) orders!: number;
  @ApiProperty({ type: [String], description: 'Rules new in this version, e.g. "mission FL-2026-0142"' }) added!: string[];
  @ApiProperty({ type: [String], description: 'Rules changed against the version before' }) changed!: string[];
  @ApiProperty({ type: [String], description: 'Rules no longer in force' }) removed!: string[];
}

export class RuleSetVersionDto implements RuleSetVersionView {
  @ApiProperty({ type: 'integer' }) version!: number;
  @ApiProperty() digest!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Who imported it (audit actor)' }) importedBy!: RuleSetVersionView['importedBy'];
  @ApiProperty({ format: 'date-time' }) importedAt!: string;
}
