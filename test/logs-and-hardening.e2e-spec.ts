import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Controller, Get } from '@nestjs/common';
import { getDataSourceToken, InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import request from 'supertest';
import { io } from 'socket.io-client';
import { Public } from '@app/auth';
import { CredentialVerifier } from '@app/credentials';
import { LIVE_MAX_MESSAGE_BYTES } from '@app/realtime';
import { startIssuerServer, type IssuerServer } from '../apps/issuer/src';
import { BODY_LIMIT_BYTES } from '../apps/api/src/configure-app';
import { scanText, TEST_PASSWORDS } from './support/log-scan';
import { connectLive, CuttableProxy } from './support/live-harness';
import { ADMIN, awayFromMinuteEdge, bearer, createTestEnv, createUser, signIn, startApi, type TestApi, type TestEnv } from './support/test-app';
import { createIncident, DEFAULT_TRUST, staffFor, trustBoard, type IncidentFixture } from './support/world';

/**
 * Hardening of the api: security headers, a strict CORS policy, body size and shape limits, rate limits on sign-in
 * and on check-in per user (held without Redis too), the websocket message size limit, 500s that leak nothing, and
 * logs (written to a file at debug level, as in every e2e run) that never contain tokens, passwords or whole
 * credentials.
 */
jest.setTimeout(120_000);

const ALLOWED_ORIGIN = 'https://ops.example.org';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The promise's value, or `fallback` after `ms` (the timer is cleared either way, so jest can exit). */
async function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whatever these routes are given, the secret ends up in an error: the 500 must not show it, the log must not keep it. */
let planted = '';
@Controller('hardening-probe')
@Public()
class FailingProbeController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** An unexpected exception whose message and stack would give away internals (and a credential). */
  @Get('throw')
  throwing(): never {
    throw new Error(`internal failure in /work/main/libs/secret-module.ts while handling ${planted}`);
  }

  /** A driver error: pg puts the failing parameter in the message and the query parameters on the error. */
  @Get('db')
  async dbError(): Promise<never> {
    await this.db.query('SELECT $1::int AS n', [planted]);
    throw new Error('unreachable');
  }
}

