import { Body, Controller, Get, HttpCode, Ip, Optional, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblem, ApiProblems, ApiSuccess, DomainError } from '@app/common';
import { CurrentUser, Public, Roles } from './access/access.decorators';
import { AccessTokenDto, JwksDto, PrincipalDto } from './dto/auth.dto';
import { ROLES, type Principal } from './roles';
import { ServerKeys } from './tokens/server-keys.service';
import { TokenService } from './tokens/token.service';
import { SignInDto } from './users/dto/user.dto';
import { toPrincipal, UsersService } from './users/users.service';
import { SignInEvents } from './sign-in-events';
import { SignInThrottle } from './sign-in-throttle';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokenService,
    private readonly keys: ServerKeys,
    private readonly throttle: SignInThrottle,
    /** Provided by the audit trail when it is loaded (api process); otherwise nothing is recorded. */
    @Optional() private readonly signIns: SignInEvents = new SignInEvents(),
  ) {}

  @Post('auth/token')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with e-mail and password; returns a short-lived access token' })
  @ApiSuccess(AccessTokenDto, { description: 'Signed in: the access token and who it is for.' })
  @ApiProblems(400, 429)
  @ApiProblem('invalid_credentials', 'The e-mail or password is wrong.')
  async signIn(@Body() dto: SignInDto, @Ip() ip: string): Promise<{ accessToken: string; tokenType: 'Bearer'; expiresIn: number; user: Principal }> {
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
    return { ...(await this.tokens.issue(principal)), user: principal };
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
  @ApiOperation({ summary: "The server's public signing keys (access tokens, audit checkpoints), including retired ones" })
  @ApiOkResponse({ type: JwksDto, description: 'JWK Set: every public key the server has signed with, retired ones included.' })
  jwks(): { keys: object[] } {
    return this.keys.jwks();
  }
}
