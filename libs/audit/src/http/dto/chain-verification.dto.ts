import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ChainProblem, TamperKind } from '../../verification/chain-verifier';

export class ChainHeadDto {
  @ApiProperty({ type: 'integer' }) seq!: number;
  @ApiProperty() hash!: string;
}

export class LatestCheckpointDto {
  @ApiProperty({ type: 'integer' }) seq!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class CheckpointsSummaryDto {
  @ApiProperty({ type: 'integer', description: 'Signed checkpoints that verified' }) verified!: number;
  @ApiProperty({ type: LatestCheckpointDto, nullable: true }) latest!: LatestCheckpointDto | null;
}

export class ChainProblemDto implements ChainProblem {
  @ApiProperty({ enum: ['modified', 'deleted', 'inserted', 'reordered', 'checkpoint_mismatch'] }) kind!: TamperKind;
  @ApiProperty({ type: 'integer', description: 'Where the chain first goes wrong' }) seq!: number;
  @ApiProperty({ type: String, nullable: true, description: 'The offending entry (none when it was deleted)' }) entryId!: string | null;
  @ApiProperty({ description: 'What is wrong, in plain words' }) message!: string;
  @ApiPropertyOptional({ type: 'integer', description: 'Checkpoint mismatches: the tampering happened after this seq' }) afterSeq?: number;
}

/** GET /audit/verify: `ok` with the head, or the first problem. */
export class ChainVerificationDto {
  @ApiProperty() chainId!: string;
  @ApiProperty({ type: 'integer' }) fromSeq!: number;
  @ApiProperty({ type: 'integer' }) toSeq!: number;
  @ApiProperty({ type: 'integer', description: 'Entries examined' }) entries!: number;
  @ApiProperty({ type: CheckpointsSummaryDto }) checkpoints!: CheckpointsSummaryDto;
  @ApiProperty() ok!: boolean;
  @ApiPropertyOptional({ type: ChainHeadDto, nullable: true, description: 'When ok: the last entry examined (null for an empty chain)' })
  head?: ChainHeadDto | null;
  @ApiPropertyOptional({ type: ChainProblemDto, description: 'When not ok: the first problem' }) problem?: ChainProblemDto;
}
