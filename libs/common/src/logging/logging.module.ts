import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module } from '@nestjs/common';
import { LoggerModule, type Params } from 'nestjs-pino';
import pino, { type DestinationStream } from 'pino';
import { AppConfig } from '@app/config';

/** Fields that may hold secrets or whole credentials: never written to logs. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.credential',
  '*.jws',
  '*.private_jwk',
  '*.privateJwk',
];

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

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

/** Structured JSON logs (pino) with a request id on every line; the id is echoed as X-Request-Id. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const options = {
          level: config.log.level,
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          genReqId: (req: IncomingMessage, res: ServerResponse) => {
            const given = req.headers['x-request-id'];
            const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
            res.setHeader('X-Request-Id', id);
            return id;
          },
          // Only the path: a scanned badge URL may carry a credential in its query string.
          serializers: {
            req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
              id: req.id,
              method: req.method,
              path: String(req.url).split('?')[0],
              remoteAddress: req.remoteAddress,
            }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
          autoLogging: { ignore: (req: IncomingMessage) => String(req.url).startsWith('/health') },
        };
        const pinoHttp: Params['pinoHttp'] = config.log.file ? [options, fileDestination(config.log.file)] : options;
        return { pinoHttp };
      },
    }),
  ],
})
export class LoggingModule {}
