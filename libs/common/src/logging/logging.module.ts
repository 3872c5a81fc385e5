import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Global, Module, type LoggerService } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import pino, { type DestinationStream, type Level, type Logger, type LoggerOptions } from 'pino';
import PinoPretty from 'pino-pretty';
import { AppConfig, type LogFormat } from '@app/config';

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
  const type = err instanceof Error ? (err.constructor?.name ?? err.name) : typeof e.type === 'string' ? e.type : typeof e.name === 'string' ? e.name : 'Error';
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

/** `auto` is pretty for a person at a terminal, JSON for files, pipes and log collectors. */
export function chooseLogFormat(format: LogFormat, toTerminal: boolean): 'pretty' | 'json' {
  return format === 'auto' ? (toTerminal ? 'pretty' : 'json') : format;
}

/**
 * The process's pino logger: JSON lines, or pino-pretty's text (colours on a terminal only), to LOG_FILE or stdout.
 * Redaction and serializers apply before either format, so the pretty text leaks nothing the JSON would not.
 */
export function createLogger(log: AppConfig['log'], stdoutIsTerminal = process.stdout.isTTY === true): Logger {
  const options: LoggerOptions = { level: log.level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, serializers: { err: serializeError } };
  const toTerminal = !log.file && stdoutIsTerminal;
  if (chooseLogFormat(log.format, toTerminal) === 'json') return log.file ? pino(options, fileDestination(log.file)) : pino(options);
  const pretty = PinoPretty({
    destination: log.file ? fileDestination(log.file) : 1,
    sync: true,
    colorize: toTerminal,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,context,req,res,responseTime',
    messageFormat: prettyMessage,
  });
  return pino(options, pretty);
}

/** "[Context] message", and a request line as "GET /path 200 3 ms" (its fields are left out of the pretty text). */
function prettyMessage(line: Record<string, unknown>, messageKey: string): string {
  const context = typeof line.context === 'string' ? `[${line.context}] ` : '';
  const message = typeof line[messageKey] === 'string' ? (line[messageKey] as string) : '';
  const req = line.req as { method?: string; path?: string } | undefined;
  const res = line.res as { statusCode?: number } | undefined;
  const request = req && res ? ` ${req.method} ${req.path} ${res.statusCode} ${String(line.responseTime)} ms` : '';
  return `${context}${message}${request}`;
}

/**
 * Nest's LoggerService on pino: Nest's own lines and every `new Logger(context)` come out as pino lines with a
 * `context` field. An object message is merged into the line (`logger.error({ err }, 'text')`).
 */
export class PinoNestLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    // Nest appends the logger's context as the last parameter (after an undefined when there is nothing else).
    const context = params.length > 0 ? params.pop() : undefined;
    const fields: Record<string, unknown> = typeof context === 'string' ? { context } : {};
    const text = typeof params[0] === 'string' ? params[0] : undefined;
    if (message instanceof Error) {
      fields.err = message;
      this.pino[level](fields, text);
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level](Object.assign(fields, message), text);
    } else if (level === 'error' && text !== undefined && /\n\s*at /.test(text)) {
      // Nest's exception handlers call error(message, stack, context): the stack becomes the error's.
      fields.err = Object.assign(new Error(String(message)), { stack: text });
      this.pino.error(fields, String(message));
    } else {
      this.pino[level](fields, String(message));
    }
  }
}

/** The logger Nest and the request hook use, built from the configuration (api, worker, benchmarks). */
@Global()
@Module({
  providers: [{ provide: PinoNestLogger, inject: [AppConfig], useFactory: (config: AppConfig) => new PinoNestLogger(createLogger(config.log)) }],
  exports: [PinoNestLogger],
})
export class LoggingModule {}

/**
 * One line per HTTP response ("request completed": id, method, path, status, time), except health checks. Only the
 * path: a scanned badge URL may carry a credential in its query string.
 */
export function logRequests(fastify: FastifyInstance, log: Logger): void {
  fastify.addHook('onResponse', (req, reply, done) => {
    const path = req.url.split('?')[0];
    if (!path.startsWith('/health') && log.isLevelEnabled('info')) {
      log.info(
        {
          req: { id: req.id, method: req.method, path, remoteAddress: req.ip },
          res: { statusCode: reply.statusCode },
          responseTime: Math.round(reply.elapsedTime),
        },
        'request completed',
      );
    }
    done();
  });
}
