import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { bearerToken, TokenService, type Principal } from '@app/auth';
import { DomainError, toProblem } from '@app/common';
import { JobQueues } from '../queue/job-queues';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';
/** Set by POST /jobs/dashboard-session, sent by the browser to /admin/queues only. */
export const QUEUE_DASHBOARD_COOKIE = 'rc_queue_dashboard';

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

function sendProblem(req: FastifyRequest, reply: FastifyReply, err: DomainError): FastifyReply {
  const { problem } = toProblem(err, req.id);
  return reply
    .code(problem.status)
    .type('application/problem+json')
    .send(JSON.stringify({ ...problem, instance: req.url.split('?')[0] }));
}

/**
 * Admins only, deny by default: the access token from the Authorization header or from the dashboard cookie, and
 * the admin role. Changes made with the cookie (retry, clean, pause) must come from this origin: the cookie is
 * SameSite=Strict, and a cross-site Origin header is refused as well. A Fastify onRequest hook: it answers the
 * refusal itself, and the dashboard's routes run only after it lets the request through.
 */
export function queueDashboardGuard(tokens: TokenService): onRequestAsyncHookHandler {
  return async (req, reply) => {
    const fromHeader = bearerToken(req.headers.authorization);
    const token = fromHeader ?? cookieValue(req.headers.cookie, QUEUE_DASHBOARD_COOKIE);
    if (!token)
      return sendProblem(
        req,
        reply,
        new DomainError('unauthenticated', 'Sign in as an administrator first (POST /jobs/dashboard-session sets the dashboard cookie).'),
      );
    let principal: Principal;
    try {
      principal = await tokens.verify(token);
    } catch (err: unknown) {
      return sendProblem(req, reply, err instanceof DomainError ? err : new DomainError('unauthenticated', 'The access token is missing, invalid or expired.'));
    }
    if (principal.role !== 'admin') return sendProblem(req, reply, new DomainError('forbidden', 'The queue dashboard is for administrators only.'));
    const origin = req.headers.origin;
    if (!fromHeader && !['GET', 'HEAD'].includes(req.method) && origin !== undefined && !sameHost(origin, req.headers.host)) {
      return sendProblem(req, reply, new DomainError('forbidden', 'Cross-site requests to the queue dashboard are refused.'));
    }
  };
}

/**
 * Mounts bull-board at /admin/queues on the api's Fastify instance (call before the app starts listening). The
 * dashboard lives outside Nest's router, so it carries its own guard instead of the global one: an onRequest hook
 * in a plugin scope of its own, which holds the dashboard's routes and nothing else.
 */
export async function mountQueueDashboard(app: NestFastifyApplication): Promise<void> {
  const queues = app.get(JobQueues, { strict: false });
  const tokens = app.get(TokenService, { strict: false });
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: queues.all().map((q) => new BullMQAdapter(q)),
    // @bull-board/fastify 9.10.1 carries its own copy of @bull-board/api 9.10.1 (ours is 9.10.2): same shape, two declarations.
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: 'Responder check-in jobs' } },
  });
  await app.register(async (scope: FastifyInstance) => {
    scope.addHook('onRequest', queueDashboardGuard(tokens));
    await scope.register(serverAdapter.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
  });
}
