import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { ActiveCredentialsReader, Reverifier } from '@app/reverification';
import { JobQueues, type JobView } from '@app/jobs';
import { sleep } from './support/live-harness';
import { REVERIFY_TEST_ENV, seedFillerDeployments, startWorker, sweepOnce, waitForJob, withDb, type TestWorker } from './support/reverification';
import { bearer } from './support/test-app';
import { createIncident, staffFor, startWorld, type World } from './support/world';

jest.setTimeout(180000);

const FILLER = 1500;
const REAL = 6;

interface Scenario {
  deployments: string[];
  revoked: string[];
  suspended: string[];
}

/** The same deployments in any world: REAL checked-in nurses (2 then revoked, 1 suspended) and FILLER look-alikes. */
async function seedScenario(world: World): Promise<Scenario> {
  const incident = await createIncident(world.http, world.adminToken);
  const checkin = await staffFor(world.http, world.adminToken, incident.id, 'checkin');
  const nursing = world.issuer.board('fl-nursing');
  const real: Array<{ deploymentId: string; index: number }> = [];
  for (let i = 0; i < REAL; i++) {
    const issued = await nursing.issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: `Shard Test Nurse ${i}` } });
    const res = await request(world.http)
      .post(`/incidents/${incident.id}/check-ins`)
      .set(...bearer(checkin.token))
      .set('Idempotency-Key', randomUUID())
      .send({ credential: issued.jws })
      .expect(201);
    real.push({ deploymentId: res.body.deployment.id as string, index: issued.statusIndex });
  }
  await withDb(world.env.dbUrl, async (db) => {
    const template = (
      await db.query(
        `SELECT c.issuer_id, c.qualification, c.key_thumbprint, c.status_entries FROM deployment d JOIN presented_credential c ON c.id = d.credential_id WHERE d.id = $1`,
        [real[0].deploymentId],
      )
    ).rows[0] as { issuer_id: string; qualification: string; key_thumbprint: string; status_entries: Array<{ purpose: string; listUrl: string }> };
    const listUrl = (purpose: string): string => template.status_entries.find((e) => e.purpose === purpose)?.listUrl ?? '';
    await seedFillerDeployments(db, {
      incidentId: incident.id,
      template: {
        issuerId: template.issuer_id,
        qualification: template.qualification,
        keyThumbprint: template.key_thumbprint,
        listUrls: { revocation: listUrl('revocation'), suspension: listUrl('suspension') },
      },
      count: FILLER,
      avoidIndices: real.map((r) => r.index),
    });
  });
  nursing.revoke(real[0].index);
  nursing.revoke(real[1].index);
  nursing.suspend(real[2].index);
  await sleep(1100); // past the lists' ttl
  const deployments = await withDb(world.env.dbUrl, async (db) =>
    (await db.query<{ id: string }>(`SELECT id FROM deployment WHERE checked_out_at IS NULL AND incident_id = $1`, [incident.id])).rows.map((r) => r.id),
  );
  return { deployments, revoked: [real[0].deploymentId, real[1].deploymentId], suspended: [real[2].deploymentId] };
}

/** Deployment id -> how many `credential.flagged` audit entries it has. */
async function flagAudits(world: World): Promise<Map<string, number>> {
  return withDb(world.env.dbUrl, async (db) => {
    const rows = (
      await db.query<{ target_id: string; n: number }>(
        `SELECT target_id, count(*)::int AS n FROM audit_entry WHERE action = 'credential.flagged' GROUP BY target_id`,
      )
    ).rows;
    return new Map(rows.map((r) => [r.target_id, r.n]));
  });
}

/** Records, per worker, the runs it carried out and the deployments its reads returned. */
function watch(worker: TestWorker): { runs: string[]; read: string[] } {
  const seen = { runs: [] as string[], read: [] as string[] };
  const reader = worker.app.get(ActiveCredentialsReader);
  const block = reader.block.bind(reader);
  jest.spyOn(reader, 'block').mockImplementation(async (...args) => {
    const rows = await block(...args);
    seen.read.push(...rows.map((r) => r.deploymentId));
    return rows;
  });
  const reverifier = worker.app.get(Reverifier);
  const process = reverifier.process.bind(reverifier);
  jest.spyOn(reverifier, 'process').mockImplementation(async (runId, opts) => {
    seen.runs.push(runId);
    return process(runId, opts);
  });
  return seen;
}

const withoutShardCount = (result: JobView['result']): Record<string, unknown> => {
  const { shards: _shards, ...rest } = result ?? {};
  return rest;
};

