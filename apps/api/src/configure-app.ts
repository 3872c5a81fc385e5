import { BadRequestException, UnsupportedMediaTypeException, ValidationPipe } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { assertJsonDepth, DEFAULT_PROBLEM_RESPONSE, logRequests, PinoNestLogger, ProblemDetailsDto, refuseUnsafeJsonText, requestIdFor } from '@app/common';
import type { AppConfig } from '@app/config';
import { mountQueueDashboard } from '@app/jobs';
import { Metrics } from '@app/telemetry';
import { lowerCaseUuids } from './canonical-ids';
import { observeRequests } from './http-telemetry';
import { securityHeaders } from './security-headers';
import { serveWebApp } from './web-app';

export const BODY_LIMIT_BYTES = 256 * 1024;

/** Routes whose JSON body is also kept as received (`req.rawBody`), for a signature over it. */
const SIGNED_BODY_PREFIX = '/primary-source/notices/';

/** Bodies the api reads as text: a credential posted on its own (a compact JWS or an SD-JWT). */
const TEXT_TYPES = ['text/plain', 'application/vc+jwt', 'application/vp+jwt', 'application/vc+sd-jwt', 'application/dc+sd-jwt'];

/**
 * The HTTP server under Nest: Fastify, chosen for throughput (bench:http measured 0.2 to 0.5 ms less CPU per
 * request than Express, a sizeable share of a check-in; docs/check-in.md, "HTTP adapter").
 * X-Forwarded-For is believed from loopback only (a reverse proxy on the same host); the request id is the one the
 * client sent when it is well formed, else a new one, and is echoed as X-Request-Id.
 */
export function createHttpAdapter(): FastifyAdapter {
  return new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, trustProxy: 'loopback', genReqId: requestIdFor, logger: false });
}

/** Everything applied to the HTTP app beyond its modules; shared by main.ts and the e2e tests so both run the same app. */
export async function configureApp(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const logger = app.get(PinoNestLogger);
  app.useLogger(logger);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.decorateRequest('user', undefined); // set by the AuthGuard; declared up front so every request has one shape
  const headersFor = securityHeaders();
  fastify.addHook('onRequest', (req, reply, done) => {
    reply.headers(headersFor(req.host));
    reply.header('X-Request-Id', req.id); // the id in the logs and in error responses' correlationId
    done();
  });
  logRequests(fastify, logger.pino);
  observeRequests(fastify, app.get(Metrics));
  lowerCaseUuids(fastify);
  useSafeJsonParser(app);
  app.useBodyParser(TEXT_TYPES, { bodyLimit: BODY_LIMIT_BYTES }, (_req, body, done) => done(null, body.toString('utf8')));
  await serveWebApp(app, config);
  app.enableCors({ origin: config.http.corsOrigins.length > 0 ? config.http.corsOrigins : false, credentials: false });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: false }));
  await mountQueueDashboard(app); // bull-board at /admin/queues, admins only (its own guard: it is outside Nest's router)
  SwaggerModule.setup('docs', app, () => openApiDocument(app), { jsonDocumentUrl: 'docs-json' });
  app.enableShutdownHooks();
}

/** The OpenAPI document of the app's routes (/docs-json; `npm run api:types` generates the web app's types from it). */
export function openApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const openApi = new DocumentBuilder()
    .setTitle('Responder Check-in API')
    .setDescription('Credential check-in for emergency responders: verification, incidents, live board, reverification, audit.')
    .setVersion('0.1.0')
    .addBearerAuth()
    .addGlobalResponse(DEFAULT_PROBLEM_RESPONSE)
    .build();
  return SwaggerModule.createDocument(app, openApi, { extraModels: [ProblemDetailsDto] });
}

/**
 * JSON bodies (application/json and application/*+json) with limits checked while parsing: deep nesting would
 * overflow the validation pipe's stack (a 500), NUL and unpaired surrogates cannot be stored or canonicalized
 * (see json-body-guard.ts). All three answer 400, as does a body that is not JSON.
 */
export function useSafeJsonParser(app: NestFastifyApplication): void {
  for (const type of ['application/json', /^application\/[^;\s]+\+json$/]) {
    app.useBodyParser(type, { bodyLimit: BODY_LIMIT_BYTES }, (req, body, done) => {
      try {
        assertUtf8(req.headers['content-type']);
        assertJsonDepth(body);
        const text = body.toString('utf8');
        // A licensing authority's notice is verified by a signature over the exact bytes sent (libs/primary-source).
        if (req.url.startsWith(SIGNED_BODY_PREFIX)) (req as { rawBody?: string }).rawBody = text;
        done(null, JSON.parse(text, refuseUnsafeJsonText));
      } catch (err: unknown) {
        done(err instanceof SyntaxError ? new BadRequestException('The request body is not valid JSON.') : (err as Error), undefined);
      }
    });
  }
}

/** JSON is UTF-8 (RFC 8259); a body declared in another charset is refused rather than misread. */
function assertUtf8(contentType: string | undefined): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new UnsupportedMediaTypeException(`The request body is in an unsupported charset (${charset.slice(0, 40)}); send UTF-8.`);
  }
}
