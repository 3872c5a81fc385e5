/**
 * npm run bench:par — a PAR over everyone on scene at one incident while board clients watch: the delay from the
 * start request to `par.started` on every board, the acknowledgement rate sustained through the api (each one a
 * transaction with its audit entry and board event), and whether every board ends on the same counts.
 *
 * Environment: BENCH_PEOPLE (5000 on scene), BENCH_CLIENTS (1000 boards), BENCH_BATCH (people per acknowledgement
 * request, 10: a supervisor accounting for a crew), BENCH_CONCURRENCY (requests in flight, 16), BENCH_API_MAIN (the
 * api entry point to start, default this build's: point it at another build to compare two builds with the same
 * clients). Needs local PostgreSQL and Redis; creates and drops its own database and Redis prefix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { Client } from 'pg';
import { ensureDatabaseExists, runMigrations } from '@app/db';
import type { LiveEvent, ParCounts, SubscribeAck } from '@app/realtime';
import { freePort, intFromEnv, json, percentile, waitUntilReady } from './live-support';
import { DEVELOPMENT_MATCHING_HASH_KEY } from '@app/config';

const PEOPLE = intFromEnv('BENCH_PEOPLE', 5000);
const CLIENTS = intFromEnv('BENCH_CLIENTS', 1000);
const BATCH = intFromEnv('BENCH_BATCH', 10);
const CONCURRENCY = intFromEnv('BENCH_CONCURRENCY', 16);
const ADMIN = { email: 'bench-admin@example.org', password: 'bench-admin-password' };
const SERVER = process.env.BENCH_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';
const API_MAIN = process.env.BENCH_API_MAIN ?? join(__dirname, '../apps/api/src/main.js');

/** Everyone on scene, straight into PostgreSQL (responders, stored credentials, active deployments). */
async function seedPeople(dbUrl: string, incidentId: string): Promise<string[]> {
  const db = new Client({ connectionString: dbUrl });
  await db.connect();
  try {
    const rows = await db.query<{ id: string }>(
      `WITH r AS (
         INSERT INTO responder (id, subject_hash, name)
         SELECT gen_random_uuid(), 'urn:bench:par:' || g, 'Bench Responder ' || g FROM generate_series(1, $1::int) g RETURNING id, subject_hash
       ),
       c AS (
         INSERT INTO presented_credential (id, hash, jws, responder_id, format, issuer_id, qualification, valid_until, status_entries, key_thumbprint, last_verified)
         SELECT gen_random_uuid(), md5(r.subject_hash), 'bench', r.id, 'vc+jwt', 'did:example:bench', 'RN', now() + interval '1 year', '[]'::jsonb, 'bench', true
         FROM r RETURNING id, responder_id
       )
       INSERT INTO deployment (incident_id, responder_id, credential_id, decision, status, checked_in_at)
       SELECT $2, c.responder_id, c.id, 'admitted', 'available', now() FROM c RETURNING id`,
      [PEOPLE, incidentId],
    );
    return rows.rows.map((r) => r.id);
  } finally {
    await db.end();
  }
}

interface Board {
  started?: number;
  last?: { seq: number; counts: ParCounts };
  completed: boolean;
  /** par.acknowledged messages received. */
  acknowledged: number;
}

