import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { parseConfig } from '@app/config';
import { ApiModule } from './api.module';
import { createHttpAdapter, openApiDocument } from './configure-app';

/**
 * The document /docs-json serves, built without PostgreSQL or Redis: Nest's preview mode reads the modules and
 * controllers without creating providers, so nothing connects. The URLs below are never dialled.
 */
export async function openApiDocumentOffline(): Promise<OpenAPIObject> {
  const config = parseConfig({ DATABASE_URL: 'postgres://127.0.0.1:1/openapi', REDIS_URL: 'redis://127.0.0.1:1', NODE_ENV: 'test' });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), createHttpAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    return openApiDocument(app);
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  openApiDocumentOffline()
    .then((doc) => process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`openapi document: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    });
}
