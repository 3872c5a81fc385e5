/**
 * npm run bench:http — the HTTP adapter alone: the same minimal Nest application on Express (@nestjs/platform-express)
 * and on Fastify (@nestjs/platform-fastify, what the api runs), each in its own child process, with what the api puts
 * on every request whatever the adapter: the same JSON body guard while parsing (depth limit and reviver, 256 KB),
 * the global ValidationPipe with the api's options, a global guard reading the Authorization header and a catch-all
 * exception filter. Two routes: GET /health/live (the trivial route) and POST /echo, the real CheckInDto (a 1 KB
 * credential, a position UUID and an ICS 211 block) answered with a check-in-sized (~4 KB) JSON object.
 * Prints requests/s, p50/p99 and the server's CPU milliseconds per request (closed loop; POST /echo also at a fixed
 * rate below saturation), medians of alternating rounds, and the fastify/express ratios. What it leaves out on purpose: the database, verification, and the
 * middleware around them (security headers, request log, static web app, bull-board).
 * Options: --seconds N (per measurement, default 5), --rounds N (alternating rounds, median reported, default 3),
 *          --connections N (closed-loop concurrency, default 64), --rate N (POST /echo also in open loop at N arrivals
 *          per second, below saturation as check-ins run; default 500, 0 to leave out).
 * Not a test: numbers depend on the machine; docs/benchmarks.md ("bench:http") records measured figures.
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import {
  Body,
  Catch,
  Controller,
  Get,
  HttpException,
  Injectable,
  Module,
  Post,
  SetMetadata,
  UnauthorizedException,
  ValidationPipe,
  type ArgumentsHost,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, HttpAdapterHost, NestFactory, Reflector } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { json } from 'express';
import { BODY_LIMIT_BYTES, useSafeJsonParser } from '../apps/api/src/configure-app';
import { assertJsonDepth, refuseUnsafeJsonText } from '../libs/common/src/http/json-body-guard';
import { CheckInDto } from '../libs/incidents/src/check-in/dto/check-in.dto';
import { closedLoop, cpuSeconds, makeClient, openLoop, percentile, type LoadResult, type RequestSpec } from './load';

type AdapterName = 'express' | 'fastify';
const ADAPTERS: readonly AdapterName[] = ['express', 'fastify'];

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const str = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};

/** The api's limits and pipe options (apps/api/src/configure-app.ts). */
const VALIDATION = { whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: false } as const;
const BENCH_TOKEN = randomBytes(24).toString('base64url');
const TOKEN_ENV = 'BENCH_HTTP_TOKEN';

// ---------------------------------------------------------------------------------------------------------------
// The application (the same module on both adapters)

const IS_PUBLIC = 'bench:public';
const Public = (): ClassDecorator & MethodDecorator => SetMetadata(IS_PUBLIC, true);

/** Like the api's AuthGuard up to token verification (which costs the same on either adapter): metadata, header. */
@Injectable()
class BearerGuard implements CanActivate {
  private readonly token = process.env[TOKEN_ENV] ?? '';
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const { headers } = context.switchToHttp().getRequest<{ headers: IncomingHttpHeaders }>();
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(headers.authorization ?? '');
    if (!match || match[1] !== this.token) throw new UnauthorizedException('Sign in first: this route needs an access token.');
    return true;
  }
}

/** Adapter-neutral problem response (the api's filter writes through Express's response; this one through the adapter). */
@Catch()
class ProblemFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const status = statusOf(exception);
    const body = exception instanceof HttpException ? exception.getResponse() : undefined;
    const errors = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : undefined;
    const detail = exception instanceof Error ? exception.message : 'An unexpected error occurred.';
    this.adapterHost.httpAdapter.reply(
      host.switchToHttp().getResponse(),
      { type: 'about:blank', status, detail, ...(Array.isArray(errors) ? { errors } : {}) },
      status,
    );
  }
}

