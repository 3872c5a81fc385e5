import { Body, Controller, Get, HttpCode, Ip, Optional, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppConfig } from '@app/config';
import { ApiProblem, ApiProblems, ApiSuccess, DomainError, RateLimiter } from '@app/common';
import { AllowedBeforePasswordChange, CurrentUser, Public, Roles } from './access/access.decorators';
import { AccessTokenDto, JwksDto, PrincipalDto } from './dto/auth.dto';
import { ROLES, type Principal } from './roles';
import { ServerKeysService } from './tokens/server-keys.service';
import { TokenService, type TokenResponse } from './tokens/token.service';
import { ChangePasswordDto, SignInDto } from './users/dto/user.dto';
import { toPrincipal, UsersService } from './users/users.service';
import { SignInEvents } from './sign-in-events';
import { SignInThrottle } from './sign-in-throttle';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokenService,
    private readonly keys: ServerKeysService,
    private readonly throttle: SignInThrottle,
    private readonly limiter: RateLimiter,
    private readonly config: AppConfig,
    /** Provided by the audit trail when it is loaded (api process); otherwise nothing is recorded. */
    @Optional() private readonly signIns: SignInEvents = new SignInEvents(),
  ) {}

  @Post('auth/token')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with e-mail and password; returns a short-lived access token' })
  @ApiSuccess(AccessTokenDto, { description: 'Signed in: the access token and who it is for (with a temporary password, a token that only changes it).' })
  @ApiProblems(400, 429)
  @ApiProblem('invalid_credentials', 'The e-mail or password is wrong.')
  async signIn(@Body() dto: SignInDto, @Ip() ip: string): Promise<TokenResponse & { user: Principal }> {
    await this.throttle.admit(dto.email, ip);
    const user = await this.users.authenticate(dto.email, dto.password);
    if (!user) {
      await this.throttle.failed(dto.email, ip);
      await this.signIns.failed(dto.email, ip);
      throw new DomainError('invalid_credentials', 'The e-mail or password is wrong.');
    }
    await this.throttle.succeeded(dto.email, ip);
    const principal = toPrincipal(user);
    await this.signIns.succeeded(principal, ip);
    return { ...(await this.tokens.issue(principal, user)), user: principal };
  }

  @Post('auth/password')
  @Roles(...ROLES)
  @AllowedBeforePasswordChange()
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({ summary: "Change one's own password (required after signing in with a temporary one); ends other tokens, returns a new one" })
  @ApiSuccess(AccessTokenDto, { description: 'Changed: a new access token (every older one has ended).' })
  @ApiProblems(400, 401, 429)
  @ApiProblem('forbidden', 'The current password is wrong.')
  async changePassword(@Body() dto: ChangePasswordDto, @CurrentUser() principal: Principal, @Ip() ip: string): Promise<TokenResponse & { user: Principal }> {
    await this.limiter.consume('password-change', principal.userId, this.config.auth.loginRateLimitPerMinute);
    const user = await this.users.changeOwnPassword(principal, dto, ip);
    const current = toPrincipal(user);
    return { ...(await this.tokens.issue(current, user)), user: current };
  }

  @Get('auth/me')
  @Roles(...ROLES)
  @ApiBearerAuth()
  @ApiSuccess(PrincipalDto, { description: 'The signed-in user, as every route sees them.' })
  @ApiProblems(401)
  me(@CurrentUser() user: Principal): Principal {
    return user;
  }

  @Get('.well-known/jwks.json')
  @Public()
  @ApiOperation({ summary: 'The public keys that verify access tokens now (the active key, and retired ones while tokens they signed may live)' })
  @ApiOkResponse({ type: JwksDto, description: 'JWK Set of the access-token keys.' })
  jwks(): { keys: object[] } {
    return this.keys.jwks();
  }

  @Get('.well-known/audit-checkpoint-keys.json')
  @Public()
  @ApiOperation({
    summary: 'The checkpoint keys this server trusts: its own and the pinned ones (compare the kids with what the operator announced before pinning them)',
  })
  @ApiOkResponse({ type: JwksDto, description: 'JWK Set of the checkpoint keys this server trusts.' })
  checkpointKeys(): Promise<{ keys: object[] }> {
    return this.keys.trustedCheckpointKeys();
  }

  @Get('.well-known/incident-pack-keys.json')
  @Public()
  @ApiOperation({ summary: 'The keys that sign incident packs (offline stations pin them while online and refuse packs signed by any other key)' })
  @ApiOkResponse({ type: JwksDto, description: 'JWK Set of the incident-pack keys.' })
  incidentPackKeys(): Promise<{ keys: object[] }> {
    return this.keys.incidentPackKeys();
  }
}
