import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { JobQueues } from '@app/jobs';
import { CuttableProxy, eventually, sleep } from '../support/live-harness';
import { REVERIFY_TEST_ENV, startWorker, sweepOnce, waitForJob, withDb, type TestWorker } from '../support/reverification';
import { bearer } from '../support/test-app';
import { createIncident, staffFor, startWorld, type World } from '../support/world';

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
 * QUARANTINED (npm run test:quarantine, not part of npm test): this scenario failed intermittently under the full
 * suite's load (the re-queued run stayed queued for 60 s) and passes alone; the cause is not found yet. The same
 * property (the worker resumes after Redis restarts, nothing lost) is covered by npm run test:chaos.
 */
describe('reverification: a Redis restart that lost every queue', () => {
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
      await request(world.http).post(`/incidents/${incidentId}/check-ins`).set(...bearer(checkin.token)).set('Idempotency-Key', randomUUID()).send({ credential: jws }).expect(201);
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
    const asked = await request(world.http).post(`/incidents/${incidentId}/reverify`).set(...bearer(commander.token)).expect(202);
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
    expect((await queues.get('status-lists').getJobSchedulers()).map((s) => s.name)).toEqual(['status-list.refresh-due']);
    await worker.close();
    workers.splice(workers.indexOf(worker), 1);
  });
});
