import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { SIGNING_KEY_PURPOSES, type SigningKeyPurpose, type SigningKeyState } from '../tokens/signing-keys';

const STATES: readonly SigningKeyState[] = ['announced', 'active', 'verifying', 'retired'];

export class RotateSigningKeyDto {
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

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 31536000,
    description:
      'Seconds the replaced key keeps verifying after it stops signing. Access tokens: default the token lifetime (0 ends every token it signed at its ' +
      'retirement); incident packs: default 30 days. Not accepted for audit checkpoints and deployment records, whose keys verify for good.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(31536000)
  overlapSeconds?: number;
}

export class SigningKeyDto {
  @ApiProperty({ enum: SIGNING_KEY_PURPOSES }) purpose!: SigningKeyPurpose;
  @ApiProperty({ description: 'RFC 7638 thumbprint, or the configured key id' }) kid!: string;
  @ApiProperty({
    enum: STATES,
    description: 'announced: published, not signing yet; active: signs; verifying: no longer signs, verifies what it signed; retired: verifies nothing',
  })
  state!: SigningKeyState;
  @ApiProperty({ enum: ['generated', 'environment'], description: 'environment: set by the operator; rotated there, not by this action' })
  source!: 'generated' | 'environment';
  @ApiProperty({ format: 'date-time', description: 'Published since' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', description: 'Signs from' }) activatesAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Stops signing at (null: not scheduled)' }) retiresAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Verifies what it signed until (null: while in use, or for good)' })
  verifiesUntil!: string | null;
}

export class ReplacedSigningKeyDto {
  @ApiProperty() kid!: string;
  @ApiProperty({ format: 'date-time', description: 'Stops signing at (the new key’s activation)' }) retiresAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Verifies what it signed until (null: for good)' })
  verifiesUntil!: string | null;
}

export class KeyRotationDto {
  @ApiProperty({ enum: SIGNING_KEY_PURPOSES }) purpose!: SigningKeyPurpose;
  @ApiProperty({ description: 'The new key' }) kid!: string;
  @ApiProperty({ format: 'date-time', description: 'When it starts signing' }) activatesAt!: string;
  @ApiProperty({ type: [ReplacedSigningKeyDto], description: 'The keys it replaces' }) replaced!: ReplacedSigningKeyDto[];
}
