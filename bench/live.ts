/**
 * npm run bench:live — the live board under load: N dashboard clients (socket.io) spread over incidents and over
 * one or two api processes, events committed to the outbox at a steady rate (the write a check-in makes, in its own
 * transaction), and for every event and every subscribed client the delay from sending COMMIT to receipt.
 *
 * Environment: BENCH_CLIENTS (1000), BENCH_INCIDENTS (50), BENCH_APIS (2), BENCH_RATE (events/s, 50),
 * BENCH_SECONDS (20). Needs local PostgreSQL and Redis; creates and drops its own database and Redis prefix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, ensureDatabaseExists, runMigrations } from '@app/db';
import { LIVE_EVENT_NAMES, Outbox, OutboxRepository, type LiveEvent, type LiveEventMap, type SubscribeAck } from '@app/realtime';
import { freePort, intFromEnv, json, percentile, waitUntilReady } from './live-support';
import { DEVELOPMENT_MATCHING_HASH_KEY } from '@app/config';

const CLIENTS = intFromEnv('BENCH_CLIENTS', 1000);
const INCIDENTS = intFromEnv('BENCH_INCIDENTS', 50);
const APIS = intFromEnv('BENCH_APIS', 2);
const RATE = intFromEnv('BENCH_RATE', 50);
const SECONDS = intFromEnv('BENCH_SECONDS', 20);
const ADMIN = { email: 'bench-admin@example.org', password: 'bench-admin-password' };
const SERVER = process.env.BENCH_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';

async function main(): Promise<void> {
  const tag = randomBytes(4).toString('hex');
  const dbUrl = `${SERVER}/rc_bench_live_${tag}`;
  const children: ChildProcess[] = [];
  const sockets: Socket[] = [];
  let db: DataSource | undefined;
  try {
    await ensureDatabaseExists(dbUrl);
    await runMigrations(dbUrl, DEVELOPMENT_MATCHING_HASH_KEY);
    const env = {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DATABASE_URL: dbUrl,
      DATABASE_POOL_SIZE: '8',
      REDIS_PREFIX: `bench_live_${tag}`,
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      BOOTSTRAP_ADMIN_MUST_CHANGE_PASSWORD: 'false',
      LOGIN_RATE_LIMIT_PER_MINUTE: '10000',
    };
    const urls: string[] = [];
    for (let i = 0; i < APIS; i++) {
      const port = await freePort();
      const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(__dirname, '../apps/api/src/main.js')], {
        env: { ...env, PORT: String(port) },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      children.push(child);
      urls.push(`http://127.0.0.1:${port}`);
      // One at a time: the first one bootstraps the admin and the server key.
      await waitUntilReady(urls[i], child);
    }
    const { accessToken } = await json<{ accessToken: string }>(`${urls[0]}/auth/token`, { method: 'POST', body: ADMIN });

    const incidents: string[] = [];
    for (let i = 0; i < INCIDENTS; i++) {
      const created = await json<{ id: string }>(`${urls[0]}/incidents`, {
        method: 'POST',
        token: accessToken,
        body: { name: `Bench incident ${i}`, number: `BENCH-${tag}-${i}`, type: 'Exercise', jurisdiction: 'US-FL' },
      });
      incidents.push(created.id);
    }

    // Receipts: per "incidentId:seq", the receive times (one per subscribed client).
    const commitAt = new Map<string, number>();
    const receipts: Array<{ client: number; key: string; at: number }> = [];
    const subscribers = new Map<string, number>();
    const boardEvents = new Set<string>(LIVE_EVENT_NAMES);

    const connectStarted = performance.now();
    for (let batch = 0; batch < CLIENTS; batch += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, CLIENTS - batch) }, async (_, k) => {
          const n = batch + k;
          const incidentId = incidents[n % incidents.length];
          const socket = io(`${urls[n % urls.length]}/live`, { auth: { token: accessToken }, transports: ['websocket'], forceNew: true, reconnection: false });
          sockets.push(socket);
          socket.onAny((name: string, event: LiveEvent) => {
            if (boardEvents.has(name)) receipts.push({ client: n, key: `${event.incidentId}:${event.seq}`, at: performance.now() });
          });
          await new Promise<void>((resolve, reject) => {
            socket.once('connect', () => resolve());
            socket.once('connect_error', reject);
          });
          const ack = (await socket.timeout(30000).emitWithAck('subscribe', { incidentId })) as SubscribeAck;
          if (!ack.ok) throw new Error(`subscribe refused: ${ack.error.code} ${ack.error.message}`);
          subscribers.set(incidentId, (subscribers.get(incidentId) ?? 0) + 1);
        }),
      );
    }
    const connectMs = performance.now() - connectStarted;

    db = new DataSource(dataSourceOptions(dbUrl, { poolSize: 4, applicationName: 'bench-live' }));
    await db.initialize();
    const outbox = new Outbox(new OutboxRepository());
    const total = RATE * SECONDS;
    const interval = 1000 / RATE;
    const started = performance.now();
    const pending: Array<Promise<void>> = [];
    for (let i = 0; i < total; i++) {
      const due = started + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const incidentId = incidents[i % incidents.length];
      const payload: LiveEventMap['deployment.checked_in'] = {
        deployment: {
          deploymentId: randomUUID(),
          responderId: randomUUID(),
          name: `Responder ${i}`,
          qualifications: ['RN'],
          status: 'available',
          checkedInAt: new Date().toISOString(),
        },
      };
      const runner = db.createQueryRunner();
      pending.push(
        (async () => {
          try {
            await runner.startTransaction();
            const event = await outbox.append(runner.manager, incidentId, 'deployment.checked_in', payload);
            // The clock starts when COMMIT is sent: the delay includes the commit itself.
            commitAt.set(`${event.incidentId}:${event.seq}`, performance.now());
            await runner.commitTransaction();
          } finally {
            await runner.release();
          }
        })(),
      );
    }
    await Promise.all(pending);
    const writeSeconds = (performance.now() - started) / 1000;

    let expected = 0;
    for (let i = 0; i < total; i++) expected += subscribers.get(incidents[i % incidents.length]) ?? 0;
    const settleDeadline = performance.now() + 10000;
    while (receipts.length < expected && performance.now() < settleDeadline) await new Promise((r) => setTimeout(r, 50));

    const delays: number[] = [];
    let duplicates = 0;
    const seen = new Set<string>();
    for (const r of receipts) {
      const committed = commitAt.get(r.key);
      if (committed === undefined) continue;
      if (seen.has(`${r.client}/${r.key}`)) {
        duplicates++; // at-least-once delivery; the client drops these by seq
        continue;
      }
      seen.add(`${r.client}/${r.key}`);
      delays.push(r.at - committed);
    }
    delays.sort((a, b) => a - b);
    const lines = [
      `live board benchmark: ${CLIENTS} clients over ${INCIDENTS} incidents on ${APIS} api process(es); ${total} events at ${RATE}/s`,
      `  clients connected and subscribed in ${(connectMs / 1000).toFixed(1)} s; events committed in ${writeSeconds.toFixed(1)} s`,
      `  delivered/expected: ${seen.size}/${expected}${seen.size === expected ? ' (all)' : ''}; duplicates: ${duplicates}`,
      `  delay COMMIT sent -> received by the client: p50 ${percentile(delays, 50).toFixed(1)} ms, p95 ${percentile(delays, 95).toFixed(1)} ms, p99 ${percentile(delays, 99).toFixed(1)} ms, max ${percentile(delays, 100).toFixed(1)} ms`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const p99 = percentile(delays, 99);
    if (seen.size !== expected || !(p99 < 100)) process.exitCode = 1;
  } finally {
    for (const s of sockets) s.close();
    await db?.destroy().catch(() => undefined);
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
    const admin = new Client({ connectionString: `${SERVER}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS rc_bench_live_${tag} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:live failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