async function main(): Promise<void> {
  const tag = randomBytes(4).toString('hex');
  const dbUrl = `${SERVER}/rc_bench_par_${tag}`;
  let child: ChildProcess | undefined;
  const sockets: Socket[] = [];
  try {
    await ensureDatabaseExists(dbUrl);
    await runMigrations(dbUrl, DEVELOPMENT_MATCHING_HASH_KEY);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', API_MAIN], {
      env: {
        ...process.env,
        NODE_ENV: 'development',
        LOG_LEVEL: 'warn',
        PORT: String(port),
        DATABASE_URL: dbUrl,
        DATABASE_POOL_SIZE: '16',
        REDIS_PREFIX: `bench_par_${tag}`,
        BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
        BOOTSTRAP_ADMIN_MUST_CHANGE_PASSWORD: 'false',
        LOGIN_RATE_LIMIT_PER_MINUTE: '10000',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitUntilReady(url, child);
    const { accessToken: token } = await json<{ accessToken: string }>(`${url}/auth/token`, { method: 'POST', body: ADMIN });
    const { id: incidentId } = await json<{ id: string }>(`${url}/incidents`, {
      method: 'POST',
      token,
      body: { name: 'Bench PAR', number: `BENCH-PAR-${tag}`, type: 'Exercise', jurisdiction: 'US-FL' },
    });
    const people = await seedPeople(dbUrl, incidentId);

    const boards: Board[] = [];
    const connectStarted = performance.now();
    for (let batch = 0; batch < CLIENTS; batch += 25) {
      await Promise.all(
        Array.from({ length: Math.min(25, CLIENTS - batch) }, async () => {
          const board: Board = { completed: false, acknowledged: 0 };
          boards.push(board);
          const socket = io(`${url}/live`, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
          sockets.push(socket);
          socket.onAny((name: string, event: LiveEvent) => {
            if (!name.startsWith('par.')) return;
            if (name === 'par.started') board.started ??= performance.now();
            if (name === 'par.completed') board.completed = true;
            if (name === 'par.acknowledged') board.acknowledged++;
            const counts = (event.payload as { counts?: ParCounts }).counts;
            // Boards apply events in seq order: the highest seq's counts are what the board shows.
            if (counts && (!board.last || event.seq > board.last.seq)) board.last = { seq: event.seq, counts };
          });
          await new Promise<void>((resolve, reject) => {
            socket.once('connect', () => resolve());
            socket.once('connect_error', reject);
          });
          // A snapshot of thousands of people per subscriber: a busy server says "retry shortly", as a board would.
          for (let attempt = 1; ; attempt++) {
            const ack = (await socket.timeout(30000).emitWithAck('subscribe', { incidentId })) as SubscribeAck;
            if (ack.ok) break;
            if (ack.error.code !== 'service_unavailable' || attempt === 10) throw new Error(`subscribe refused: ${ack.error.code} ${ack.error.message}`);
            await new Promise((r) => setTimeout(r, 200 * attempt));
          }
        }),
      );
    }
    const connectMs = performance.now() - connectStarted;

    const startSent = performance.now();
    const par = await json<{ id: string; counts: ParCounts }>(`${url}/incidents/${incidentId}/pars`, { method: 'POST', token, body: { reason: 'collapse' } });
    const startAnswered = performance.now() - startSent;
    const startDeadline = performance.now() + 30000;
    while (boards.some((b) => b.started === undefined) && performance.now() < startDeadline) await new Promise((r) => setTimeout(r, 20));
    const startDelays = boards.flatMap((b) => (b.started === undefined ? [] : [b.started - startSent])).sort((a, b) => a - b);

    const requests: string[][] = [];
    for (let i = 0; i < people.length; i += BATCH) requests.push(people.slice(i, i + BATCH));
    const ackStarted = performance.now();
    const latencies: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (;;) {
          const mine = next++;
          if (mine >= requests.length) return;
          const t = performance.now();
          await json(`${url}/incidents/${incidentId}/pars/${par.id}/acknowledgements`, { method: 'POST', token, body: { deploymentIds: requests[mine] } });
          latencies.push(performance.now() - t);
        }
      }),
    );
    const ackSeconds = (performance.now() - ackStarted) / 1000;
    latencies.sort((a, b) => a - b);

    const settle = performance.now() + 60000;
    while (boards.some((b) => !b.completed) && performance.now() < settle) await new Promise((r) => setTimeout(r, 50));
    const converged = boards.filter((b) => b.completed && b.last?.counts.accounted === PEOPLE && b.last.counts.unaccounted === 0).length;
    const messages = boards.reduce((n, b) => n + b.acknowledged, 0);
    const finalView = await json<{ par: { state: string; counts: ParCounts } }>(`${url}/incidents/${incidentId}/pars/${par.id}`, { token });

    const lines = [
      `PAR benchmark: ${PEOPLE} people on scene, ${CLIENTS} boards on 1 api process; acknowledgements ${BATCH} per request, ${CONCURRENCY} in flight`,
      `  api: ${API_MAIN}`,
      `  boards connected and subscribed in ${(connectMs / 1000).toFixed(1)} s`,
      `  start: answered in ${startAnswered.toFixed(0)} ms; request sent -> par.started on the board: p50 ${percentile(startDelays, 50).toFixed(0)} ms, p99 ${percentile(startDelays, 99).toFixed(0)} ms (${startDelays.length}/${CLIENTS} boards)`,
      `  acknowledgements: ${PEOPLE} in ${ackSeconds.toFixed(1)} s = ${(PEOPLE / ackSeconds).toFixed(0)}/s (${requests.length} requests, p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms each)`,
      `  par.acknowledged messages: ${messages} to ${CLIENTS} boards (${(messages / Math.max(1, CLIENTS)).toFixed(1)} per board for ${requests.length} requests)`,
      `  boards on the final counts (${PEOPLE}/${PEOPLE} accounted, completed): ${converged}/${CLIENTS}; api says ${finalView.par.state}, ${JSON.stringify(finalView.par.counts)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (converged !== CLIENTS || finalView.par.counts.accounted !== PEOPLE) process.exitCode = 1;
  } finally {
    for (const s of sockets) s.close();
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    const admin = new Client({ connectionString: `${SERVER}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS rc_bench_par_${tag} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:par failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