describe('hardening and logs', () => {
  let issuer: IssuerServer;
  let env: TestEnv;
  let api: TestApi & { url: string };
  let adminToken: string;
  let incident: IncidentFixture;
  let checkin: { id: string; token: string };
  let logFile: string;

  beforeAll(async () => {
    issuer = await startIssuerServer({ port: 0 });
    env = await createTestEnv('hardening', { CORS_ORIGINS: ALLOWED_ORIGIN, LOGIN_RATE_LIMIT_PER_MINUTE: '5' });
    logFile = env.env.LOG_FILE;
    const started = await startApi(env.env, { listen: true, extraControllers: [FailingProbeController] });
    api = { ...started, url: started.url! };
    adminToken = await signIn(api.http, ADMIN.email, ADMIN.password);
    for (const seed of DEFAULT_TRUST) await trustBoard(api.http, adminToken, issuer, seed);
    incident = await createIncident(api.http, adminToken);
    checkin = await staffFor(api.http, adminToken, incident.id, 'checkin');
    planted = (await issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Planted Secret' } })).jws;
  });

  afterAll(async () => {
    await api?.close();
    await issuer?.close();
    await env?.drop();
  });

  describe('security headers', () => {
    it.each([
      ['a public route', '/health/live', 200],
      ['a refused API route', '/users', 401],
      ['an unknown route', '/no-such-thing', 404],
    ])('on %s', async (_what, path, status) => {
      const res = await request(api.http).get(path).expect(status);
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'referrer-policy': 'no-referrer',
        'strict-transport-security': expect.stringMatching(/max-age=\d+/),
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-resource-policy': 'same-origin',
        'x-dns-prefetch-control': 'off',
      });
      expect(res.headers['content-security-policy']).toEqual(expect.stringContaining("default-src 'self'"));
      expect(res.headers['content-security-policy']).toEqual(expect.stringContaining("frame-ancestors 'none'"));
      expect(res.headers['content-security-policy']).not.toContain("script-src 'self' 'unsafe-inline'");
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it("lets the page connect to its own origin only: connect-src names this host's websockets, not any ws:/wss: host", async () => {
      const connectSrc = (res: request.Response) => /(?:^|;)\s*connect-src ([^;]*)/.exec(res.headers['content-security-policy'] as string)?.[1];
      const host = new URL(api.url).host;
      expect(connectSrc(await request(api.http).get('/health/live'))).toBe(`'self' ws://${host} wss://${host}`);
      expect(connectSrc(await request(api.http).get('/app/').set('Host', 'ops.example.org'))).toBe("'self' ws://ops.example.org wss://ops.example.org");
      // A Host header that is not a plain host name cannot write into the policy.
      expect(connectSrc(await request(api.http).get('/health/live').set('Host', "evil.example 'unsafe-inline'"))).toBe("'self'");
    });
  });

  describe('CORS: only CORS_ORIGINS', () => {
    it('answers a preflight from an allowed origin, with no credentials and no wildcard', async () => {
      const res = await request(api.http)
        .options(`/incidents/${incident.id}/check-ins`)
        .set('Origin', ALLOWED_ORIGIN)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization,content-type,idempotency-key');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      const get = await request(api.http).get('/health/live').set('Origin', ALLOWED_ORIGIN).expect(200);
      expect(get.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    });

    it.each(['https://evil.example', 'https://ops.example.org.evil.example', 'http://ops.example.org', 'null'])('gives %s nothing', async (origin) => {
      const preflight = await request(api.http).options('/incidents').set('Origin', origin).set('Access-Control-Request-Method', 'POST');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      const get = await request(api.http).get('/health/live').set('Origin', origin);
      expect(get.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('without CORS_ORIGINS no origin is allowed at all', async () => {
      const closed = await startApi({ ...env.env, CORS_ORIGINS: '' });
      try {
        const res = await request(closed.http).options('/incidents').set('Origin', ALLOWED_ORIGIN).set('Access-Control-Request-Method', 'GET');
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
      } finally {
        await closed.close();
      }
    });
  });

  describe('body limits', () => {
    const scan = (body: string | object, contentType = 'application/json', device = randomUUID()) => {
      const req = request(api.http)
        .post(`/incidents/${incident.id}/check-ins`)
        .set(...bearer(adminToken))
        .set('X-Device-Id', device)
        .set('Content-Type', contentType);
      return req.send(body);
    };

    it(`a body over ${BODY_LIMIT_BYTES} bytes is 413, JSON or text`, async () => {
      const json = await scan({ credential: 'A'.repeat(300 * 1024) });
      expect(json.status).toBe(413);
      expect(json.body).toMatchObject({ code: 'payload_too_large', status: 413 });
      const text = await scan('A'.repeat(300 * 1024), 'text/plain');
      expect(text.status).toBe(413);
      const verify = await request(api.http)
        .post('/credentials/verify')
        .set(...bearer(adminToken))
        .set('Content-Type', 'application/vc+jwt')
        .send('A'.repeat(300 * 1024));
      expect(verify.status).toBe(413);
    });

    it('a credential over 64 KiB is 400 naming the field; exactly 64 KiB is read (and denied as garbage)', async () => {
      const over = await scan({ credential: 'A'.repeat(64 * 1024 + 1) });
      expect(over.status).toBe(400);
      expect(over.body.code).toBe('validation_failed');
      expect(over.body.errors.map((e: { field: string }) => e.field)).toContain('credential');
      const at = await scan({ credential: 'A'.repeat(64 * 1024) });
      expect(at.status).toBe(201);
      expect(at.body.decision).toBe('denied');
    });

    it('a body nested deeper than 32 levels is 400, not a stack overflow', async () => {
      const deep = `{"credential":"x","ics211":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
      const res = await scan(deep);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'malformed_request', detail: expect.stringContaining('deeper than 32 levels') });
      const arrays = await scan(`{"credential":${'['.repeat(40)}${']'.repeat(40)}}`);
      expect(arrays.status).toBe(400);
      // Brackets inside strings are text, not nesting.
      const inString = await scan({ credential: '['.repeat(1000) });
      expect(inString.status).toBe(201);
    });

    it('NUL characters and unpaired surrogates in a body are 400 (they cannot be stored or canonicalized)', async () => {
      for (const raw of [
        '{"credential":"abc\\u0000def"}',
        '{"credential":"\\ud800"}',
        '{"credential":"x","ics211":{"homeUnit":"\\udc00a"}}',
        '{"cred\\u0000ential":"x"}',
      ]) {
        const res = await scan(raw);
        expect({ raw, status: res.status, code: res.body.code }).toEqual({ raw, status: 400, code: 'malformed_request' });
      }
      // A proper surrogate pair is just a character.
      const emoji = await scan({ credential: 'hello 🚑' });
      expect(emoji.status).toBe(201);
    });

    it('an unsupported charset is refused as bad input, not a 500', async () => {
      const res = await scan('{"credential":"x"}', 'application/json; charset=x-klingon');
      expect([400, 415]).toContain(res.status);
      expect(res.body.detail).toContain('unsupported charset');
      expect(['malformed_request', 'unsupported_media_type']).toContain(res.body.code);
    });
  });

  describe('rate limits', () => {
    let limited: TestApi;

    beforeAll(async () => {
      limited = await startApi({ ...env.env, CHECKIN_RATE_LIMIT_PER_MINUTE: '5' });
    });
    afterAll(async () => limited?.close());

    it('sign-in: per account and address, 429 with Retry-After once the limit is used up', async () => {
      await awayFromMinuteEdge();
      const email = `victim-${randomUUID()}@test.example`;
      const attempt = () => request(api.http).post('/auth/token').send({ email, password: 'guess-guess-guess' });
      for (let i = 0; i < 5; i++) expect((await attempt()).status).toBe(401);
      const refused = await attempt();
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe('rate_limited');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('check-in: per user, counted before the badge is verified; a new X-Device-Id per scan gets no more; a colleague is not held up', async () => {
      await awayFromMinuteEdge();
      const verify = jest.spyOn(limited.app.get(CredentialVerifier), 'verify');
      const scanFrom = (token: string, device: string) =>
        request(limited.http)
          .post(`/incidents/${incident.id}/check-ins`)
          .set(...bearer(token))
          .set('X-Device-Id', device)
          .set('Idempotency-Key', randomUUID())
          .send({ credential: 'not a credential' });
      try {
        const scanner = await staffFor(api.http, adminToken, incident.id, 'checkin');
        const devices = Array.from({ length: 7 }, (_, i) => `scanner-${randomUUID().slice(0, 8)}-${i}`);
        for (const device of devices.slice(0, 5)) expect((await scanFrom(scanner.token, device)).status).toBe(201);
        expect(verify).toHaveBeenCalledTimes(5);
        for (const device of [devices[0], devices[5], devices[6]]) {
          const refused = await scanFrom(scanner.token, device);
          expect([device, refused.status, refused.body.code]).toEqual([device, 429, 'rate_limited']);
          expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
        }
        // Refused before any verification work, and nothing recorded.
        expect(verify).toHaveBeenCalledTimes(5);
        const [{ recorded }] = (await limited.app
          .get<DataSource>(getDataSourceToken())
          .query('SELECT count(*)::int AS recorded FROM check_in_attempt WHERE performed_by = $1', [scanner.id])) as Array<{ recorded: number }>;
        expect(recorded).toBe(5);
        const colleague = await staffFor(api.http, adminToken, incident.id, 'checkin');
        expect((await scanFrom(colleague.token, devices[0])).status).toBe(201);
      } finally {
        verify.mockRestore();
      }
    });

    it('with Redis unreachable, each process still counts on its own: the limit holds', async () => {
      const proxy = new CuttableProxy();
      const port = await proxy.start();
      const cut = await startApi({ ...env.env, REDIS_URL: `redis://127.0.0.1:${port}`, CHECKIN_RATE_LIMIT_PER_MINUTE: '3', VERIFY_RATE_LIMIT_PER_MINUTE: '3' });
      try {
        const scanner = await staffFor(api.http, adminToken, incident.id, 'checkin');
        await proxy.cut();
        await awayFromMinuteEdge();
        const verify = () =>
          request(cut.http)
            .post('/credentials/verify')
            .set(...bearer(scanner.token))
            .send({ verifiableCredential: 'not a credential' });
        const scan = () =>
          request(cut.http)
            .post(`/incidents/${incident.id}/check-ins`)
            .set(...bearer(scanner.token))
            .set('Idempotency-Key', randomUUID())
            .send({ credential: 'not a credential' });
        for (let i = 0; i < 3; i++) expect((await verify()).status).toBe(400);
        expect((await verify()).status).toBe(429);
        for (let i = 0; i < 3; i++) expect((await scan()).status).toBe(201);
        const refused = await scan();
        expect([refused.status, refused.body.code]).toEqual([429, 'rate_limited']);
      } finally {
        await cut.close();
        await proxy.close();
      }
    });
  });

  describe('websocket', () => {
    it(`a /live message over ${LIVE_MAX_MESSAGE_BYTES} bytes closes the connection; a normal one is answered`, async () => {
      const socket = await connectLive(api.url, adminToken);
      try {
        const small = await socket.timeout(5000).emitWithAck('subscribe', { incidentId: incident.id });
        expect(small.ok).toBe(true);
        const closed = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
        socket.emit('subscribe', { incidentId: 'x'.repeat(LIVE_MAX_MESSAGE_BYTES + 1) } as never, () => undefined);
        const reason = await within(closed, 5000, 'still connected');
        expect(reason).toBe('transport close');
      } finally {
        socket.close();
      }
    });

    it('the long-polling transport has the same limit', async () => {
      const socket = io(`${api.url}/live`, { auth: { token: adminToken }, transports: ['polling'], forceNew: true, reconnection: false });
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', reject);
        });
        const closed = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
        socket.emit('subscribe', { incidentId: 'x'.repeat(LIVE_MAX_MESSAGE_BYTES * 4) });
        const reason = await within(closed, 5000, 'still connected');
        expect(reason).not.toBe('still connected');
      } finally {
        socket.close();
      }
    });
  });

  describe('errors', () => {
    it('an unexpected error is a 500 problem with a correlation id and nothing else: no message, no stack, no path', async () => {
      for (const path of ['/hardening-probe/throw', '/hardening-probe/db']) {
        const res = await request(api.http).get(path).expect(500);
        expect(res.body).toEqual({
          type: 'https://responder-checkin.dev/problems/internal_error',
          title: 'Internal Server Error',
          status: 500,
          detail: 'An unexpected error occurred. Quote the correlation id when reporting it.',
          code: 'internal_error',
          correlationId: res.headers['x-request-id'],
          instance: path,
        });
        expect(res.text).not.toMatch(/secret-module|\.ts:\d+|at [\w.]+ \(|eyJ|invalid input syntax/);
      }
    });
  });

  describe('logs', () => {
    it('the run writes JSON logs at debug level to LOG_FILE, with every request, and no token, password or credential', async () => {
      // Traffic that carries every kind of secret: passwords, tokens, credentials in bodies and URLs, errors quoting them.
      const user = await createUser(api.http, adminToken, 'commander');
      await request(api.http)
        .patch(`/users/${user.id}`)
        .set(...bearer(adminToken))
        .send({ password: 'a-brand-new-password-1' })
        .expect(200);
      await request(api.http).post('/auth/token').send({ email: ADMIN.email, password: 'not-the-password' }).expect(401);
      await request(api.http)
        .get('/auth/me')
        .set(...bearer(user.token));
      await request(api.http).get('/users').set('Authorization', `Bearer ${planted}`).expect(401);
      await request(api.http)
        .post(`/incidents/${incident.id}/check-ins`)
        .set(...bearer(adminToken))
        .set('X-Device-Id', 'log-test')
        .send({ credential: planted })
        .expect(201);
      await request(api.http)
        .post(`/incidents/${incident.id}/check-ins?vc=${planted}`)
        .set(...bearer(adminToken))
        .set('X-Device-Id', 'log-test')
        .send({ credential: `https://badge.example/v?vc=${planted}` })
        .expect(201);
      await request(api.http)
        .post('/credentials/verify')
        .set(...bearer(adminToken))
        .send({ verifiableCredential: planted })
        .expect(200);
      await request(api.http).get(`/hardening-probe/throw?token=${adminToken}`).expect(500);
      await request(api.http).get('/hardening-probe/db').expect(500);
      const socket = await connectLive(api.url, adminToken);
      socket.close();
      await sleep(200);

      const text = readFileSync(logFile, 'utf8');
      const lines = text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { level: number; msg?: string; req?: { path?: string }; err?: { message?: string; stack?: string } });
      // Written, with request lines and the two unexpected errors (their stack kept for us, scrubbed).
      expect(env.env.LOG_LEVEL).toBe('debug');
      expect(lines.length).toBeGreaterThan(50);
      expect(lines.filter((l) => l.msg === 'request completed').length).toBeGreaterThan(20);
      const errors = lines.filter((l) => l.msg === 'unexpected error');
      expect(errors.length).toBeGreaterThanOrEqual(2);
      expect(errors.some((l) => l.err?.stack?.includes('secret-module'))).toBe(true);
      expect(errors.some((l) => l.err?.message?.includes('invalid input syntax for type integer'))).toBe(true);
      // Paths only: the query string (which may carry a credential or a token) is never logged.
      expect(lines.some((l) => l.req?.path?.includes('?'))).toBe(false);

      const leaks = scanText(text, logFile);
      expect(leaks.map((l) => `${l.kind} line ${l.line}: ${l.excerpt}`)).toEqual([]);
      expect(text).not.toContain(planted.split('.')[1].slice(0, 40));
      for (const password of TEST_PASSWORDS) expect(text).not.toContain(password);
    });

    it('the scanner finds what it looks for (so a clean scan means something)', () => {
      const leaks = scanText(
        [
          JSON.stringify({ msg: 'oops', credential: planted }),
          `{"headers":{"authorization":"Bearer ${adminToken}"}}`,
          `{"body":{"password":"${ADMIN.password}"}}`,
          '{"password":"[redacted]","credential":"[redacted]"}',
        ].join('\n'),
      );
      expect(new Set(leaks.map((l) => l.kind))).toEqual(new Set(['jws', 'bearer', 'password', 'unredacted-field']));
      expect(leaks.every((l) => l.line !== 4)).toBe(true);
      expect(leaks.map((l) => l.excerpt).join('\n')).not.toContain(planted);
    });
  });
});
