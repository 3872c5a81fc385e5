/**
 * npm run bench:checkin — check-in throughput and latency against the real database, next to two limits measured
 * in the same run: the framework's trivial route and the raw insert of the same rows with pg.
 * Options: --seconds N (per phase, default 10), --rate N (open-loop arrivals per second, default 500),
 *          --scanners N (closed-loop concurrency, default 64), --api-processes N (default: half the cores),
 *          --audit-comparison (also run with the audit write left out).
 * Environment: BENCH_API_PROFILE=<folder> writes a CPU profile of each api process there (bench/api-profiler.ts).
 * Besides rates and latencies it prints, for saturation and for the open loop, the CPU each check-in cost (api,
 * PostgreSQL, load generator, whole machine) and how much of the time the api's event loop ran and waited for a core:
 * at 500/s batches are small and a check-in costs more than at saturation (docs/benchmarks.md, "bench:checkin").
 *
 * Node runs a process's JavaScript on one core, so the api is deployed as several processes behind the load
 * balancer (docs/check-in.md, "Scaling"); the load generator spreads requests over them round robin, as the
 * balancer would. With more than one, saturation is also measured against a single api process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { ensureDatabaseExists, runMigrations } from '@app/db';
import { DEVELOPMENT_MATCHING_HASH_KEY } from '@app/config';
import { startIssuerServer, type IssuerServer } from '../apps/issuer/src';
import {
  closedLoop,
  cpuSeconds,
  machineCpuSeconds,
  mainThreadSchedule,
  makeBalancedClient,
  makeClient,
  openLoop,
  percentile,
  type LoadResult,
  type RequestSpec,
} from './load';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const SECONDS = opt('seconds', 10);
const RATE = opt('rate', 500);
const SCANNERS = opt('scanners', 64);
// Half the cores by default: PostgreSQL runs on the same machine and needs the other half (docs/check-in.md, "Scaling").
const API_PROCESSES = opt('api-processes', Math.max(1, Math.floor(availableParallelism() / 2)));
const AUDIT_COMPARISON = args.includes('--audit-comparison');
const SERVER = 'postgres://postgres@127.0.0.1:5432';
const POOL_SIZE = 24;
const BOARDS: Array<[string, string]> = [
  ['fl-nursing', 'RN'],
  ['fl-ems', 'PARAMEDIC'],
  ['fl-medicine', 'MD'],
  ['nremt', 'EMT'],
];

async function freePort(): Promise<number> {
  const srv = createServer().listen(0);
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  return port;
}

async function freshDatabase(name: string): Promise<string> {
  const admin = new Client({ connectionString: `${SERVER}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  const url = `${SERVER}/${name}`;
  await ensureDatabaseExists(url);
  await runMigrations(url, DEVELOPMENT_MATCHING_HASH_KEY);
  return url;
}

/** The api as deployed; the audit comparison's api leaves the check-in's audit write out (bench/api-without-check-in-audit.ts). */
const API_ENTRY = 'dist/apps/api/src/main.js';
const API_WITHOUT_CHECK_IN_AUDIT_ENTRY = join(__dirname, 'api-without-check-in-audit.js');

async function startApi(dbUrl: string, extraEnv: Record<string, string> = {}, entry = API_ENTRY): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  // The api's node flags as deployed (docker/Dockerfile, scripts/start.mjs).
  const nodeFlags = ['--disable-warning=ExperimentalWarning', '--max-semi-space-size=64'];
  // BENCH_API_PROFILE=<folder>: a CPU profile of each api process, written when it is stopped (bench/api-profiler.ts).
  const profiler = process.env.BENCH_API_PROFILE ? ['--require', join(__dirname, 'api-profiler.js')] : [];
  const child = spawn(process.execPath, [...nodeFlags, ...profiler, entry], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      DATABASE_URL: dbUrl,
      DATABASE_POOL_SIZE: String(POOL_SIZE),
      REDIS_PREFIX: `bench_${randomUUID().slice(0, 8)}`,
      LOG_LEVEL: 'warn',
      BOOTSTRAP_ADMIN_EMAIL: 'bench@example.org',
      BOOTSTRAP_ADMIN_PASSWORD: 'bench-password-123',
      BOOTSTRAP_ADMIN_MUST_CHANGE_PASSWORD: 'false',
      FETCH_INSECURE_HOSTS: '127.0.0.1',
      FETCH_ALLOW_PRIVATE_NETWORK: 'true',
      CHECKIN_RATE_LIMIT_PER_MINUTE: '100000',
      LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
      ...extraEnv,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return { url, child };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('api did not start');
}

