import { INestApplication, ValidationPipe } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { json } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { assertJsonDepth, refuseUnsafeJsonText } from '@app/common';
import type { AppConfig } from '@app/config';
import { mountQueueDashboard } from '@app/jobs';
import { serveWebApp } from './web-app';

export const BODY_LIMIT = '256kb';

/** Everything applied to the HTTP app beyond its modules; shared by main.ts and the e2e tests so both run the same app. */
export function configureApp(app: INestApplication, config: AppConfig): void {
  const express = app as NestExpressApplication;
  express.useLogger(app.get(Logger));
  express.set('trust proxy', 'loopback');
  express.disable('x-powered-by');
  // Depth and text limits while parsing: deep nesting would overflow the validation pipe's stack (a 500), NUL and
  // unpaired surrogates cannot be stored or canonicalized (see json-body-guard.ts). Both answer 400.
  // (express.json directly: Nest's useBodyParser options leave out `verify`.)
  express.use(
    json({
      limit: BODY_LIMIT,
      type: ['application/json', 'application/*+json'],
      verify: (_req, _res, body) => assertJsonDepth(body),
      reviver: refuseUnsafeJsonText,
    }),
  );
  express.useBodyParser('text', { limit: BODY_LIMIT, type: ['text/plain', 'application/vc+jwt', 'application/vp+jwt'] });
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          connectSrc: ["'self'", 'ws:', 'wss:'],
          mediaSrc: ["'self'", 'data:', 'blob:'],
          frameAncestors: ["'none'"],
        },
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  serveWebApp(express, config);
  app.enableCors({ origin: config.http.corsOrigins.length > 0 ? config.http.corsOrigins : false, credentials: false });
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: false }),
  );
  const openApi = new DocumentBuilder()
    .setTitle('Responder Check-in API')
    .setDescription('Credential check-in for emergency responders: verification, incidents, live board, reverification, audit.')
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  mountQueueDashboard(app); // bull-board at /admin/queues, admins only (its own guard: it is outside Nest's router)
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApi), { jsonDocumentUrl: 'docs-json' });
  app.enableShutdownHooks();
}
