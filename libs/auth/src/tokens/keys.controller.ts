import { Body, Controller, Get, HttpCode, Ip, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblem, ApiProblems, ApiSuccess, notFound } from '@app/common';
import { CurrentUser, Roles } from '../access/access.decorators';
import { KeyRotationDto, RotateSigningKeyDto, SigningKeyDto } from '../dto/keys.dto';
import type { Principal } from '../roles';
import { ServerKeysService } from './server-keys.service';
import { SIGNING_KEY_PURPOSES, type KeyRotation, type SigningKeyPurpose, type SigningKeyView } from './signing-keys';

const isPurpose = (p: string): p is SigningKeyPurpose => (SIGNING_KEY_PURPOSES as readonly string[]).includes(p);

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export const toSigningKeyDto = (k: SigningKeyView): SigningKeyDto => ({
  ...k,
  createdAt: k.createdAt.toISOString(),
  activatesAt: k.activatesAt.toISOString(),
  retiresAt: iso(k.retiresAt),
  verifiesUntil: iso(k.verifiesUntil),
});

export const toKeyRotationDto = (r: KeyRotation): KeyRotationDto => ({
  purpose: r.purpose,
  kid: r.kid,
  activatesAt: r.activatesAt.toISOString(),
  replaced: r.replaced.map((k) => ({ kid: k.kid, retiresAt: k.retiresAt.toISOString(), verifiesUntil: iso(k.verifiesUntil) })),
});

/** The server's signing keys for the admin: every key with its windows, and rotation of any of them. */
@ApiTags('keys')
@ApiBearerAuth()
@Controller('admin/keys')
@Roles('admin')
@ApiProblems(401, 403)
export class KeysController {
  constructor(private readonly keys: ServerKeysService) {}

  @Get()
  @ApiSuccess([SigningKeyDto], { description: 'Every signing key (access tokens, audit checkpoints, incident packs, deployment records), oldest first.' })
  async list(): Promise<SigningKeyDto[]> {
    return (await this.keys.list()).map(toSigningKeyDto);
  }

  /** Publishes a new key at once; it signs from its activation, when the keys it replaces stop signing. Audited. */
  @Post(':purpose/rotate')
  @HttpCode(200)
  @ApiSuccess(KeyRotationDto, { description: 'The new key, when it starts signing, and the windows of the keys it replaces.' })
  @ApiParam({ name: 'purpose', enum: SIGNING_KEY_PURPOSES, description: 'Which key to rotate' })
  @ApiProblems(400, 404)
  @ApiProblem('conflict', 'The key comes from the environment (AUTH_SIGNING_KEY, CHECKPOINT_SIGNING_KEY, RECORDS_SIGNING_KEY): rotate it there.')
  @ApiProblem('service_unavailable', 'No key of this purpose is kept here (no KEY_ENCRYPTION_KEY for packs, no RECORDS_ISSUER_DID for records).')
  async rotate(
    @Param('purpose') purpose: string,
    @Body() dto: RotateSigningKeyDto,
    @CurrentUser() principal: Principal,
    @Ip() ip: string,
  ): Promise<KeyRotationDto> {
    if (!isPurpose(purpose)) throw notFound('Signing key purpose', purpose);
    return toKeyRotationDto(await this.keys.rotate(purpose, dto, { principal, ip }));
  }
}
