import { ApiProperty } from '@nestjs/swagger';
import { BASIS_KINDS, type BasisKind, type NearestRule, type PracticeBasis } from '../domain/decide-practice-authority';
import type { EsarVhpLevel, LevelAnswer } from '../domain/esar-vhp-level';

/** What check-in and reports show of the practice-authority answer. */
export interface PracticeAuthorityView {
  authorized: boolean;
  basis: PracticeBasis | null;
  nearest: NearestRule | null;
  /** When not authorized: the denial reason check-in gives (code no_practice_authority, naming the nearest rule). */
  reason: { code: 'no_practice_authority'; message: string } | null;
  level: LevelAnswer;
  /** The rule-set version decided with (0: none imported yet). */
  ruleSetVersion: number;
}

export class PracticeBasisDto implements PracticeBasis {
  @ApiProperty({ enum: BASIS_KINDS }) kind!: BasisKind;
  @ApiProperty({ type: String, nullable: true, example: 'FL-2026-0142', description: 'The mission, order or compact' }) ruleId!: string | null;
  @ApiProperty({ example: 'multistate RN licence (NLC, home state TX).' }) text!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'When the basis ends (a mission or an order)' }) until!: string | null;
  @ApiProperty({ type: [String], example: ['under supervision'] }) conditions!: string[];
}

export class NearestRuleDto implements NearestRule {
  @ApiProperty({ enum: ['emac_mission', 'emergency_order', 'compact', 'incident_mutual_aid'] }) kind!: NearestRule['kind'];
  @ApiProperty() ruleId!: string;
  @ApiProperty({ description: 'Why it does not apply to this person now' }) why!: string;
}

export class PracticeDenialDto {
  @ApiProperty({ enum: ['no_practice_authority'] }) code!: 'no_practice_authority';
  @ApiProperty() message!: string;
}

export class EsarVhpLevelDto implements LevelAnswer {
  @ApiProperty({ type: 'integer', nullable: true, enum: [1, 2, 3, 4], description: 'ESAR-VHP credential level' }) level!: EsarVhpLevel | null;
  @ApiProperty({ example: 'level 3: RN licence verified (meets the basic requirements to practise)' }) rule!: string;
}

export class PracticeAuthorityDto implements PracticeAuthorityView {
  @ApiProperty() authorized!: boolean;
  @ApiProperty({ type: PracticeBasisDto, nullable: true }) basis!: PracticeBasisDto | null;
  @ApiProperty({ type: NearestRuleDto, nullable: true, description: 'When denied: the rule that came closest' }) nearest!: NearestRuleDto | null;
  @ApiProperty({ type: PracticeDenialDto, nullable: true }) reason!: PracticeDenialDto | null;
  @ApiProperty({ type: EsarVhpLevelDto }) level!: EsarVhpLevelDto;
  @ApiProperty({ type: 'integer', description: 'The rule-set version decided with (0: none imported yet)' }) ruleSetVersion!: number;
}
