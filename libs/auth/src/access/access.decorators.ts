import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Principal, Role } from '../roles';

export const ACCESS_RULE = 'access:rule';
export const INCIDENT_SCOPE = 'access:incident-param';
export const BEFORE_PASSWORD_CHANGE = 'access:before-password-change';

/** A route's access rule. Every route must declare one; a route without a rule is refused (deny by default). */
export type AccessRule = { kind: 'public' } | { kind: 'roles'; roles: readonly Role[] };

/** Open to anyone, signed in or not (health, sign-in, JWKS). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(ACCESS_RULE, { kind: 'public' } satisfies AccessRule);

/** Signed-in users with one of these roles. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ACCESS_RULE, { kind: 'roles', roles } satisfies AccessRule);

/**
 * The route acts on one incident, named by this route parameter: the user must also be allowed to see that
 * incident (admins: all; commanders and check-in staff: incidents they are assigned to; auditors: their jurisdictions).
 */
export const IncidentScoped = (param = 'incidentId'): MethodDecorator & ClassDecorator => SetMetadata(INCIDENT_SCOPE, param);

/** Open to a user who signed in with a temporary password and must choose a new one: the password change itself. */
export const AllowedBeforePasswordChange = (): MethodDecorator => SetMetadata(BEFORE_PASSWORD_CHANGE, true);

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<{ user?: Principal }>();
  if (!req.user) throw new Error('CurrentUser used on a route without authentication');
  return req.user;
});
