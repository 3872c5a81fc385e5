import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import type { LiveEvent } from '@app/realtime';
import { connectLive, recordEvents, sleep, waitFor, type LiveTestSocket } from './support/live-harness';
import { getJob, REVERIFY_TEST_ENV, seedFillerDeployments, waitForJob, withDb } from './support/reverification';
import { bearer } from './support/test-app';
import { createIncident, staffFor, startWorld, type IncidentFixture, type World } from './support/world';

jest.setTimeout(120000);

const ROOT = join(__dirname, '..');
const WORKER_MAIN = join(ROOT, 'dist/apps/worker/src/main.js');

/** The newest modification time under a directory's .ts files. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** A worker process as in production: `node dist/apps/worker/src/main.js` (built by `npm run build`). */
function spawnWorker(env: Record<string, string>): ChildProcess & { output: string[] } {
  const child = spawn(process.execPath, ['--enable-source-maps', WORKER_MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as ChildProcess & { output: string[] };
  child.output = [];
  child.stdout?.on('data', (d: Buffer) => child.output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => child.output.push(d.toString()));
  return child;
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

describe('reverification: a worker killed (SIGKILL) in the middle of a sweep', () => {
  let world: World;
  let incident: IncidentFixture;
  let board: LiveTestSocket;
  let events: LiveEvent[];
  const workers: Array<ChildProcess & { output: string[] }> = [];
  const revoked: string[] = [];
  const FILLER = 8000;

  beforeAll(async () => {
    if (!existsSync(WORKER_MAIN)) throw new Error('dist/apps/worker/src/main.js is missing: run `npm run build` first');
    const built = statSync(WORKER_MAIN).mtimeMs;
    const sources = Math.max(...['apps/worker/src', 'libs/jobs/src', 'libs/reverification/src'].map((d) => newestSource(join(ROOT, d))));
    if (sources > built) throw new Error('dist is older than the worker sources: run `npm run build` first');

    // Small blocks: the sweep has many checkpoints, so the kill lands between two of them.
    world = await startWorld('reverifykill', { listen: true, env: { ...REVERIFY_TEST_ENV, REVERIFY_BATCH_SIZE: '100' } });
    incident = await createIncident(world.http, world.adminToken);
    const checkin = await staffFor(world.http, world.adminToken, incident.id, 'checkin');
    const commander = await staffFor(world.http, world.adminToken, incident.id, 'commander');

    const nursing = world.issuer.board('fl-nursing');
    const indices: number[] = [];
    for (let i = 0; i < 8; i++) {
      const issued = await nursing.issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: `Kill Test Nurse ${i}` } });
      const res = await request(world.http)
        .post(`/incidents/${incident.id}/check-ins`)
        .set(...bearer(checkin.token))
        .set('Idempotency-Key', randomUUID())
        .send({ credential: issued.jws })
        .expect(201);
      revoked.push(res.body.deployment.id as string);
      indices.push(issued.statusIndex);
    }
    await withDb(world.env.dbUrl, async (db) => {
      const template = (
        await db.query(
          `SELECT c.issuer_id, c.qualification, c.key_thumbprint, c.status_entries FROM deployment d JOIN presented_credential c ON c.id = d.credential_id WHERE d.id = $1`,
          [revoked[0]],
        )
      ).rows[0] as { issuer_id: string; qualification: string; key_thumbprint: string; status_entries: Array<{ purpose: string; listUrl: string }> };
      const listUrl = (purpose: string) => template.status_entries.find((e) => e.purpose === purpose)?.listUrl ?? '';
      await seedFillerDeployments(db, {
        incidentId: incident.id,
        template: {
          issuerId: template.issuer_id,
          qualification: template.qualification,
          keyThumbprint: template.key_thumbprint,
          listUrls: { revocation: listUrl('revocation'), suspension: listUrl('suspension') },
        },
        count: FILLER,
        avoidIndices: indices,
      });
    });
    for (const i of indices) nursing.revoke(i);
    await sleep(1100); // past the lists' ttl

    board = await connectLive(world.api.url!, commander.token);
    events = recordEvents(board);
    expect((await board.emitWithAck('subscribe', { incidentId: incident.id })).ok).toBe(true);
  });

  afterAll(async () => {
    board?.close();
    for (const w of workers) {
      if (w.exitCode === null && w.signalCode === null) {
        w.kill('SIGTERM');
        await exited(w);
      }
    }
    await world?.close();
  });

  it('the next worker takes the sweep over from its checkpoint and completes it; every alert goes out exactly once', async () => {
    const asked = await request(world.http)
      .post('/reverification/sweeps')
      .set(...bearer(world.adminToken))
      .expect(202);
    const jobId = asked.body.jobId as string;

    const first = spawnWorker(world.env.env);
    workers.push(first);
    // Kill it once it has checkpointed some blocks, well before the end.
    const deadline = Date.now() + 60000;
    let atKill = await getJob(world.http, world.adminToken, jobId);
    while (atKill.progress.done < 1000) {
      if (Date.now() > deadline || first.exitCode !== null) throw new Error(`the sweep did not get going: ${JSON.stringify(atKill)}\n${first.output.join('')}`);
      await sleep(20);
      atKill = await getJob(world.http, world.adminToken, jobId);
    }
    first.kill('SIGKILL');
    await exited(first);
    const killedAt = await getJob(world.http, world.adminToken, jobId);
    expect(killedAt.state).toBe('running');
    expect(killedAt.progress.done).toBeLessThan(killedAt.progress.total);

    const second = spawnWorker(world.env.env);
    workers.push(second);
    const done = await waitForJob(world.http, world.adminToken, jobId, 60000).catch((err: Error) => {
      throw new Error(`${err.message}\n${second.output.join('')}`);
    });
    expect(done).toMatchObject({ state: 'completed', error: null });
    expect(done.attempts).toBeGreaterThanOrEqual(2); // started, killed, resumed
    expect(done.progress.done).toBe(FILLER + revoked.length);
    // Resumed, not restarted: the second worker did not check every deployment again.
    expect((done.result as { checked: number }).checked).toBeLessThanOrEqual(FILLER + revoked.length + 100);

    // Every revoked responder is out of service, with exactly one flag, one audit entry and one board event each.
    const counts = await withDb(world.env.dbUrl, async (db) => ({
      flaggedDeployments: Number(
        (
          await db.query(`SELECT count(*) FROM deployment WHERE id = ANY($1::uuid[]) AND credential_flag->>'code' = 'revoked' AND status = 'out_of_service'`, [
            revoked,
          ])
        ).rows[0].count,
      ),
      outbox: Number((await db.query(`SELECT count(*) FROM outbox_event WHERE name = 'credential.flagged' AND incident_id = $1`, [incident.id])).rows[0].count),
      audit: Number((await db.query(`SELECT count(*) FROM audit_entry WHERE action = 'credential.flagged' AND incident_id = $1`, [incident.id])).rows[0].count),
      otherFlags: Number(
        (
          await db.query(`SELECT count(*) FROM deployment WHERE incident_id = $1 AND credential_flag IS NOT NULL AND NOT (id = ANY($2::uuid[]))`, [
            incident.id,
            revoked,
          ])
        ).rows[0].count,
      ),
    }));
    expect(counts).toEqual({ flaggedDeployments: revoked.length, outbox: revoked.length, audit: revoked.length, otherFlags: 0 });
    await waitFor(() => events.filter((e) => e.name === 'credential.flagged').length >= revoked.length, 10000, 'the alerts on the board');
    await sleep(500);
    const alerted = events.filter((e) => e.name === 'credential.flagged').map((e) => (e.payload as { deploymentId: string }).deploymentId);
    expect(alerted.sort()).toEqual([...revoked].sort());
  });
});