describe('reverification: one sweep split into id-range shards across two workers', () => {
  let single: World;
  let sharded: World;
  const workers: TestWorker[] = [];
  let singleScenario: Scenario;
  let singleJob: JobView;

  beforeAll(async () => {
    // The reference: one worker, the sweep as one run.
    single = await startWorld('shardsone', { env: { ...REVERIFY_TEST_ENV, REVERIFY_SWEEP_SHARDS: '1', REVERIFY_BATCH_SIZE: '100' } });
    const one = await startWorker(single.env.env);
    workers.push(one);
    await sweepOnce(single.http, single.adminToken); // the sweep the scheduler starts with the worker, on nothing yet
    singleScenario = await seedScenario(single);
    singleJob = await sweepOnce(single.http, single.adminToken, 90000);
    await one.close();
    workers.splice(workers.indexOf(one), 1);

    // Small blocks and two jobs at a time per worker (one of them the waiting sweep), so both take shards.
    sharded = await startWorld('shardstwo', {
      env: { ...REVERIFY_TEST_ENV, REVERIFY_SWEEP_SHARDS: '8', REVERIFY_SHARD_MIN_DEPLOYMENTS: '100', REVERIFY_BATCH_SIZE: '100', WORKER_CONCURRENCY: '2' },
    });
  });

  afterAll(async () => {
    for (const w of workers) await w.close();
    await single?.close();
    await sharded?.close();
  });

  it('the reference sweep (one run) checks every deployment and flags the revoked and suspended nurses', () => {
    expect(singleJob).toMatchObject({ state: 'completed', kind: 'sweep', error: null });
    expect(singleJob.result).toMatchObject({ checked: REAL + FILLER, flagged: 3, byFlag: { revoked: 2, suspended: 1 } });
    expect(singleJob.result?.shards).toBeUndefined();
    expect(singleScenario.deployments).toHaveLength(REAL + FILLER);
  });

  it('both workers take shards; every deployment is read exactly once; the result equals the one-run sweep; each alert once', async () => {
    const a = await startWorker(sharded.env.env);
    const b = await startWorker(sharded.env.env);
    workers.push(a, b);
    await sweepOnce(sharded.http, sharded.adminToken);
    const scenario = await seedScenario(sharded);
    const seenA = watch(a);
    const seenB = watch(b);

    const job = await sweepOnce(sharded.http, sharded.adminToken, 90000);
    expect(job).toMatchObject({ state: 'completed', kind: 'sweep', error: null });
    expect(job.result?.shards).toBe(8);
    expect(withoutShardCount(job.result)).toEqual(withoutShardCount(singleJob.result));
    expect(job.progress).toMatchObject({ done: REAL + FILLER, total: REAL + FILLER });

    const shards = await withDb(
      sharded.env.dbUrl,
      async (db) =>
        (
          await db.query<{ id: string; state: string; scope: { after: string; upTo: string; shard: number }; result: { checked: number } }>(
            `SELECT id, state, scope, result FROM job_run WHERE parent_id = $1 ORDER BY (scope->>'shard')::int`,
            [job.id],
          )
        ).rows,
    );
    expect(shards).toHaveLength(8);
    expect(shards.every((s) => s.state === 'completed')).toBe(true);
    // Contiguous ranges from the lowest id to the highest.
    expect(shards[0].scope.after).toBe('00000000-0000-0000-0000-000000000000');
    expect(shards[7].scope.upTo).toBe('ffffffff-ffff-ffff-ffff-ffffffffffff');
    for (let i = 1; i < 8; i++) expect(shards[i].scope.after).toBe(shards[i - 1].scope.upTo);
    expect(shards.reduce((n, s) => n + s.result.checked, 0)).toBe(REAL + FILLER);

    const shardIds = new Set(shards.map((s) => s.id));
    const byA = seenA.runs.filter((id) => shardIds.has(id));
    const byB = seenB.runs.filter((id) => shardIds.has(id));
    expect(byA.length).toBeGreaterThan(0);
    expect(byB.length).toBeGreaterThan(0);
    expect(new Set([...byA, ...byB])).toEqual(shardIds);

    const read = [...seenA.read, ...seenB.read];
    expect(read).toHaveLength(REAL + FILLER);
    expect(new Set(read)).toEqual(new Set(scenario.deployments));

    const audits = await flagAudits(sharded);
    expect(new Set(audits.keys())).toEqual(new Set([...scenario.revoked, ...scenario.suspended]));
    expect([...audits.values()].every((n) => n === 1)).toBe(true);

    // A shard delivered again after it finished does nothing. One whose job was lost before its first checkpoint
    // (its row back to queued, no job on Redis) is queued again by the dispatcher, checks its range again and flags
    // nothing twice.
    const withRevoked = shards.find((s) => s.scope.after < scenario.revoked[0] && scenario.revoked[0] <= s.scope.upTo)!;
    expect(await a.app.get(Reverifier).process(withRevoked.id)).toBe('already_finished');
    // The job goes first: a dispatcher pass that saw the row queued while its finished job was still on Redis would
    // rightly record the run failed.
    await (await a.app.get(JobQueues).get('reverification').getJob(`run-${withRevoked.id}`))?.remove();
    await withDb(sharded.env.dbUrl, (db) =>
      db.query(`UPDATE job_run SET state = 'queued', checkpoint = NULL, result = NULL, progress = '{"done": 0, "total": 0}' WHERE id = $1`, [withRevoked.id]),
    );
    const again = await waitForJob(sharded.http, sharded.adminToken, withRevoked.id, 60000);
    expect(again).toMatchObject({ kind: 'sweep_shard', state: 'completed' });
    expect(again.result).toMatchObject({ checked: withRevoked.result.checked, flagged: 0 });
    expect(await flagAudits(sharded)).toEqual(audits);
  });
});
