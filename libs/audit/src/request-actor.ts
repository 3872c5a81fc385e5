import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuditActor } from './audit.types';

const DEVICE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The audit actor of an HTTP request: the signed-in user, the client IP and the device id the client sends (X-Device-Id). */
export function actorFromRequest(req: {
  user?: { userId: string; role: string; email?: string };
  ip?: string;
  headers: Record<string, string | string[] | undefined>;
}): AuditActor {
  const device = req.headers['x-device-id'];
  const deviceId = typeof device === 'string' && DEVICE_ID.test(device) ? device : undefined;
  if (!req.user) return { kind: 'anonymous', ip: req.ip, device: deviceId };
  return { kind: 'user', userId: req.user.userId, role: req.user.role, email: req.user.email, ip: req.ip, device: deviceId };
}

/** `@RequestActor() actor: AuditActor` in a controller method. */
export const RequestActor = createParamDecorator((_: unknown, ctx: ExecutionContext): AuditActor => actorFromRequest(ctx.switchToHttp().getRequest()));
