import { randomUUID } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import request from 'supertest';
import { parseConfig } from '@app/config';
import { JobProducer, JobQueues, JobRunDispatcher } from '@app/jobs';
import { CuttableProxy, eventually, sleep } from './support/live-harness';
import { getJob, REVERIFY_TEST_ENV, startWorker, sweepOnce, waitForJob, withDb, type TestWorker } from './support/reverification';
import { bearer } from './support/test-app';
import { Metrics, Tracing } from '@app/telemetry';
import { createIncident, staffFor, startWorld, type World } from './support/world';

jest.setTimeout(120000);

/** Removes every key of this test's namespace: what a Redis restart without persistence does to it. */
async function wipeNamespace(prefix: string): Promise<number> {
  const redis = new Redis('redis://127.0.0.1:6379');
  try {
    let removed = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) removed += await redis.del(...keys);
    } while (cursor !== '0');
    return removed;
  } finally {
    redis.disconnect();
  }
}

/**
 * A proxy to Redis that, when its clients have sent `dropAt` chunks, drops every connection and refuses new ones
 * (ECONNREFUSED, like a stopped Redis) for `outageMs`: a Redis outage at a precise point of a conversation.
 */
async function dropAtChunkProxy(dropAt: number, outageMs: number): Promise<{ port: number; close(): Promise<void> }> {
  const open = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let chunks = 0;
  let closed = false;
  let restoring: NodeJS.Timeout | undefined;
  const stop = async (): Promise<void> => {
    const s = server;
    server = undefined;
    for (const socket of open) socket.destroy();
    open.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  const listen = async (): Promise<void> => {
    const s = createServer((client) => {
      const upstream = connect(6379, '127.0.0.1');
      for (const socket of [client, upstream]) {
        open.add(socket);
        socket.on('error', () => socket.destroy());
        socket.on('close', () => (socket === client ? upstream : client).destroy());
      }
      client.on('data', (chunk: Buffer) => {
        if (++chunks !== dropAt) {
          upstream.write(chunk);
          return;
        }
        void stop().then(() => {
          restoring = setTimeout(() => {
            if (!closed) listen().catch(() => undefined); // not listening again shows as the queue still failing
          }, outageMs);
        });
      });
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
    port = (s.address() as { port: number }).port;
    server = s;
    if (closed) await stop();
  };
  await listen();
  return {
    port,
    close: async () => {
      closed = true;
      clearTimeout(restoring);
      await stop();
    },
  };
}

describe('reverification: Redis restarts, several workers at once, status lists watched', () => {
  let world: World;
  const proxy = new CuttableProxy();
  const workers: TestWorker[] = [];
  let commander: { id: string; token: string };
  let checkin: { id: string; token: string };
  let incidentId: string;

  beforeAll(async () => {
    // Status lists are looked at every second here, so a list change is seen without any sweep.
    // Issuer DID documents are cached for 1 s here, so a key rotation is seen at the next sweep.
    world = await startWorld('reverifyredis', { env: { ...REVERIFY_TEST_ENV, STATUS_LIST_REFRESH_CHECK_MS: '1000', FETCH_CACHE_TTL_SECONDS: '1' } });
    await proxy.start();
    incidentId = (await createIncident(world.http, world.adminToken)).id;
    commander = await staffFor(world.http, world.adminToken, incidentId, 'commander');
    checkin = await staffFor(world.http, world.adminToken, incidentId, 'checkin');
    for (let i = 0; i < 3; i++) {
      const { jws } = await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: `Redis Test ${i}` } });
      await request(world.http)
        .post(`/incidents/${incidentId}/check-ins`)
        .set(...bearer(checkin.token))
        .set('Idempotency-Key', randomUUID())
        .send({ credential: jws })
        .expect(201);
    }
  });
  afterAll(async () => {
    for (const w of workers) await w.close();
    await proxy.close();
    await world?.close();
  });

  it('the worker rides out a Redis restart that lost every queue: schedulers come back, the lost run is queued again and completes', async () => {
    // This worker reaches Redis only through the proxy, so the test can take Redis away from it alone.
    const worker = await startWorker({ ...world.env.env, REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
    workers.push(worker);
    const queues = world.api.app.get(JobQueues);
    await eventually(async () => (await queues.get('reverification').getJobSchedulers()).length === 1, 10000, 'the sweep scheduler');

    await proxy.cut();
    const asked = await request(world.http)
      .post(`/incidents/${incidentId}/reverify`)
      .set(...bearer(commander.token))
      .expect(202);
    expect(asked.body).toMatchObject({ created: true, queued: true });
    // Redis "restarts" empty: the queued job and the schedulers are gone. PostgreSQL still has the run.
    expect(await wipeNamespace(world.env.env.REDIS_PREFIX)).toBeGreaterThan(0);
    expect(await queues.get('reverification').getJob(`run-${asked.body.jobId}`)).toBeUndefined();
    await sleep(1500);
    await proxy.restore();

    const job = await waitForJob(world.http, commander.token, asked.body.jobId, 60000);
    expect(job).toMatchObject({ state: 'completed', error: null });
    expect(job.progress.done).toBe(3);
    await eventually(async () => (await queues.get('reverification').getJobSchedulers()).length === 1, 10000, 'the sweep scheduler back');
    // The schedulers come back one after the other: the status lists' may follow the sweep's by a moment.
    await eventually(async () => (await queues.get('status-lists').getJobSchedulers()).length > 0, 10000, 'the status list scheduler back');
    expect((await queues.get('status-lists').getJobSchedulers()).map((s) => s.name)).toEqual(['status-list.refresh-due']);
    await worker.close();
    workers.splice(workers.indexOf(worker), 1);
  });

  it('a run the queue reports finished while PostgreSQL still has it open is recorded failed, not left open', async () => {
    const worker = await startWorker(world.env.env);
    workers.push(worker);
    const asked = await request(world.http)
      .post(`/incidents/${incidentId}/reverify`)
      .set(...bearer(commander.token))
      .expect(202);
    expect(await waitForJob(world.http, commander.token, asked.body.jobId, 60000)).toMatchObject({ state: 'completed' });
    await worker.close(); // no other dispatcher pass runs meanwhile
    workers.splice(workers.indexOf(worker), 1);

    // What a process that finished the job but died before recording its outcome leaves: the job completed on Redis,
    // the run still running in PostgreSQL.
    expect(await world.api.app.get(JobQueues).get('reverification').getJob(`run-${asked.body.jobId}`)).toBeDefined();
    await withDb(world.env.dbUrl, (db) => db.query(`UPDATE job_run SET state = 'running', finished_at = NULL WHERE id = $1`, [asked.body.jobId]));
    expect(await world.api.app.get(JobRunDispatcher).reconcile()).toEqual({ queued: 0, failed: 1 });
    expect(await getJob(world.http, commander.token, asked.body.jobId)).toMatchObject({
      state: 'failed',
      error: 'The queue reports the job finished but the run recorded no outcome.',
    });
  });

  it('a queue whose Redis connection drops while it is being set up works again once Redis is back (issue #6)', async () => {
    // The hard case of the scenario above: a cut while the worker's status-lists queue is being set up (BullMQ sets
    // a queue's connection up once; a rejected INFO version check would leave it broken for good). The drop falls on
    // each of the first messages in turn: ioredis' handshake and ready check, BullMQ's version check, first commands.
    const dropPoints = [1, 2, 3, 4, 5, 6];
    const outcomes = await Promise.all(
      dropPoints.map(async (dropAt) => {
        const proxy = await dropAtChunkProxy(dropAt, 1500);
        const prefix = `${world.env.env.REDIS_PREFIX}_drop${dropAt}`;
        const config = parseConfig({ ...world.env.env, REDIS_URL: `redis://127.0.0.1:${proxy.port}`, REDIS_PREFIX: prefix });
        const queues = new JobQueues(config, new Metrics('test'), new Tracing('test', undefined));
        const producer = new JobProducer(queues, config);
        const installed = (): Promise<boolean> =>
          producer.schedule('status-list.refresh-due', 1000).then(
            () => true,
            () => false,
          );
        try {
          await installed(); // the first use creates the queue; the drop falls somewhere in here
          const deadline = Date.now() + 10000;
          while (!(await installed())) {
            if (Date.now() > deadline) return `drop at ${dropAt}: the queue still fails`;
            await sleep(200);
          }
          return `drop at ${dropAt}: works`;
        } finally {
          await queues.onApplicationShutdown();
          await proxy.close();
          await wipeNamespace(prefix);
        }
      }),
    );
    expect(outcomes).toEqual(dropPoints.map((dropAt) => `drop at ${dropAt}: works`));
  });

  it('several workers at once: every run completes, one sweep at a time, each alert once', async () => {
    workers.push(await startWorker(world.env.env), await startWorker(world.env.env));
    const others = await Promise.all([0, 1, 2].map(() => createIncident(world.http, world.adminToken)));
    const revoked: string[] = [];
    for (const other of others) {
      const staff = await staffFor(world.http, world.adminToken, other.id, 'checkin');
      const issued = await world.issuer
        .board('fl-ems')
        .issue({ format: 'vc+jwt', qualification: 'PARAMEDIC', subject: { name: `Medic of ${other.id.slice(0, 4)}` } });
      const res = await request(world.http)
        .post(`/incidents/${other.id}/check-ins`)
        .set(...bearer(staff.token))
        .set('Idempotency-Key', randomUUID())
        .send({ credential: issued.jws })
        .expect(201);
      revoked.push(res.body.deployment.id as string);
      world.issuer.board('fl-ems').revoke(issued.statusIndex);
    }
    await sleep(1100);

    // Everything at once: a sweep, and each incident's own run, twice over (the second ask returns the open run).
    const asks = await Promise.all([
      ...others.flatMap((o) =>
        [0, 1].map(() =>
          request(world.http)
            .post(`/incidents/${o.id}/reverify`)
            .set(...bearer(world.adminToken)),
        ),
      ),
      request(world.http)
        .post('/reverification/sweeps')
        .set(...bearer(world.adminToken)),
      request(world.http)
        .post('/reverification/sweeps')
        .set(...bearer(world.adminToken)),
    ]);
    for (const ask of asks) expect(ask.status).toBe(202);
    const ids = [...new Set(asks.map((r) => r.body.jobId as string))];
    for (const id of ids) expect((await waitForJob(world.http, world.adminToken, id, 60000)).state).toBe('completed');
    await sweepOnce(world.http, world.adminToken, 60000);

    // One sweep at a time: no two sweeps were ever open together (created_at is its transaction's start: 100 ms slack).
    const sweeps = await withDb(
      world.env.dbUrl,
      async (db) =>
        (await db.query(`SELECT created_at, finished_at FROM job_run WHERE kind = 'sweep' ORDER BY created_at`)).rows as Array<{
          created_at: Date;
          finished_at: Date;
        }>,
    );
    for (let i = 1; i < sweeps.length; i++) expect(sweeps[i].created_at.getTime() + 100).toBeGreaterThanOrEqual(sweeps[i - 1].finished_at.getTime());

    const counts = await withDb(
      world.env.dbUrl,
      async (db) =>
        (await db.query(`SELECT payload->>'deploymentId' AS id, count(*)::int AS n FROM outbox_event WHERE name = 'credential.flagged' GROUP BY 1`))
          .rows as Array<{ id: string; n: number }>,
    );
    expect(counts.filter((c) => revoked.includes(c.id)).map((c) => c.n)).toEqual([1, 1, 1]);
  });

  it('a status list that changes is refreshed (conditional GET) and its deployments re-checked at once, without a sweep', async () => {
    const board = world.issuer.board('fl-medicine');
    const issued = await board.issue({ format: 'vc+jwt', qualification: 'MD', subject: { name: 'Dr Watched' } });
    const res = await request(world.http)
      .post(`/incidents/${incidentId}/check-ins`)
      .set(...bearer(checkin.token))
      .set('Idempotency-Key', randomUUID())
      .send({ credential: issued.jws })
      .expect(201);
    const deploymentId = res.body.deployment.id as string;
    await sleep(2500); // the watch has seen the list as it is now (its baseline)
    const sweepsBefore = await withDb(world.env.dbUrl, async (db) =>
      Number((await db.query(`SELECT count(*) FROM job_run WHERE kind = 'sweep'`)).rows[0].count),
    );

    board.revoke(issued.statusIndex);
    await eventually(
      async () =>
        withDb(
          world.env.dbUrl,
          async (db) => (await db.query(`SELECT credential_flag->>'code' AS code FROM deployment WHERE id = $1`, [deploymentId])).rows[0].code === 'revoked',
        ),
      15000,
      'the deployment flagged after its list changed',
    );
    const runs = await withDb(world.env.dbUrl, async (db) => ({
      listRuns: (await db.query(`SELECT scope->>'listUrl' AS url, state FROM job_run WHERE kind = 'status_list'`)).rows as Array<{
        url: string;
        state: string;
      }>,
      sweeps: Number((await db.query(`SELECT count(*) FROM job_run WHERE kind = 'sweep'`)).rows[0].count),
    }));
    expect(runs.listRuns.map((r) => r.url)).toContain(board.statusListUrl('revocation'));
    expect(runs.sweeps).toBe(sweepsBefore);
  });

  it('the signature is re-computed only when the issuer stops publishing the key that verified it', async () => {
    const board = world.issuer.board('fema-usar');
    const issued = await board.issue({ format: 'vc+jwt', qualification: 'USAR_TECH', subject: { name: 'Rex Rescue' } });
    const res = await request(world.http)
      .post(`/incidents/${incidentId}/check-ins`)
      .set(...bearer(checkin.token))
      .set('Idempotency-Key', randomUUID())
      .send({ credential: issued.jws })
      .expect(201);
    const deploymentId = res.body.deployment.id as string;

    const unchanged = await sweepOnce(world.http, world.adminToken, 60000);
    expect(unchanged.result).toMatchObject({ signaturesRechecked: 0, flagged: 0 });

    // The board replaces its key: credentials it signed before no longer verify against what it publishes.
    await board.rotateKey();
    await sleep(1100);
    const after = await sweepOnce(world.http, world.adminToken, 60000);
    expect(after.result).toMatchObject({ signaturesRechecked: 1, byFlag: { signature_invalid: 1 } });
    const flag = await withDb(
      world.env.dbUrl,
      async (db) => (await db.query(`SELECT credential_flag->>'code' AS code, status FROM deployment WHERE id = $1`, [deploymentId])).rows[0],
    );
    expect(flag).toEqual({ code: 'signature_invalid', status: 'out_of_service' });
  });
});