function statusOf(exception: unknown): number {
  if (exception instanceof HttpException) return exception.getStatus();
  const s = typeof exception === 'object' && exception !== null ? (exception as { statusCode?: unknown; status?: unknown }) : {};
  const status = typeof s.statusCode === 'number' ? s.statusCode : typeof s.status === 'number' ? s.status : 500;
  return status >= 400 && status < 600 ? status : 500;
}

@Controller('health')
@Public()
class HealthController {
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

@Controller('echo')
class EchoController {
  @Post()
  echo(@Body() body: CheckInDto): ReturnType<typeof checkInResponse> {
    return checkInResponse(body);
  }
}

@Module({
  controllers: [HealthController, EchoController],
  providers: [
    { provide: APP_GUARD, useClass: BearerGuard },
    { provide: APP_FILTER, useClass: ProblemFilter },
  ],
})
class BenchModule {}

const CHECKS = ['signature', 'key_binding', 'data_model', 'dates', 'revocation', 'suspension', 'issuer_trust', 'qualification', 'jurisdiction'];

/** Shaped like CheckInResponse (libs/incidents/src/check-in/check-in.types.ts) for an admitted check-in, ~4 KB. */
function checkInResponse(body: CheckInDto) {
  const incidentId = '6f1c2a9e-3b7d-4c1e-9a55-0d2e4f6a8b10';
  const now = new Date().toISOString();
  const did = 'did:web:boards.example.org:fl-nursing';
  return {
    attemptId: randomUUID(),
    incidentId,
    decision: 'admitted' as const,
    reasons: [] as Array<{ code: string; message: string }>,
    alreadyCheckedIn: false,
    responder: { id: randomUUID(), name: 'Dana Rivera', qualifications: ['RN'] },
    deployment: {
      id: randomUUID(),
      incidentId,
      responder: { id: randomUUID(), name: 'Dana Rivera', email: null },
      credential: {
        id: randomUUID(),
        qualification: 'RN',
        issuerId: did,
        issuerName: 'Florida Board of Nursing',
        licenseNumber: 'RN9912345',
        validUntil: '2099-01-01T00:00:00Z',
      },
      position: body.positionId ? { id: body.positionId, name: 'Triage Nurse' } : null,
      location: null,
      decision: 'admitted',
      status: 'available',
      statusReason: null,
      assignment: null,
      credentialFlag: null,
      ics211: {
        ...body.ics211,
        kind: 'Registered Nurse',
        resourceName: 'Dana Rivera (RN9912345)',
        otherQualifications: 'RN, licence RN9912345',
        preparedBy: { name: 'Check-in Scanner 12', position: 'Check-in Recorder', at: now },
      },
      checkedInAt: now,
      checkedOutAt: null,
      hoursOnScene: 0,
    },
    verification: {
      verified: true,
      checks: CHECKS.map((id) => ({
        id,
        status: 'pass',
        code: 'ok',
        message: `The ${id.replace('_', ' ')} check passed for this credential at the time of the scan.`,
      })),
      credential: {
        id: 'urn:uuid:0b8d1c5e-4f3a-4f0e-9d55-7e1f2a3b4c5d',
        type: ['VerifiableCredential', 'OpenBadgeCredential'],
        issuer: { id: did, name: 'Florida Board of Nursing' },
        subject: { name: 'Dana Rivera', licenseNumber: 'RN9912345' },
        achievement: { name: 'Registered Nurse', achievementType: 'License', qualification: 'RN' },
        validFrom: '2024-01-01T00:00:00Z',
        validUntil: '2099-01-01T00:00:00Z',
      },
      evidence: {
        format: 'vc+jwt',
        alg: 'ES256',
        kid: `${did}#key-1`,
        keySource: { url: 'https://boards.example.org/fl-nursing/did.json', fetchedAt: now, cached: true },
        status: ['revocation', 'suspension'].map((purpose) => ({
          purpose,
          listUrl: `https://boards.example.org/fl-nursing/status/${purpose}`,
          index: 42,
          set: false,
          listFetchedAt: now,
          listValidUntil: '2099-01-01T00:00:00Z',
          cached: true,
        })),
        trust: { source: 'registry', issuerId: did, jurisdictions: ['US-FL'], qualifications: ['RN'] },
        checkedAt: now,
      },
    },
    performedAt: now,
  };
}

/** JSON parsing as the api does it (express.json with the depth check and the reviver), through each adapter. */
async function createApp(adapter: AdapterName): Promise<INestApplication> {
  const logger = ['error', 'warn'] as const;
  if (adapter === 'express') {
    const app = await NestFactory.create<NestExpressApplication>(BenchModule, new ExpressAdapter(), { bodyParser: false, logger: [...logger] });
    app.disable('x-powered-by');
    app.use(
      json({
        limit: BODY_LIMIT_BYTES,
        type: ['application/json', 'application/*+json'],
        verify: (_req, _res, body) => assertJsonDepth(body),
        reviver: refuseUnsafeJsonText,
      }),
    );
    app.useGlobalPipes(new ValidationPipe(VALIDATION));
    return app;
  }
  const app = await NestFactory.create<NestFastifyApplication>(BenchModule, new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES }), {
    bodyParser: false,
    logger: [...logger],
  });
  useSafeJsonParser(app); // the api's own JSON parser
  app.useGlobalPipes(new ValidationPipe(VALIDATION));
  return app;
}

