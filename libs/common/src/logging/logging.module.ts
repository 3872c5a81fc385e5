import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Module } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { LoggerModule, PinoLogger, type Params } from 'nestjs-pino';
import pino, { type DestinationStream, type Logger } from 'pino';
import { AppConfig } from '@app/config';

/** Fields that may hold secrets or whole credentials: never written to logs. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.token',
  '*.accessToken',
  '*.credential',
  '*.jws',
  '*.private_jwk',
  '*.privateJwk',
];

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The id of a request: the X-Request-Id the client sent when it is well formed, else a new UUID. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Compact JWS / JWT (tokens, credentials) and Bearer values, wherever they turn up in an error's text. */
const SECRET_TEXT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*|Bearer\s+[A-Za-z0-9._~+/-]+=*/g;
const scrub = (text: string, max: number): string => text.replace(SECRET_TEXT, '[redacted]').slice(0, max);

/**
 * Errors are logged as type, message, code and stack only. pino's default serializer would copy every enumerable
 * property, and driver errors carry the failed query's parameters (a whole credential, a password hash) and DETAIL
 * lines quoting the values.
 */
export function serializeError(err: unknown): Record<string, unknown> {
  // pino hands it the raw thrown value; a plain object (an error already serialized somewhere) is read the same way.
  if (typeof err !== 'object' || err === null) return { type: typeof err, message: scrub(String(err), 500) };
  const e = err as { type?: unknown; name?: unknown; message?: unknown; code?: unknown; stack?: unknown };
  const type = err instanceof Error ? err.constructor?.name ?? err.name : typeof e.type === 'string' ? e.type : typeof e.name === 'string' ? e.name : 'Error';
  return {
    type,
    message: scrub(typeof e.message === 'string' ? e.message : '', 500),
    ...(typeof e.code === 'string' || typeof e.code === 'number' ? { code: e.code } : {}),
    ...(typeof e.stack === 'string' ? { stack: scrub(e.stack, 4000) } : {}),
  };
}

/** One append-mode stream per LOG_FILE per process (e2e files start several apps; they share the file descriptor). */
const fileDestinations = new Map<string, DestinationStream>();
function fileDestination(path: string): DestinationStream {
  let destination = fileDestinations.get(path);
  if (!destination) {
    // Synchronous writes: nothing is lost when a test process or a killed service exits right after logging.
    destination = pino.destination({ dest: path, mkdir: true, sync: true });
    fileDestinations.set(path, destination);
  }
  return destination;
}

/**
 * Structured JSON logs (pino) through Nest's Logger. HTTP requests are logged by logRequests (a Fastify hook, one
 * line per response), not by nestjs-pino's pino-http middleware: that one builds a child logger per request and
 * keeps it in an AsyncLocalStorage, which costs every promise of the request a hook.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig): Params => {
        const options = {
          level: config.log.level,
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          serializers: { err: serializeError },
        };
        const logger = config.log.file ? pino(options, fileDestination(config.log.file)) : pino(options);
        // No middleware (forRoutes: []); the logger as it is, with its own serializers (pino-http would wrap them).
        return { pinoHttp: { logger, wrapSerializers: false }, forRoutes: [] };
      },
    }),
  ],
})
export class LoggingModule {}

/**
 * One line per HTTP response ("request completed": id, method, path, status, time), except health checks. Only the
 * path: a scanned badge URL may carry a credential in its query string.
 */
export function logRequests(fastify: FastifyInstance, logger?: Logger): void {
  fastify.addHook('onResponse', (req, reply, done) => {
    const log = logger ?? PinoLogger.root; // nestjs-pino's root logger, set once the logging module is up
    const path = req.url.split('?')[0];
    if (!path.startsWith('/health') && log.isLevelEnabled('info')) {
      log.info(
        { req: { id: req.id, method: req.method, path, remoteAddress: req.ip }, res: { statusCode: reply.statusCode }, responseTime: Math.round(reply.elapsedTime) },
        'request completed',
      );
    }
    done();
  });
}