async function json<T>(url: string, init: RequestInit & { token?: string; body?: string }): Promise<T> {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) } });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** Trust registry, an incident and a check-in user, through the API as an agency would. */
async function seed(api: string, issuer: IssuerServer): Promise<{ token: string; incidentId: string }> {
  const admin = await json<{ accessToken: string }>(`${api}/auth/token`, {
    method: 'POST',
    body: JSON.stringify({ email: 'bench@example.org', password: 'bench-password-123' }),
  });
  for (const [slug, qualification] of BOARDS) {
    const board = issuer.board(slug);
    // The audit comparison seeds a second api on the same database: the registry is there already.
    const res = await fetch(`${api}/trust/issuers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.accessToken}` },
      body: JSON.stringify({ id: board.did, name: board.name, jurisdictions: [slug === 'nremt' ? 'US' : 'US-FL'], qualifications: [qualification] }),
    });
    if (!res.ok && res.status !== 409) throw new Error(`trusting ${slug}: ${res.status} ${await res.text()}`);
  }
  const incident = await json<{ id: string }>(`${api}/incidents`, {
    method: 'POST',
    token: admin.accessToken,
    body: JSON.stringify({ name: 'Bench Collapse', number: `BENCH-${randomUUID().slice(0, 6)}`, type: 'Structural collapse', jurisdiction: 'US-FL' }),
  });
  const user = await json<{ id: string }>(`${api}/users`, {
    method: 'POST',
    token: admin.accessToken,
    body: JSON.stringify({ email: `scanner-${randomUUID().slice(0, 6)}@example.org`, password: 'scanner-password-1', displayName: 'Scanner', role: 'checkin' }),
  });
  await json(`${api}/incidents/${incident.id}/staff`, { method: 'POST', token: admin.accessToken, body: JSON.stringify({ userId: user.id }) });
  const scanner = await json<{ accessToken: string; email: string }>(`${api}/auth/token`, {
    method: 'POST',
    body: JSON.stringify({
      email: (await json<Array<{ id: string; email: string }>>(`${api}/users`, { token: admin.accessToken })).find((u) => u.id === user.id)!.email,
      password: 'scanner-password-1',
    }),
  });
  return { token: scanner.accessToken, incidentId: incident.id };
}

async function issueMany(issuer: IssuerServer, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const [slug, qualification] = BOARDS[i % BOARDS.length];
    out.push((await issuer.board(slug).issue({ format: 'vc+jwt', qualification, subject: { id: `urn:uuid:${randomUUID()}`, name: `Responder ${i}` } })).jws);
  }
  return out;
}

function checkInSpecs(credentials: string[], token: string, incidentId: string): () => RequestSpec | undefined {
  let i = 0;
  return () => {
    const credential = credentials[i++];
    if (!credential) return undefined;
    return {
      method: 'POST',
      path: `/incidents/${incidentId}/check-ins`,
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': randomUUID(), 'x-device-id': `scanner-${i % 64}` },
      body: JSON.stringify({ credential }),
    };
  };
}

/** What a real check-in stored, used as the contents of the raw insert's rows (same sizes, same JSON). */
interface SampleCheckIn {
  jws: string;
  response: {
    reasons: unknown[];
    deployment: { ics211: unknown } & Record<string, unknown>;
    verification: { checks: unknown[]; evidence: unknown; credential: { status: unknown } & Record<string, unknown> };
  };
}

/**
 * The rows one admitted check-in writes, with the contents a real check-in wrote, inserted with plain pg in the
 * plainest way: a transaction of one statement per row (the audit chain head and the incident's event sequence
 * are read and moved as rows too). The floor under an implementation that writes row by row.
 */
