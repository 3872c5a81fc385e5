import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Principal, type Role } from '../roles';

export class PrincipalDto implements Principal {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ example: 'admin@example.org' }) email!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ type: [String], example: ['US-FL'], description: 'Auditors: the jurisdictions whose incidents they may read' })
  jurisdictions!: string[];
}

export class AccessTokenDto {
  @ApiProperty({ description: 'Send as `Authorization: Bearer <accessToken>`' }) accessToken!: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType!: 'Bearer';
  @ApiProperty({ type: 'integer', description: 'Seconds until the token expires' }) expiresIn!: number;
  @ApiProperty({ description: 'True after signing in with a temporary password: the token only allows POST /auth/password until it is changed' })
  passwordChangeRequired!: boolean;
  @ApiProperty({ type: PrincipalDto }) user!: PrincipalDto;
}

/** A public signing key (RFC 7517): Ed25519, for access tokens and audit checkpoints. */
export class JwkDto {
  @ApiProperty({ example: 'OKP' }) kty!: string;
  @ApiProperty({ example: 'Ed25519' }) crv!: string;
  @ApiProperty({ description: 'The public key (base64url)' }) x!: string;
  @ApiProperty({ description: 'RFC 7638 thumbprint, or the configured key id' }) kid!: string;
  @ApiProperty({ example: 'EdDSA' }) alg!: string;
  @ApiProperty({ example: 'sig' }) use!: string;
}

export class JwksDto {
  @ApiProperty({ type: [JwkDto] }) keys!: JwkDto[];
}
