/**
 * The api process as apps/api/src/main.ts starts it, with the check-in's audit entries left out: bench:checkin
 * --audit-comparison runs it to measure what the audit write costs. The audit trail is replaced through Nest's
 * dependency injection, so no production setting can turn the audit off. Audit entries appended in their own
 * statements (incident set-up, sign-ins) are still written.
 */
import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AuditTrail } from '@app/audit';
import { loadConfigOrExit } from '@app/config';
import { prepareDatabase } from '@app/db';
import { ApiModule } from '../apps/api/src/api.module';
import { configureApp, createHttpAdapter } from '../apps/api/src/configure-app';

/** Contributes nothing to a combined statement: the check-in writes no audit entry, and locks no chain head. */
@Injectable()
class CheckInAuditLeftOut extends AuditTrail {
  override appendTo(): undefined {
    return undefined;
  }
}

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  await prepareDatabase(config);
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule.forRoot(config)] })
    .overrideProvider(AuditTrail)
    .useClass(CheckInAuditLeftOut)
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(), { bufferLogs: true, bodyParser: false });
  await configureApp(app, config);
  await app.listen(config.http.port, '0.0.0.0');
}

bootstrap().catch((err: unknown) => {
  process.stderr.write(`api failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