async function rawInsert(pool: Pool, sample: SampleCheckIn, concurrency: number, seconds: number): Promise<LoadResult> {
  const {
    rows: [inc],
  } = await pool.query(`INSERT INTO incident (name, number, type, jurisdiction) VALUES ('raw', $1, 'x', 'US-FL') RETURNING id`, [`RAW-${randomUUID()}`]);
  const {
    rows: [user],
  } = await pool.query(`SELECT id FROM app_user LIMIT 1`);
  const { response } = sample;
  const summary = JSON.stringify(response.verification.credential);
  const statusEntries = JSON.stringify(response.verification.credential.status);
  const checks = JSON.stringify(response.verification.checks);
  const evidence = JSON.stringify(response.verification.evidence);
  const ics211 = JSON.stringify(response.deployment.ics211);
  const reasons = JSON.stringify(response.reasons);
  const whole = JSON.stringify(response);
  const auditPayload = JSON.stringify({
    reasons: response.reasons,
    verification: { checks: response.verification.checks, evidence: response.verification.evidence },
  });
  const boardEvent = JSON.stringify({ deployment: response.deployment });
  let n = 0;
  const insertOne = async (): Promise<number> => {
    const c = await pool.connect();
    try {
      const k = n++;
      await c.query('BEGIN');
      const {
        rows: [r],
      } = await c.query(`INSERT INTO responder (subject_hash, name) VALUES ($1, $2) RETURNING id`, [`urn:raw:${randomUUID()}`, `Raw ${k}`]);
      const {
        rows: [cred],
      } = await c.query(
        `INSERT INTO presented_credential (hash, jws, responder_id, format, issuer_id, qualification, summary, status_entries, last_verified_at, last_verified)
         VALUES ($1, $2, $3, 'vc+jwt', 'did:web:raw', 'RN', $4, $5, now(), true) RETURNING id`,
        [randomUUID(), sample.jws, r.id, summary, statusEntries],
      );
      const {
        rows: [v],
      } = await c.query(
        `INSERT INTO verification (credential_id, incident_id, kind, verified, checks, evidence) VALUES ($1, $2, 'check_in', true, $3, $4) RETURNING id`,
        [cred.id, inc.id, checks, evidence],
      );
      const {
        rows: [d],
      } = await c.query(
        `INSERT INTO deployment (incident_id, responder_id, credential_id, decision, status, ics211, checked_in_at) VALUES ($1, $2, $3, 'admitted', 'available', $4, now()) RETURNING id`,
        [inc.id, r.id, cred.id, ics211],
      );
      await c.query(`INSERT INTO deployment_status_event (deployment_id, to_status, changed_by) VALUES ($1, 'available', $2)`, [
        d.id,
        JSON.stringify({ kind: 'user', userId: user.id }),
      ]);
      await c.query(
        `INSERT INTO check_in_attempt (incident_id, performed_by, request_hash, decision, reasons, credential_hash, responder_id, deployment_id, verification_id, response_status, response)
         VALUES ($1, $2, 'h', 'admitted', $3, 'h', $4, $5, $6, 201, $7)`,
        [inc.id, user.id, reasons, r.id, d.id, v.id, whole],
      );
      const {
        rows: [head],
      } = await c.query(
        `INSERT INTO audit_chain (chain_id, last_seq, last_hash) VALUES ($1, 0, 'g') ON CONFLICT (chain_id) DO UPDATE SET chain_id = EXCLUDED.chain_id RETURNING last_seq`,
        [`incident:${inc.id}`],
      );
      await c.query(
        `INSERT INTO audit_entry (chain_id, seq, occurred_at, actor, action, incident_id, target_type, target_id, payload, prev_hash, hash)
         VALUES ($1, $2, now(), $3, 'checkin.admitted', $4, 'deployment', $5, $6, 'p', 'h')`,
        [`incident:${inc.id}`, Number(head.last_seq) + 1, JSON.stringify({ kind: 'user', userId: user.id }), inc.id, d.id, auditPayload],
      );
      await c.query(`UPDATE audit_chain SET last_seq = last_seq + 1 WHERE chain_id = $1`, [`incident:${inc.id}`]);
      const {
        rows: [s],
      } = await c.query(
        `INSERT INTO event_stream (incident_id, last_seq) VALUES ($1, 1) ON CONFLICT (incident_id) DO UPDATE SET last_seq = event_stream.last_seq + 1 RETURNING last_seq`,
        [inc.id],
      );
      await c.query(`INSERT INTO outbox_event (incident_id, seq, name, payload, published_at) VALUES ($1, $2, 'deployment.checked_in', $3, now())`, [
        inc.id,
        s.last_seq,
        boardEvent,
      ]);
      await c.query('COMMIT');
      return 201;
    } catch {
      await c.query('ROLLBACK').catch(() => undefined);
      return 500;
    } finally {
      c.release();
    }
  };
  return closedLoop(
    () => insertOne(),
    () => ({ method: 'POST', path: '' }),
    concurrency,
    seconds,
    (s) => s === 201,
  );
}

/**
 * CPU milliseconds per successful operation spent by the given processes (the api, or none) and by the PostgreSQL
 * backends serving this database: a figure that holds on a machine busy with other work, unlike a rate. Also the
 * shares of the phase the processes' main threads ran and waited for a core (bench/load.ts, mainThreadSchedule).
 */
