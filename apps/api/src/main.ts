import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfigOrExit } from '@app/config';
import { prepareDatabase } from '@app/db';
import { ApiModule } from './api.module';
import { configureApp, createHttpAdapter } from './configure-app';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  await prepareDatabase(config);
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), createHttpAdapter(), { bufferLogs: true, bodyParser: false });
  await configureApp(app, config);
  await app.listen(config.http.port, '0.0.0.0');
}

bootstrap().catch((err: unknown) => {
  process.stderr.write(`api failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
