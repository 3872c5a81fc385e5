import { CanActivate, ExecutionContext, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '@app/common';
import type { Principal } from '../roles';
import { TokenService } from '../tokens/token.service';
import { ACCESS_RULE, BEFORE_PASSWORD_CHANGE, INCIDENT_SCOPE, type AccessRule } from './access.decorators';
import { IncidentAccess } from './incident-access';

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
  return match?.[1];
}

/**
 * The one guard: authentication (a valid token of an active user at its current token version), role, and incident
 * scope, on every HTTP route. Deny by default.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    @Optional() private readonly incidents?: IncidentAccess,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // websocket handshakes authenticate in the gateway
    const targets = [context.getHandler(), context.getClass()];
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, targets);
    const req = context.switchToHttp().getRequest<FastifyRequest & { user?: Principal; params: Record<string, string | undefined> }>();
    if (rule?.kind === 'public') return true;

    const token = bearerToken(req.headers.authorization);
    if (!token) throw new DomainError('unauthenticated', 'Sign in first: this route needs an access token.');
    const allowPasswordChange = this.reflector.getAllAndOverride<boolean | undefined>(BEFORE_PASSWORD_CHANGE, targets) === true;
    const principal = await this.tokens.verify(token, { allowPasswordChange });
    req.user = principal;

    if (!rule) throw new DomainError('access_rule_missing', 'This route has no access rule, so it is closed to everyone.');
    if (!rule.roles.includes(principal.role)) {
      throw new DomainError('forbidden', `The ${principal.role} role may not do this.`);
    }
    const param = this.reflector.getAllAndOverride<string | undefined>(INCIDENT_SCOPE, targets);
    if (param) {
      const incidentId = req.params[param];
      if (typeof incidentId !== 'string' || !this.incidents) throw new DomainError('forbidden', 'This incident is not yours to see.');
      await this.incidents.assertCanAccess(principal, incidentId);
    }
    return true;
  }
}