async function withCpu(
  admin: Client,
  db: string,
  processes: number[],
  run: () => Promise<LoadResult>,
): Promise<LoadResult & { cpuMs: CpuPerOp; mainThread: MainThreadShare }> {
  const backends = async (): Promise<number[]> =>
    (await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [db])).rows.map((r) => r.pid);
  const snapshot = (pids: number[]) => new Map(pids.map((pid) => [pid, cpuSeconds([pid])]));
  const appBefore = cpuSeconds(processes);
  const scheduleOf = () =>
    processes.map(mainThreadSchedule).reduce((a, b) => ({ running: a.running + b.running, waiting: a.waiting + b.waiting }), { running: 0, waiting: 0 });
  const scheduleBefore = scheduleOf();
  const clientBefore = cpuSeconds([process.pid]);
  const machineBefore = machineCpuSeconds();
  const pgBefore = snapshot(await backends());
  const result = await run();
  // Backends alive at the end only: one that exited meanwhile (an idle connection closed) reads as 0 CPU.
  const pgAfter = snapshot(await backends());
  let pg = 0;
  for (const [pid, cpu] of pgAfter) pg += cpu - (pgBefore.get(pid) ?? 0);
  const per = (seconds: number) => (1000 * seconds) / Math.max(result.ok, 1);
  const schedule = scheduleOf();
  const share = (seconds: number) => seconds / (result.seconds * Math.max(processes.length, 1));
  return {
    ...result,
    cpuMs: {
      app: per(cpuSeconds(processes) - appBefore),
      pg: per(pg),
      client: per(cpuSeconds([process.pid]) - clientBefore),
      machine: per(machineCpuSeconds() - machineBefore),
    },
    mainThread: { running: share(schedule.running - scheduleBefore.running), waiting: share(schedule.waiting - scheduleBefore.waiting) },
  };
}

interface CpuPerOp {
  app: number;
  pg: number;
  /** This benchmark's own process: the load generator (and, for the raw insert, the app). */
  client: number;
  /** Every process and the kernel, on all cores. */
  machine: number;
}

/** Shares of the phase's wall time that the app's main thread (each process's, averaged) ran, and waited for a core. */
interface MainThreadShare {
  running: number;
  waiting: number;
}

const fmtCpu = (r: { cpuMs: CpuPerOp }) =>
  `CPU per op: app ${r.cpuMs.app.toFixed(2)} ms + PostgreSQL ${r.cpuMs.pg.toFixed(2)} ms; whole machine ${r.cpuMs.machine.toFixed(2)} ms, of which load generator ${r.cpuMs.client.toFixed(2)} ms`;

const fmtMainThread = (r: { mainThread: MainThreadShare }) =>
  `; event loop ran ${(100 * r.mainThread.running).toFixed(0)}% of the time, waited for a core ${(100 * r.mainThread.waiting).toFixed(0)}%`;

const fmt = (r: LoadResult) =>
  `${r.rate.toFixed(0).padStart(6)}/s  p50 ${percentile(r.latenciesMs, 50).toFixed(1)} ms  p99 ${percentile(r.latenciesMs, 99).toFixed(1)} ms  (${r.ok} ok, ${r.errors} errors)`;