/** Child mode: one adapter, one port; exits when the parent goes away (its stdin closes). */
async function serve(adapter: AdapterName, port: number): Promise<void> {
  const app = await createApp(adapter);
  await app.listen(port, '127.0.0.1');
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
  process.stdout.write(`ready ${adapter} ${port}\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// The driver

interface Server {
  adapter: AdapterName;
  url: string;
  child: ChildProcess;
  pid: number;
  send: (spec: RequestSpec) => Promise<number>;
}

async function freePort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  return port;
}

async function startServer(adapter: AdapterName, connections: number): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', __filename, '--serve', adapter, '--port', String(port)], {
    env: { ...process.env, [TOKEN_ENV]: BENCH_TOKEN, NODE_ENV: 'production' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${adapter} server did not start within 30 s`)), 30_000);
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${adapter} server exited (${code ?? 'signal'}) before it was ready`));
    });
  });
  if (child.pid === undefined) throw new Error(`${adapter} server has no pid`);
  const url = `http://127.0.0.1:${port}`;
  return { adapter, url, child, pid: child.pid, send: makeClient(url, connections) };
}

async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = once(server.child, 'exit');
  server.child.kill('SIGTERM');
  await exited;
}

const AUTH = { authorization: `Bearer ${BENCH_TOKEN}` };
const CHECK_IN_BODY = JSON.stringify({
  // A compact JWS is about this long for a single Open Badge credential.
  credential: ['eyJhbGciOiJFUzI1NiIsInR5cCI6InZjK2p3dCJ9', randomBytes(700).toString('base64url'), randomBytes(64).toString('base64url')]
    .join('.')
    .slice(0, 1024),
  positionId: '3f9a6c1e-8b2d-4e7f-9c0a-1d2e3f4a5b6c',
  ics211: {
    state: 'FL',
    agency: 'Florida Department of Health',
    category: 'Health and Medical',
    totalPersonnel: 1,
    homeUnit: 'Tampa General Hospital',
    departureAt: '2025-03-01T06:30:00Z',
    methodOfTravel: 'POV',
  },
});

