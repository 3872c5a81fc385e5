import { spawn } from 'node:child_process';
import { Controller, Get } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { createTestDatabase, dropTestDatabase, runMigrations } from '@app/db';
import { DEVELOPMENT_MATCHING_HASH_KEY } from '@app/config';
import { ADMIN, awayFromMinuteEdge, bearer, createTestEnv, createUser, signIn, startApi, type TestApi, type TestEnv } from './support/test-app';

/** A route someone forgot to give an access rule: it must be closed to everyone, even admins. */
@Controller('forgotten')
class ForgottenController {
  @Get()
  secret(): string {
    return 'should never be served';
  }
}

describe('foundation: health, auth, errors', () => {
  let env: TestEnv;
  let api: TestApi;
  let adminToken: string;

  beforeAll(async () => {
    env = await createTestEnv('foundation');
    api = await startApi(env.env, { extraControllers: [ForgottenController] });
    adminToken = await signIn(api.http, ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await api?.close();
    await env?.drop();
  });

  it('reports liveness and readiness against real PostgreSQL and Redis', async () => {
    await request(api.http).get('/health/live').expect(200, { status: 'ok' });
    const ready = await request(api.http).get('/health/ready').expect(200);
    expect(ready.body).toEqual({ status: 'ok', postgres: 'up', redis: 'up' });
  });

  it('readiness is 503 naming Redis when Redis is unreachable', async () => {
    const broken = await startApi({ ...env.env, REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const res = await request(broken.http).get('/health/ready').expect(503);
      expect(res.body).toEqual({ status: 'unavailable', postgres: 'up', redis: 'down' });
    } finally {
      await broken.close();
    }
  });

  it('a valid sign-in returns a token that works', async () => {
    const res = await request(api.http).post('/auth/token').send(ADMIN).expect(200);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, user: { email: ADMIN.email, role: 'admin' } });
    const me = await request(api.http)
      .get('/auth/me')
      .set(...bearer(res.body.accessToken))
      .expect(200);
    expect(me.body.role).toBe('admin');
  });

  it('a wrong password is 401 problem+json', async () => {
    const res = await request(api.http).post('/auth/token').send({ email: ADMIN.email, password: 'not-the-password' }).expect(401);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 401, code: 'invalid_credentials', title: 'Unauthorized' });
  });

  it('no token is 401, a forged token is 401', async () => {
    const none = await request(api.http).get('/users').expect(401);
    expect(none.body.code).toBe('unauthenticated');
    const [h, p] = adminToken.split('.');
    await request(api.http)
      .get('/users')
      .set(...bearer(`${h}.${p}.AAAA`))
      .expect(401);
  });

  it('the wrong role is 403', async () => {
    const auditor = await createUser(api.http, adminToken, 'auditor', { jurisdictions: ['US-FL'] });
    const res = await request(api.http)
      .get('/users')
      .set(...bearer(auditor.token))
      .expect(403);
    expect(res.body).toMatchObject({ code: 'forbidden', status: 403 });
  });

  it('a route without an explicit access rule is denied, even to an admin', async () => {
    const res = await request(api.http)
      .get('/forgotten')
      .set(...bearer(adminToken))
      .expect(403);
    expect(res.body.code).toBe('access_rule_missing');
    await request(api.http).get('/forgotten').expect(401);
  });

  it('rate-limits sign-in attempts per account and address', async () => {
    const limited = await startApi({ ...env.env, LOGIN_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const attempt = () => request(limited.http).post('/auth/token').send({ email: 'victim@test.example', password: 'guess-guess-guess' });
      await awayFromMinuteEdge(); // the limit counts fixed one-minute windows
      for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(401);
      const blocked = await attempt();
      expect(blocked.status).toBe(429);
      expect(blocked.body.code).toBe('rate_limited');
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it("cannot be used to lock a chosen account out: one address's failures slow that address only; many addresses slow new ones, never the owner's", async () => {
    const limited = await startApi({ ...env.env, LOGIN_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const victim = await createUser(api.http, adminToken, 'commander');
      const password = 'commander-password-123'; // createUser's password for the role
      const from = (address: string, pw: string) =>
        request(limited.http).post('/auth/token').set('X-Forwarded-For', address).send({ email: victim.email, password: pw });
      const attacker = '203.0.113.66';
      await awayFromMinuteEdge(); // the per-minute windows must not restart halfway
      for (let i = 0; i < 3; i++) expect((await from(attacker, 'guess-guess-guess')).status).toBe(401);
      for (let i = 0; i < 3; i++) expect((await from(attacker, 'guess-guess-guess')).status).toBe(429);
      // Refused before the password is looked at: the attacker's address learns nothing, even from the right one.
      expect((await from(attacker, password)).status).toBe(429);
      // The owner, from an address they never used, is not held up by any of it.
      const home = '198.51.100.7';
      expect((await from(home, password)).status).toBe(200);

      // Guessing spread over more addresses than the limit (3): addresses new to the account wait, the right
      // password included (Retry-After says how long), while the owner's own address does not.
      for (const botnet of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) expect((await from(botnet, 'guess-guess-guess')).status).toBe(401);
      const stranger = await from('192.0.2.200', password);
      expect([stranger.status, stranger.body.code]).toEqual([429, 'rate_limited']);
      expect(Number(stranger.headers['retry-after'])).toBeGreaterThan(0);
      expect((await from(home, password)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('an unknown route is 404 problem+json', async () => {
    const res = await request(api.http)
      .get('/no/such/route')
      .set(...bearer(adminToken))
      .expect(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, code: 'not_found', type: expect.stringContaining('not_found') });
  });

  it('validation errors list the fields', async () => {
    const res = await request(api.http)
      .post('/users')
      .set(...bearer(adminToken))
      .send({ email: 'nope', role: 'king' })
      .expect(400);
    expect(res.body.code).toBe('validation_failed');
    const fields = (res.body.errors as Array<{ field: string }>).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['email', 'role', 'password', 'displayName']));
  });

  it('malformed JSON is a 400, not a 500', async () => {
    const res = await request(api.http).post('/auth/token').set('Content-Type', 'application/json').send('{"email":').expect(400);
    expect(res.body.code).toBe('malformed_request');
  });

  it('publishes the server keys as a JWKS with no private parts', async () => {
    const res = await request(api.http).get('/.well-known/jwks.json').expect(200);
    expect(res.body.keys.length).toBeGreaterThanOrEqual(1);
    expect(res.body.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
    expect(res.body.keys[0].d).toBeUndefined();
  });

  it('serves OpenAPI generated from the code', async () => {
    const res = await request(api.http).get('/docs-json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/auth/token', '/health/ready', '/users']));
  });

  it('sends security headers', async () => {
    const res = await request(api.http).get('/health/live');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

describe('foundation: migrations under an advisory lock', () => {
  it('two processes migrating at the same moment run each migration once', async () => {
    const url = await createTestDatabase('race');
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      // The clone is already migrated: roll it back to empty so both racers have work to do.
      await client.query(`DROP SCHEMA public CASCADE; CREATE SCHEMA public;`);
      const [a, b] = await Promise.all([runMigrations(url, DEVELOPMENT_MATCHING_HASH_KEY), runMigrations(url, DEVELOPMENT_MATCHING_HASH_KEY)]);
      const total = a.length + b.length;
      expect(Math.min(a.length, b.length)).toBe(0);
      const rows = await client.query('SELECT name FROM schema_migrations');
      expect(rows.rowCount).toBe(total);
      expect(new Set(rows.rows.map((r: { name: string }) => r.name)).size).toBe(total);
    } finally {
      await client.end();
      await dropTestDatabase(url);
    }
  });
});

describe('foundation: the README run command', () => {
  it('scripts/start.mjs (npm start after the build) brings up api and worker, and /health/ready answers 200', async () => {
    const env = await createTestEnv('start');
    const port = 20000 + Math.floor(Math.random() * 20000);
    const proc = spawn(process.execPath, ['scripts/start.mjs'], {
      cwd: `${__dirname}/..`,
      env: { ...process.env, ...env.env, PORT: String(port), LOG_FILE: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      let ready: { status: number; body: unknown } | undefined;
      for (let i = 0; i < 60 && ready?.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 500));
        ready = await fetch(`http://127.0.0.1:${port}/health/ready`)
          .then(async (r) => ({ status: r.status, body: await r.json() }))
          .catch(() => undefined);
      }
      expect(ready).toEqual({ status: 200, body: { status: 'ok', postgres: 'up', redis: 'up' } });
      expect(stderr).not.toMatch(/exited/);
    } finally {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
      await env.drop();
    }
  });
});

describe('foundation: configuration', () => {
  it('an invalid variable stops start-up with one clear line', async () => {
    const { stderr, code } = await new Promise<{ stderr: string; code: number | null }>((resolve) => {
      const proc = spawn(process.execPath, ['dist/apps/api/src/main.js'], { env: { ...process.env, PORT: 'eighty' }, cwd: `${__dirname}/..` });
      let err = '';
      proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
      proc.on('close', (c) => resolve({ stderr: err, code: c }));
    });
    expect(code).toBe(1);
    expect(
      stderr
        .trim()
        .split('\n')
        .filter((l) => !l.includes('ExperimentalWarning') && !l.includes('--trace-warnings')),
    ).toEqual(['Invalid configuration: PORT must be a whole number from 0 to 65535']);
  });
});
