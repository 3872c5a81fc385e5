import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { Stream } from 'node:stream';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { App } from 'supertest/types';
import { parseConfig, type AppConfig } from '@app/config';
import { createTestDatabase, dropTestDatabase } from '@app/db';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApp, createHttpAdapter } from '../../apps/api/src/configure-app';
import type { Role } from '@app/auth';

/** A supertest parser that keeps a binary answer (a PDF, an export as streamed) as bytes: `.buffer(true).parse(asBytes)`. */
export function asBytes(res: Stream, done: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => void chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

export const ADMIN = { email: 'admin@test.example', password: 'admin-password-123' };

export interface TestEnv {
  /** A config for another process on the same database and Redis namespace (second api, worker). */
  env: Record<string, string>;
  dbUrl: string;
  drop(): Promise<void>;
}

/** A fresh database (clone of the migrated template) and a private Redis namespace for one e2e file. */
export async function createTestEnv(label: string, overrides: Record<string, string> = {}): Promise<TestEnv> {
  const dbUrl = await createTestDatabase(label);
  const safeLabel = label.replace(/[^a-z0-9]/gi, '').slice(0, 20);
  const env = {
    NODE_ENV: 'test',
    // Every e2e process logs JSON at debug level to a file of this run; the run's globalTeardown scans them for secrets.
    LOG_LEVEL: 'debug',
    LOG_FORMAT: 'json',
    LOG_FILE: join(e2eLogDir(), `${safeLabel}-${process.pid}-${randomBytes(3).toString('hex')}.log`),
    DATABASE_URL: dbUrl,
    DATABASE_POOL_SIZE: '5',
    REDIS_PREFIX: `t_${safeLabel}_${randomBytes(3).toString('hex')}`,
    BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    // Tests sign in as this admin throughout; the first sign-in's password change has tests of its own.
    BOOTSTRAP_ADMIN_MUST_CHANGE_PASSWORD: 'false',
    // Signing keys are generated per database and sealed under this key.
    KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    FETCH_INSECURE_HOSTS: 'localhost,127.0.0.1',
    FETCH_ALLOW_PRIVATE_NETWORK: 'true',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    VERIFY_RATE_LIMIT_PER_MINUTE: '1000',
    ...overrides,
  };
  return { env, dbUrl, drop: () => dropTestDatabase(dbUrl) };
}

/** Where this e2e run's log files go (set by test/support/global-setup.ts; a folder of its own outside a jest run). */
export function e2eLogDir(): string {
  return process.env.E2E_LOG_DIR ?? join(__dirname, '..', '..', 'test-artifacts', 'logs', 'adhoc');
}

export interface TestApi {
  app: NestFastifyApplication;
  config: AppConfig;
  /** Every route on the Fastify router as `METHOD /path`: Nest's, and the plugins' (web app, dashboard, Swagger). */
  routes: string[];
  http: App;
  /** Base URL when started with listen: true (websocket tests). */
  url?: string;
  close(): Promise<void>;
}

export async function startApi(
  env: Record<string, string>,
  opts: { listen?: boolean; port?: number; extraControllers?: Array<new (...args: never[]) => unknown> } = {},
): Promise<TestApi> {
  const config = parseConfig(env);
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule.forRoot(config)], controllers: opts.extraControllers ?? [] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(), { bodyParser: false, bufferLogs: true });
  const routes: string[] = [];
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      for (const method of ([] as string[]).concat(route.method)) routes.push(`${method} ${route.url}`);
    });
  await configureApp(app, config);
  let url: string | undefined;
  if (opts.listen) {
    await app.listen(opts.port ?? 0, '127.0.0.1');
    url = await app.getUrl();
    url = url.replace('[::1]', '127.0.0.1');
  } else {
    await app.init();
    await app.getHttpAdapter().getInstance().ready(); // Fastify routes exist once its plugins have loaded
  }
  return { app, config, routes, http: app.getHttpServer() as App, url, close: () => app.close() };
}

/** A port nobody listens on now (for a server whose address must be known before it starts, e.g. its did:web). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function signIn(http: App, email: string, password: string): Promise<string> {
  const res = await request(http).post('/auth/token').send({ email, password });
  if (res.status !== 200) throw new Error(`sign-in failed for ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { accessToken: string }).accessToken;
}

let userCounter = 0;
/** Creates a user through the admin API and returns its id and a token. */
export async function createUser(
  http: App,
  adminToken: string,
  role: Role,
  extra: { jurisdictions?: string[]; email?: string } = {},
): Promise<{ id: string; email: string; token: string }> {
  const email = extra.email ?? `${role}${++userCounter}-${randomBytes(2).toString('hex')}@test.example`;
  const password = `${role}-password-123`;
  const res = await request(http)
    .post('/users')
    .set('Authorization', `Bearer ${adminToken}`)
    .send({ email, password, displayName: `Test ${role}`, role, jurisdictions: extra.jurisdictions });
  if (res.status !== 201) throw new Error(`create user failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: (res.body as { id: string }).id, email, token: await signIn(http, email, password) };
}

export const bearer = (token: string): [string, string] => ['Authorization', `Bearer ${token}`];

/** Waits for the next minute if the current one is about to end, so a burst counted in one-minute windows stays in one. */
export async function awayFromMinuteEdge(): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 200));
}
export type { INestApplication };
