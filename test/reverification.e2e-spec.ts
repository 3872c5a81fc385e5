import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { LiveEphemeralEvent, LiveEvent } from '@app/realtime';
import { Reverifier } from '@app/reverification';
import { connectLive, eventually, recordEvents, sleep, waitFor, type LiveTestSocket } from './support/live-harness';
import { getJob, REVERIFY_TEST_ENV, startWorker, sweepOnce, waitForJob, withDb, type TestWorker } from './support/reverification';
import { bearer, createUser, startApi } from './support/test-app';
import { createIncident, staffFor, startWorld, type IncidentFixture, type World } from './support/world';

type Staff = { id: string; token: string };

// jest ignores testTimeout inside a `projects` entry: set it here.
jest.setTimeout(60000);

describe('reverification on the queue (real PostgreSQL, Redis, demo issuer, worker)', () => {
  let world: World;
  let worker: TestWorker;
  let incident: IncidentFixture;
  let checkin: Staff;
  let commander: Staff;
  let board: LiveTestSocket;
  let events: LiveEvent[];
  const progress: LiveEphemeralEvent[] = [];

  /** Issues a credential from a demo board and checks its holder in; returns the deployment and status index. */
  async function deploy(
    slug: string,
    qualification: string,
    name: string,
    extra: Record<string, unknown> = {},
  ): Promise<{ deploymentId: string; statusIndex: number }> {
    const issued = await world.issuer.board(slug).issue({ format: 'vc+jwt', qualification, subject: { name }, ...extra });
    const res = await request(world.http)
      .post(`/incidents/${incident.id}/check-ins`)
      .set(...bearer(checkin.token))
      .set('Idempotency-Key', randomUUID())
      .send({ credential: issued.jws });
    if (res.status !== 201 || !res.body.deployment) throw new Error(`check-in of ${name} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { deploymentId: res.body.deployment.id as string, statusIndex: issued.statusIndex };
  }

  const deployment = async (id: string): Promise<{ status: string; statusReason?: string; credentialFlag?: { code: string } | null }> =>
    (
      await request(world.http)
        .get(`/incidents/${incident.id}/deployments/${id}`)
        .set(...bearer(commander.token))
        .expect(200)
    ).body;

  const auditActions = (deploymentId: string): Promise<string[]> =>
    withDb(world.env.dbUrl, async (db) =>
      (await db.query(`SELECT action FROM audit_entry WHERE target_id = $1 ORDER BY seq`, [deploymentId])).rows.map((r: { action: string }) => r.action),
    );

  const boardEvents = (name: string, deploymentId: string): LiveEvent[] =>
    events.filter((e) => e.name === name && (e.payload as { deploymentId?: string }).deploymentId === deploymentId);

  const outboxCount = (name: string, deploymentId: string): Promise<number> =>
    withDb(world.env.dbUrl, async (db) =>
      Number((await db.query(`SELECT count(*) FROM outbox_event WHERE name = $1 AND payload->>'deploymentId' = $2`, [name, deploymentId])).rows[0].count),
    );

  /** Past the demo issuer's status list ttl (1 s), so a sweep reads the list as the board now publishes it. */
  const listsTurnOver = () => sleep(1100);

  beforeAll(async () => {
    world = await startWorld('reverify', { listen: true, env: { ...REVERIFY_TEST_ENV, CLOCK_SKEW_SECONDS: '1' } });
    worker = await startWorker(world.env.env);
    incident = await createIncident(world.http, world.adminToken);
    checkin = await staffFor(world.http, world.adminToken, incident.id, 'checkin');
    commander = await staffFor(world.http, world.adminToken, incident.id, 'commander');
    board = await connectLive(world.api.url!, commander.token);
    events = recordEvents(board);
    board.on('reverify.progress', (e) => progress.push(e));
    const ack = await board.emitWithAck('subscribe', { incidentId: incident.id });
    expect(ack.ok).toBe(true);
  });
  afterAll(async () => {
    board?.close();
    await worker?.close();
    await world?.close();
  });

  it('a revoked credential: within one sweep the deployment is out of service, audited, and the board gets credential.flagged', async () => {
    const nurse = await deploy('fl-nursing', 'RN', 'Rosa Revoked');
    const bystander = await deploy('fl-nursing', 'RN', 'Ben Bystander');
    world.issuer.board('fl-nursing').revoke(nurse.statusIndex);
    await listsTurnOver();

    const sweep = await sweepOnce(world.http, world.adminToken);
    expect(sweep).toMatchObject({ kind: 'sweep', state: 'completed', error: null, progress: { percent: 100 } });
    expect(sweep.result).toMatchObject({ flagged: 1, byFlag: { revoked: 1 } });
    expect((sweep.result as { checked: number }).checked).toBeGreaterThanOrEqual(2);

    expect(await deployment(nurse.deploymentId)).toMatchObject({ status: 'out_of_service', statusReason: 'credential', credentialFlag: { code: 'revoked' } });
    expect(await deployment(bystander.deploymentId)).toMatchObject({ status: 'available', credentialFlag: null });
    expect(await auditActions(nurse.deploymentId)).toEqual(expect.arrayContaining(['credential.flagged', 'deployment.status_changed']));
    await waitFor(() => boardEvents('credential.flagged', nurse.deploymentId).length === 1, 5000, 'credential.flagged on the board');
    expect(boardEvents('credential.flagged', nurse.deploymentId)[0].payload).toMatchObject({ name: 'Rosa Revoked', flag: { code: 'revoked' } });
    await waitFor(() => boardEvents('deployment.status_changed', nurse.deploymentId).length === 1, 5000, 'status change on the board');

    // The check is recorded against the credential, with its outcome.
    const verifications = await withDb(
      world.env.dbUrl,
      async (db) =>
        (
          await db.query(
            `SELECT v.kind, v.verified FROM verification v JOIN deployment d ON d.credential_id = v.credential_id WHERE d.id = $1 ORDER BY v.performed_at`,
            [nurse.deploymentId],
          )
        ).rows,
    );
    expect(verifications).toEqual([
      { kind: 'check_in', verified: true },
      { kind: 'reverification', verified: false },
    ]);
  });

  it('the same sweep run twice, and a second sweep, alert once', async () => {
    const nurse = await deploy('fl-nursing', 'RN', 'Otto Once');
    world.issuer.board('fl-nursing').revoke(nurse.statusIndex);
    await listsTurnOver();
    const first = await sweepOnce(world.http, world.adminToken);
    expect(first.result).toMatchObject({ flagged: 1 });

    // The same run delivered again (a retried or duplicated job): nothing happens.
    expect(await worker.app.get(Reverifier).process(first.id)).toBe('already_finished');
    // A whole new sweep: the flag is already there, so no new alert.
    const second = await sweepOnce(world.http, world.adminToken);
    expect(second.result).toMatchObject({ flagged: 0, cleared: 0 });

    await sleep(500);
    expect(await outboxCount('credential.flagged', nurse.deploymentId)).toBe(1);
    expect(boardEvents('credential.flagged', nurse.deploymentId)).toHaveLength(1);
    expect((await auditActions(nurse.deploymentId)).filter((a) => a === 'credential.flagged')).toHaveLength(1);
  });

  it('a suspension flags the deployment; lifting it emits credential.cleared and the responder stays out of service', async () => {
    const medic = await deploy('fl-ems', 'PARAMEDIC', 'Sam Suspended');
    world.issuer.board('fl-ems').suspend(medic.statusIndex);
    await listsTurnOver();
    expect((await sweepOnce(world.http, world.adminToken)).result).toMatchObject({ byFlag: { suspended: 1 } });
    expect(await deployment(medic.deploymentId)).toMatchObject({ status: 'out_of_service', statusReason: 'credential', credentialFlag: { code: 'suspended' } });

    world.issuer.board('fl-ems').reinstate(medic.statusIndex);
    await listsTurnOver();
    expect((await sweepOnce(world.http, world.adminToken)).result).toMatchObject({ cleared: 1 });
    expect(await deployment(medic.deploymentId)).toMatchObject({ status: 'out_of_service', statusReason: 'credential', credentialFlag: null });
    await waitFor(() => boardEvents('credential.cleared', medic.deploymentId).length === 1, 5000, 'credential.cleared on the board');
    expect(boardEvents('credential.cleared', medic.deploymentId)[0].payload).toMatchObject({ code: 'suspended', name: 'Sam Suspended' });
    expect(await auditActions(medic.deploymentId)).toEqual(expect.arrayContaining(['credential.flagged', 'credential.cleared']));

    // A commander may now put them back to work.
    await request(world.http)
      .post(`/incidents/${incident.id}/deployments/${medic.deploymentId}/status`)
      .set(...bearer(commander.token))
      .send({ status: 'available' })
      .expect(200);
  });

  it('warns once ahead of expiry, then flags the credential when it has expired', async () => {
    const soon = await deploy('fl-nursing', 'RN', 'Eve Expiring', { validUntil: new Date(Date.now() + 4000) });
    const later = await deploy('fl-nursing', 'RN', 'Lou Later', { validUntil: new Date(Date.now() + 6 * 3600e3) });

    const first = await sweepOnce(world.http, world.adminToken);
    expect((first.result as { expiryWarnings: number }).expiryWarnings).toBeGreaterThanOrEqual(2);
    await sweepOnce(world.http, world.adminToken);
    await waitFor(() => boardEvents('credential.expiring', later.deploymentId).length === 1, 5000, 'credential.expiring');
    expect(await outboxCount('credential.expiring', later.deploymentId)).toBe(1);
    expect(await outboxCount('credential.expiring', soon.deploymentId)).toBe(1);

    await sleep(5200); // past validUntil and the 1 s clock skew
    const after = await sweepOnce(world.http, world.adminToken);
    expect(after.result).toMatchObject({ byFlag: { expired: 1 } });
    expect(await deployment(soon.deploymentId)).toMatchObject({ status: 'out_of_service', credentialFlag: { code: 'expired' } });
    expect(await deployment(later.deploymentId)).toMatchObject({ credentialFlag: null });
  });

  it('on demand: a commander reverifies their incident (202 + job id), follows it at GET /jobs/:id and on the board', async () => {
    const res = await request(world.http)
      .post(`/incidents/${incident.id}/reverify`)
      .set(...bearer(commander.token))
      .expect(202);
    expect(res.body).toMatchObject({ jobId: expect.any(String), created: true, queued: true });
    expect(res.headers.location).toBe(`/jobs/${res.body.jobId}`);
    const job = await waitForJob(world.http, commander.token, res.body.jobId);
    expect(job).toMatchObject({ kind: 'incident', incidentId: incident.id, state: 'completed', attempts: 1, error: null });
    expect(job.progress.done).toBe(job.progress.total);
    expect(job.progress.total).toBeGreaterThan(0);
    await waitFor(() => progress.some((p) => p.payload.jobId === job.id && p.payload.state === 'completed'), 5000, 'reverify.progress');
    expect(progress.find((p) => p.payload.jobId === job.id)?.incidentId).toBe(incident.id);

    // Who may ask, and who may look.
    const otherCommander = await createUser(world.http, world.adminToken, 'commander');
    await request(world.http)
      .post(`/incidents/${incident.id}/reverify`)
      .set(...bearer(checkin.token))
      .expect(403);
    expect([403, 404]).toContain(
      (
        await request(world.http)
          .post(`/incidents/${incident.id}/reverify`)
          .set(...bearer(otherCommander.token))
      ).status,
    );
    expect([403, 404]).toContain(
      (
        await request(world.http)
          .get(`/jobs/${job.id}`)
          .set(...bearer(otherCommander.token))
      ).status,
    );
    await request(world.http)
      .get(`/jobs/${job.id}`)
      .set(...bearer(checkin.token))
      .expect(403);
    const sweeps = await request(world.http)
      .post('/reverification/sweeps')
      .set(...bearer(commander.token));
    expect(sweeps.status).toBe(403);
    const aSweep = await sweepOnce(world.http, world.adminToken);
    await request(world.http)
      .get(`/jobs/${aSweep.id}`)
      .set(...bearer(commander.token))
      .expect(403);
    await request(world.http)
      .get('/jobs/not-a-job')
      .set(...bearer(world.adminToken))
      .expect(404);
    await request(world.http)
      .get(`/jobs/${randomUUID()}`)
      .set(...bearer(world.adminToken))
      .expect(404);
    expect(await auditActionsFor(world, 'reverification.requested')).toBeGreaterThanOrEqual(1);
  });

  it('asking while Redis is down still answers 202; the run is queued when Redis answers and completes', async () => {
    const offline = await startApi({ ...world.env.env, REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const res = await request(offline.http)
        .post(`/incidents/${incident.id}/reverify`)
        .set(...bearer(commander.token));
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ created: true, queued: false });
      // This worker's Redis is up: its maintenance loop finds the pending run and queues it.
      const job = await waitForJob(world.http, commander.token, res.body.jobId);
      expect(job.state).toBe('completed');
      // Check-ins keep working on the api without Redis.
      const { jws } = await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Nia Offline' } });
      const checkIn = await request(offline.http)
        .post(`/incidents/${incident.id}/check-ins`)
        .set(...bearer(checkin.token))
        .set('Idempotency-Key', randomUUID())
        .send({ credential: jws });
      expect(checkIn.status).toBe(201);
    } finally {
      await offline.close();
    }
  });

  it('the queue dashboard at /admin/queues: admins only, by bearer token or by the dashboard cookie', async () => {
    await request(world.http).get('/admin/queues').expect(401);
    await request(world.http)
      .get('/admin/queues')
      .set(...bearer(commander.token))
      .expect(403);
    const page = await request(world.http)
      .get('/admin/queues')
      .set(...bearer(world.adminToken))
      .expect(200);
    expect(page.text).toContain('<div id="root">');

    await request(world.http)
      .post('/jobs/dashboard-session')
      .set(...bearer(commander.token))
      .expect(403);
    const session = await request(world.http)
      .post('/jobs/dashboard-session')
      .set(...bearer(world.adminToken))
      .expect(204);
    const cookie = String(session.headers['set-cookie']);
    expect(cookie).toMatch(/rc_queue_dashboard=/);
    expect(cookie).toMatch(/Path=\/admin\/queues/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const value = cookie.split(';')[0];
    const queues = await request(world.http).get('/admin/queues/api/queues').set('Cookie', value).expect(200);
    expect((queues.body.queues as Array<{ name: string }>).map((q) => q.name).sort()).toEqual(['maintenance', 'reverification', 'status-lists']);
    await request(world.http).put('/admin/queues/api/queues/reverification/pause').set('Cookie', value).set('Origin', 'https://evil.example').expect(403);
    await request(world.http).get('/admin/queues/api/queues').set('Cookie', 'rc_queue_dashboard=forged').expect(401);
  });

  it('an issuer retired from the trust registry: its responders are flagged within one sweep', async () => {
    const doctor = await deploy('fl-medicine', 'MD', 'Dora Doctor');
    const did = world.issuer.board('fl-medicine').did;
    await request(world.http)
      .post(`/trust/issuers/${encodeURIComponent(did)}/retire`)
      .set(...bearer(world.adminToken))
      .send({ reason: 'Board merged' })
      .expect(200);
    // The worker's registry snapshot is re-read within a few seconds (TRUST_SNAPSHOT_TTL_MS).
    await eventually(async () => (await sweepOnce(world.http, world.adminToken)).result?.flagged === 1, 15000, 'a sweep that sees the retirement');
    expect(await deployment(doctor.deploymentId)).toMatchObject({ status: 'out_of_service', credentialFlag: { code: 'untrusted_issuer' } });
    await waitFor(() => boardEvents('credential.flagged', doctor.deploymentId).length === 1, 5000, 'credential.flagged');
  });

  it('a run that keeps failing is retried with backoff, then its final failure is recorded and visible', async () => {
    // A run whose resume point is corrupt: every attempt fails in PostgreSQL. It is recorded but never queued by
    // anyone, so this also shows the worker picking up runs that are only in the database.
    const runId = await withDb(
      world.env.dbUrl,
      async (db) =>
        (
          await db.query(
            `INSERT INTO job_run (kind, state, progress, checkpoint, requested_by) VALUES ('sweep', 'queued', '{"done": 0, "total": 1}', '{"after": "not-a-uuid"}', '{"kind":"system","process":"api"}') RETURNING id`,
          )
        ).rows[0].id as string,
    );
    const job = await waitForJob(world.http, world.adminToken, runId, 30000);
    expect(job).toMatchObject({ state: 'failed', attempts: 5 });
    expect(job.error).toMatch(/uuid/);
    expect(job.finishedAt).not.toBeNull();
  });
});

async function auditActionsFor(world: World, action: string): Promise<number> {
  return withDb(world.env.dbUrl, async (db) => Number((await db.query(`SELECT count(*) FROM audit_entry WHERE action = $1`, [action])).rows[0].count));
}