async function main(): Promise<void> {
  const dbUrl = await freshDatabase('responder_checkin_bench');
  // The boards publish their DID documents and status lists with caching allowed, as a board's web server would
  // (the demo issuer's default no-cache would make every batch of scans fetch each board's DID document again).
  const issuer = await startIssuerServer({ port: 0, statusListTtlMs: 600_000, didDocumentMaxAgeSeconds: 300 });
  const needed = Math.ceil(2 * SCANNERS * 40 * SECONDS + RATE * SECONDS * 1.1 + 500 * API_PROCESSES) * (AUDIT_COMPARISON ? 1.5 : 1);
  process.stdout.write(`issuing ${needed} distinct credentials...\n`);
  const credentials = await issueMany(issuer, Math.min(needed, 160_000));
  // The api processes share the database and one Redis namespace, as replicas do.
  const shared = { REDIS_PREFIX: `bench_${randomUUID().slice(0, 8)}` };
  const api = await startApi(dbUrl, shared);
  const apis = [api];
  const children = [api.child];
  try {
    const { token, incidentId } = await seed(api.url, issuer);
    for (let i = 1; i < API_PROCESSES; i++) {
      apis.push(await startApi(dbUrl, shared));
      children.push(apis[i].child);
    }
    const sendOne = makeClient(api.url, SCANNERS);
    const send = makeBalancedClient(
      apis.map((a) => a.url),
      SCANNERS,
    );
    const created = (s: number) => s === 201;
    // Warm-up: keys and status lists cached, JIT warm. One real check-in gives the raw insert its row contents.
    const [sampleJws] = credentials.splice(0, 1);
    const sample: SampleCheckIn = {
      jws: sampleJws,
      response: await json(`${api.url}/incidents/${incidentId}/check-ins`, { method: 'POST', token, body: JSON.stringify({ credential: sampleJws }) }),
    };
    await closedLoop(send, checkInSpecs(credentials.splice(0, 300 * API_PROCESSES), token, incidentId), 8, 60, created);

    const trivial = await closedLoop(
      send,
      () => ({ method: 'GET', path: '/health/live' }),
      SCANNERS,
      Math.min(SECONDS, 5),
      (s) => s === 200,
    );
    const admin = new Client({ connectionString: `${SERVER}/postgres` });
    await admin.connect();
    const dbName = new URL(dbUrl).pathname.slice(1);
    const single =
      API_PROCESSES > 1
        ? await withCpu(admin, dbName, [api.child.pid ?? 0], () =>
            closedLoop(sendOne, checkInSpecs(credentials, token, incidentId), SCANNERS, SECONDS, created),
          )
        : undefined;
    credentials.splice(0, single?.requests ?? 0);
    const pids = apis.map((a) => a.child.pid ?? 0);
    const saturation = await withCpu(admin, dbName, pids, () => closedLoop(send, checkInSpecs(credentials, token, incidentId), SCANNERS, SECONDS, created));
    credentials.splice(0, saturation.requests);
    const steady = await withCpu(admin, dbName, pids, () => openLoop(send, checkInSpecs(credentials, token, incidentId), RATE, SECONDS, created));
    credentials.splice(0, steady.requests);
    // Same pool size as the api's (DATABASE_POOL_SIZE), the same number of callers.
    const rawPool = new Pool({ connectionString: dbUrl, max: POOL_SIZE });
    const raw = await withCpu(admin, dbName, [process.pid], () => rawInsert(rawPool, sample, SCANNERS, SECONDS));
    await rawPool.end();
    await admin.end();

    const n = `${API_PROCESSES} api process${API_PROCESSES === 1 ? '' : 'es'}`;
    process.stdout.write(
      `\nbench:checkin  (${SCANNERS} scanners closed loop, ${RATE}/s open loop, ${SECONDS} s each, one incident, ${availableParallelism()} cores)\n`,
    );
    process.stdout.write(`  trivial route (GET /health/live), ${n}   ${fmt(trivial)}\n`);
    process.stdout.write(`  raw insert of the same rows (pg)          ${fmt(raw)}\n`);
    if (single) process.stdout.write(`  check-in, saturation, 1 api process       ${fmt(single)}\n`);
    process.stdout.write(`  check-in, saturation, ${n}     ${fmt(saturation)}\n`);
    process.stdout.write(`  check-in, open loop ${RATE}/s, ${n}   ${fmt(steady)}\n`);
    process.stdout.write(`  raw insert             ${fmtCpu(raw)} (the app is this benchmark's own process)\n`);
    if (single) process.stdout.write(`  check-in, 1 process    ${fmtCpu(single)}${fmtMainThread(single)}\n`);
    process.stdout.write(`  check-in, ${n}  ${fmtCpu(saturation)}${fmtMainThread(saturation)}\n`);
    process.stdout.write(`  check-in at ${RATE}/s        ${fmtCpu(steady)}${fmtMainThread(steady)}\n`);
    process.stdout.write(`  ratio check-in / trivial route     ${(saturation.rate / trivial.rate).toFixed(2)}\n`);
    process.stdout.write(`  ratio check-in / raw insert        ${(saturation.rate / raw.rate).toFixed(2)}\n`);

    if (AUDIT_COMPARISON) {
      for (const a of apis) a.child.kill('SIGTERM');
      const noAudit = await startApi(dbUrl, {}, API_WITHOUT_CHECK_IN_AUDIT_ENTRY);
      children.push(noAudit.child);
      const seeded = await seed(noAudit.url, issuer);
      const send2 = makeClient(noAudit.url, SCANNERS);
      await closedLoop(send2, checkInSpecs(credentials.splice(0, 300), seeded.token, seeded.incidentId), 8, 60, created);
      const withoutAudit = await closedLoop(send2, checkInSpecs(credentials, seeded.token, seeded.incidentId), SCANNERS, SECONDS, created);
      process.stdout.write(`  check-in, saturation, audit write left out  ${fmt(withoutAudit)}\n`);
      process.stdout.write(`  audit cost: ${(100 * (1 - saturation.rate / withoutAudit.rate)).toFixed(1)}% of throughput\n`);
    }
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await issuer.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:checkin failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
