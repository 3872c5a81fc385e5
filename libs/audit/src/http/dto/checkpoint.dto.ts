import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { CheckpointRun } from '../../checkpoints/audit-checkpoints.service';
import type { CheckpointRecord } from '../../verification/checkpoint-statement';
import { ChainProblemDto } from './chain-verification.dto';

/** A signed statement of a chain's head. */
export class CheckpointDto implements CheckpointRecord {
  @ApiPropertyOptional() id?: string;
  @ApiProperty() chainId!: string;
  @ApiProperty({ type: 'integer' }) seq!: number;
  @ApiProperty({ description: 'The hash of entry `seq`' }) headHash!: string;
  @ApiProperty({ description: 'Compact JWS by the server key (see /.well-known/jwks.json)' }) jws!: string;
  @ApiProperty() kid!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class RefusedCheckpointDto {
  @ApiProperty() chainId!: string;
  @ApiProperty({ type: ChainProblemDto }) problem!: ChainProblemDto;
}

export class CheckpointRunDto implements CheckpointRun {
  @ApiProperty({ type: [CheckpointDto] }) created!: CheckpointDto[];
  @ApiProperty({ type: [RefusedCheckpointDto], description: 'Chains whose new entries do not verify: not signed' }) refused!: RefusedCheckpointDto[];
}