interface Route {
  name: string;
  spec: RequestSpec;
  ok: (status: number) => boolean;
  /** Open loop at this many arrivals per second instead of the closed loop. */
  rate?: number;
}
const ECHO: RequestSpec = { method: 'POST', path: '/echo', headers: AUTH, body: CHECK_IN_BODY };
function routes(rate: number): Route[] {
  return [
    { name: 'GET /health/live', spec: { method: 'GET', path: '/health/live' }, ok: (s) => s === 200 },
    { name: 'POST /echo', spec: ECHO, ok: (s) => s === 201 },
    // Below saturation, as the api runs check-ins: fewer requests per event-loop turn, so more CPU per request.
    ...(rate > 0 ? [{ name: `POST /echo ${rate}/s`, spec: ECHO, ok: (s: number) => s === 201, rate }] : []),
  ];
}

/** Both adapters must answer alike before their speed means anything: same statuses, same body. */
async function sanityCheck(servers: Server[]): Promise<number> {
  const post = (url: string, body: string, headers: Record<string, string> = AUTH) =>
    fetch(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const sizes = new Set<number>();
  for (const { adapter, url } of servers) {
    const expect = async (what: string, res: Promise<Response>, status: number): Promise<string> => {
      const r = await res;
      const text = await r.text();
      if (r.status !== status) throw new Error(`${adapter}: ${what}: expected ${status}, got ${r.status} ${text.slice(0, 300)}`);
      return text;
    };
    await expect('health', fetch(`${url}/health/live`), 200);
    const ok = JSON.parse(await expect('valid check-in body', post(url, CHECK_IN_BODY), 201)) as { deployment?: { position?: { id?: string } } };
    if (ok.deployment?.position?.id !== '3f9a6c1e-8b2d-4e7f-9c0a-1d2e3f4a5b6c') throw new Error(`${adapter}: the DTO did not reach the handler`);
    sizes.add(Buffer.byteLength(JSON.stringify(ok)));
    await expect('no Authorization header', post(url, CHECK_IN_BODY, {}), 401);
    await expect('unknown field (forbidNonWhitelisted)', post(url, JSON.stringify({ credential: 'x', extra: 1 })), 400);
    await expect('bad positionId', post(url, JSON.stringify({ credential: 'x', positionId: 'nope' })), 400);
    await expect('bad nested ics211', post(url, JSON.stringify({ credential: 'x', ics211: { state: 'Florida' } })), 400);
    await expect('NUL character (reviver)', post(url, JSON.stringify({ credential: 'a\u0000b' })), 400);
    await expect('nested 40 deep (depth guard)', post(url, `{"credential":"x","ics211":${'['.repeat(40)}${']'.repeat(40)}}`), 400);
    await expect('malformed JSON', post(url, '{"credential":'), 400);
  }
  if (sizes.size !== 1) throw new Error(`the two adapters answered differently sized bodies: ${[...sizes].join(', ')}`);
  return [...sizes][0];
}

interface Measurement {
  rate: number;
  p50: number;
  p99: number;
  cpuMs: number;
  errors: number;
}

async function measure(server: Server, route: Route, connections: number, seconds: number): Promise<Measurement> {
  const cpuBefore = cpuSeconds([server.pid]);
  const result: LoadResult = route.rate
    ? await openLoop(server.send, () => route.spec, route.rate, seconds, route.ok)
    : await closedLoop(server.send, () => route.spec, connections, seconds, route.ok);
  const cpu = cpuSeconds([server.pid]) - cpuBefore;
  return {
    rate: result.rate,
    p50: percentile(result.latenciesMs, 50),
    p99: percentile(result.latenciesMs, 99),
    cpuMs: (1000 * cpu) / Math.max(result.ok, 1),
    errors: result.errors,
  };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const seconds = opt('seconds', 5);
  const rounds = opt('rounds', 3);
  const connections = opt('connections', 64);
  const benchRoutes = routes(opt('rate', 500));
  const cores = availableParallelism();
  const loadBefore = loadavg()[0];
  const servers: Server[] = [];
  try {
    for (const adapter of ADAPTERS) servers.push(await startServer(adapter, connections));
    const responseBytes = await sanityCheck(servers);
    const openRate = benchRoutes.find((r) => r.rate)?.rate;
    console.log(
      `bench:http: Nest on Express vs Fastify, one child process each; ${connections} connections closed loop${openRate ? `, POST /echo also open loop at ${openRate}/s` : ''}; ${rounds} alternating rounds x ${seconds} s each, medians`,
    );
    console.log(
      `POST /echo: ${Buffer.byteLength(CHECK_IN_BODY)} B check-in body (CheckInDto, ValidationPipe whitelist/forbidNonWhitelisted/transform), ${responseBytes} B JSON answer`,
    );
    // Warm-up: JIT, and the closed loop's sockets opened.
    for (const server of servers)
      for (const route of benchRoutes.filter((r) => !r.rate)) await closedLoop(server.send, () => route.spec, connections, Math.min(2, seconds), route.ok);

    const results = new Map<string, Measurement[]>();
    const key = (adapter: AdapterName, route: Route) => `${adapter} ${route.name}`;
    for (let r = 0; r < rounds; r++) {
      // Alternate which adapter goes first, so a drift in background load hits both alike.
      const order = r % 2 === 0 ? servers : [...servers].reverse();
      for (const route of benchRoutes) {
        for (const server of order) {
          const m = await measure(server, route, connections, seconds);
          results.set(key(server.adapter, route), [...(results.get(key(server.adapter, route)) ?? []), m]);
        }
      }
    }

    const med = (adapter: AdapterName, route: Route, k: keyof Measurement): number => median((results.get(key(adapter, route)) ?? []).map((m) => m[k]));
    const errors = [...results.values()].flat().reduce((n, m) => n + m.errors, 0);
    console.log('');
    console.log('adapter   route                  requests/s     p50 ms     p99 ms   CPU ms/request (server)   rounds min-max');
    for (const route of benchRoutes) {
      for (const adapter of ADAPTERS) {
        const cpu = (results.get(key(adapter, route)) ?? []).map((m) => m.cpuMs);
        console.log(
          `${adapter.padEnd(9)} ${route.name.padEnd(20)} ${Math.round(med(adapter, route, 'rate'))
            .toLocaleString('en-US')
            .padStart(
              12,
            )} ${med(adapter, route, 'p50').toFixed(1).padStart(10)} ${med(adapter, route, 'p99').toFixed(1).padStart(10)} ${med(adapter, route, 'cpuMs').toFixed(3).padStart(12)}              ${Math.min(...cpu).toFixed(3)}-${Math.max(...cpu).toFixed(3)}`,
        );
      }
    }
    console.log('');
    for (const route of benchRoutes) {
      const cpuE = med('express', route, 'cpuMs');
      const cpuF = med('fastify', route, 'cpuMs');
      console.log(
        `ratio fastify/express, ${route.name.padEnd(20)} requests/s ${(med('fastify', route, 'rate') / med('express', route, 'rate')).toFixed(2)}, CPU per request ${(cpuF / cpuE).toFixed(2)} (Express costs ${(cpuE - cpuF).toFixed(3)} ms more per request)`,
      );
    }
    console.log('');
    console.log(
      `CPU ms per request is the robust figure: requests/s and latencies depend on what else runs on the ${cores} cores (the load generator shares them with the server).`,
    );
    console.log('Compare the per-request CPU difference with what one check-in costs: npm run bench:checkin prints "CPU per op" (api + PostgreSQL).');
    console.log(`errors: ${errors}; machine load average (1 min) before/after: ${loadBefore.toFixed(1)} / ${loadavg()[0].toFixed(1)} on ${cores} cores`);
  } finally {
    await Promise.all(servers.map((s) => stopServer(s)));
  }
}

const serveAdapter = str('serve');
if (serveAdapter !== undefined) {
  if (serveAdapter !== 'express' && serveAdapter !== 'fastify') throw new Error(`--serve express|fastify, not ${serveAdapter}`);
  serve(serveAdapter, opt('port', 0)).catch((err: unknown) => {
    process.stderr.write(`bench:http ${serveAdapter} server failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
} else {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench:http failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
