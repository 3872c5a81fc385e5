import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { LiveEvent, LiveEventMap } from '@app/realtime';
import { bearer, createUser, startApi } from './support/test-app';
import { createIncident, staffFor, startWorld, type World } from './support/world';
import { connectLive, CuttableProxy, eventually, recordEvents, waitFor, type LiveTestSocket } from './support/live-harness';
import { startWorker, withDb, type TestWorker } from './support/reverification';
import { assign, checkInMany } from './support/accountability';
import { expectedListHash } from '@app/accountability';

/**
 * PAR roll calls end to end: scope and expected list, acknowledgements by the board and by station scans, missing
 * people, completion, the bad-input rules (each a 4xx with its code, never a double count), the audit trail, the
 * live events, and a PAR that survives an api restart and a Redis outage, its deadline raised by the worker.
 */
jest.setTimeout(180_000);

type Body = Record<string, unknown> & { counts: { expected: number; accounted: number; missing: number; unaccounted: number } };

describe('PAR roll calls', () => {
  let world: World;
  let incidentId: string;
  let commander: { id: string; token: string };
  let checkin: { id: string; token: string };
  let supervisor: { id: string; token: string };
  let deployments: string[];
  let socket: LiveTestSocket;
  let events: LiveEvent[];

  const http = () => world.http;
  const pars = (path = '') => `/incidents/${incidentId}/pars${path}`;

  beforeAll(async () => {
    world = await startWorld('par', { listen: true });
    incidentId = (await createIncident(world.http, world.adminToken, { name: 'PAR Collapse' })).id;
    commander = await staffFor(world.http, world.adminToken, incidentId, 'commander');
    checkin = await staffFor(world.http, world.adminToken, incidentId, 'checkin');
    supervisor = await createUser(world.http, world.adminToken, 'supervisor');
    await request(world.http)
      .post(`/incidents/${incidentId}/staff`)
      .set(...bearer(world.adminToken))
      .send({ userId: supervisor.id })
      .expect(204);
    await request(world.http)
      .put(`/incidents/${incidentId}/supervisors/${supervisor.id}`)
      .set(...bearer(commander.token))
      .send({ assignments: ['Division A'] })
      .expect(200, { userId: supervisor.id, assignments: ['Division A'] });
    deployments = await checkInMany(world, incidentId, 5, 'PAR Responder');
    await assign(world.http, commander.token, incidentId, deployments[0], 'Division A');
    await assign(world.http, commander.token, incidentId, deployments[1], 'Division A');
    await assign(world.http, commander.token, incidentId, deployments[2], 'Division B');
    socket = await connectLive(world.api.url!, commander.token);
    events = recordEvents(socket);
    const ack = await socket.emitWithAck('subscribe', { incidentId });
    expect(ack.ok).toBe(true);
  });

  afterAll(async () => {
    socket?.close();
    await world?.close();
  });

  const parEvents = <N extends keyof LiveEventMap>(name: N, parId: string) =>
    events.filter((e): e is LiveEvent<N> => e.name === name && (e.payload as { parId?: string }).parId === parId);

  it('only a supervisor role can be given assignments, and supervisors see only their scope', async () => {
    await request(http())
      .put(`/incidents/${incidentId}/supervisors/${checkin.id}`)
      .set(...bearer(commander.token))
      .send({ assignments: ['Division A'] })
      .expect(422);
    const whole = await request(http())
      .post(pars())
      .set(...bearer(supervisor.token))
      .send({ reason: 'timer' });
    expect(whole.status).toBe(403);
    const other = await request(http())
      .post(pars())
      .set(...bearer(supervisor.token))
      .send({ reason: 'timer', assignment: 'Division B' });
    expect(other.status).toBe(403);
    const checkinStarts = await request(http())
      .post(pars())
      .set(...bearer(checkin.token))
      .send({ reason: 'timer' });
    expect(checkinStarts.status).toBe(403);
  });

  it('refuses bad input with 400 and reason codes', async () => {
    const badReason = await request(http())
      .post(pars())
      .set(...bearer(commander.token))
      .send({ reason: 'because' });
    expect(badReason.status).toBe(400);
    expect(badReason.body.code).toBe('validation_failed');
    const otherWithoutNote = await request(http())
      .post(pars())
      .set(...bearer(commander.token))
      .send({ reason: 'other' });
    expect(otherWithoutNote.status).toBe(400);
    const empty = await request(http())
      .post(pars())
      .set(...bearer(commander.token))
      .send({ reason: 'evacuation', assignment: 'Division Z' });
    expect(empty.status).toBe(422);
    expect(empty.body.code).toBe('par_scope_empty');
    await request(http())
      .post(pars('/not-a-uuid/acknowledgements'))
      .set(...bearer(commander.token))
      .send({ deploymentIds: [deployments[0]] })
      .expect(400);
    await request(http())
      .post(pars(`/${randomUUID()}/acknowledgements`))
      .set(...bearer(commander.token))
      .send({ deploymentIds: [deployments[0]] })
      .expect(404);
  });

  it('runs a whole-incident PAR: expected list fixed at start, acknowledgements counted once, missing alerted, completion', async () => {
    const started = await request(http())
      .post(pars())
      .set(...bearer(commander.token))
      .send({ reason: 'collapse' });
    expect(started.status).toBe(201);
    const par = started.body as Body & { id: string; deadlineAt: string; startedAt: string };
    expect(par.counts).toEqual({ expected: 5, accounted: 0, missing: 0, unaccounted: 5 });
    expect(new Date(par.deadlineAt).getTime() - new Date(par.startedAt).getTime()).toBe(300_000);
    await waitFor(() => parEvents('par.started', par.id).length === 1, 5000, 'par.started');

    // A second PAR in the same scope is refused; a PAR for one division alongside it is not.
    const again = await request(http())
      .post(pars())
      .set(...bearer(commander.token))
      .send({ reason: 'timer' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('par_running');

    // Someone who arrives after the start is not on the list.
    const [late] = await checkInMany(world, incidentId, 1, 'Late Arrival');
    const outside = await request(http())
      .post(pars(`/${par.id}/acknowledgements`))
      .set(...bearer(commander.token))
      .send({ deploymentIds: [late] });
    expect(outside.status).toBe(422);
    expect(outside.body.code).toBe('par_not_in_scope');

    // Ten simultaneous acknowledgements of one person: one counts, nine are refused.
    const racing = await Promise.all(
      Array.from({ length: 10 }, () =>
        request(http())
          .post(pars(`/${par.id}/acknowledgements`))
          .set(...bearer(commander.token))
          .send({ deploymentIds: [deployments[0]] }),
      ),
    );
    expect(racing.filter((r) => r.status === 200)).toHaveLength(1);
    expect(racing.filter((r) => r.status === 409 && r.body.code === 'par_already_marked')).toHaveLength(9);

    // A station scan (check-in staff) is recorded as a scan, whatever the body says.
    const scanned = await request(http())
      .post(pars(`/${par.id}/acknowledgements`))
      .set(...bearer(checkin.token))
      .send({ deploymentIds: [deployments[1]], via: 'board' });
    expect(scanned.status).toBe(200);
    expect(scanned.body.counts).toEqual({ expected: 5, accounted: 2, missing: 0, unaccounted: 3 });

    // A mixed request (one new, one already accounted) changes nothing.
    const mixed = await request(http())
      .post(pars(`/${par.id}/acknowledgements`))
      .set(...bearer(commander.token))
      .send({ deploymentIds: [deployments[2], deployments[1]] });
    expect(mixed.status).toBe(409);

    const missing = await request(http())
      .post(pars(`/${par.id}/missing`))
      .set(...bearer(commander.token))
      .send({ deploymentId: deployments[2] });
    expect(missing.status).toBe(200);
    expect(missing.body.counts).toEqual({ expected: 5, accounted: 2, missing: 1, unaccounted: 2 });
    await waitFor(() => parEvents('par.missing', par.id).length === 1, 5000, 'par.missing');
    expect(parEvents('par.missing', par.id)[0].payload).toMatchObject({ deploymentId: deployments[2], name: 'PAR Responder 3', assignment: 'Division B' });
    const missingTwice = await request(http())
      .post(pars(`/${par.id}/missing`))
      .set(...bearer(commander.token))
      .send({ deploymentId: deployments[2] });
    expect(missingTwice.status).toBe(409);

    const detail = await request(http())
      .get(pars(`/${par.id}`))
      .set(...bearer(supervisor.token))
      .expect(200);
    const states = Object.fromEntries(
      (detail.body.members as Array<{ deploymentId: string; state: string; via: string | null }>).map((m) => [m.deploymentId, m]),
    );
    expect(states[deployments[1]]).toMatchObject({ state: 'accounted', via: 'scan', markedBy: 'checkin' });
    expect(states[deployments[2]]).toMatchObject({ state: 'missing' });
    expect(states[late]).toBeUndefined();

    // The missing person is found; the last two are acknowledged: the PAR completes by itself.
    const rest = await request(http())
      .post(pars(`/${par.id}/acknowledgements`))
      .set(...bearer(commander.token))
      .send({ deploymentIds: [deployments[2], deployments[3], deployments[4]] });
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({ state: 'completed', counts: { expected: 5, accounted: 5, missing: 0, unaccounted: 0 } });
    const after = await request(http())
      .post(pars(`/${par.id}/acknowledgements`))
      .set(...bearer(commander.token))
      .send({ deploymentIds: [deployments[0]] });
    expect(after.status).toBe(409);
    expect(after.body.code).toBe('par_not_running');

    // The board saw every change, in sequence order, and its last counts are the final ones.
    await waitFor(() => parEvents('par.completed', par.id).length === 1, 5000, 'par.completed');
    const mine = events.filter((e) => (e.payload as { parId?: string }).parId === par.id);
    expect(mine.map((e) => e.name)).toEqual(['par.started', 'par.acknowledged', 'par.acknowledged', 'par.missing', 'par.acknowledged', 'par.completed']);
    const seqs = mine.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect((mine.at(-1)!.payload as Body).counts).toEqual({ expected: 5, accounted: 5, missing: 0, unaccounted: 0 });
    // Each acknowledgement event names the people, how and by whom (a role, never an address).
    expect((mine[2].payload as LiveEventMap['par.acknowledged']).acknowledgements).toEqual([{ deploymentIds: [deployments[1]], via: 'scan', by: 'checkin' }]);
    expect((mine[4].payload as LiveEventMap['par.acknowledged']).acknowledgements).toEqual([
      { deploymentIds: [deployments[2], deployments[3], deployments[4]], via: 'board', by: 'commander' },
    ]);

    // The audit trail holds who started it, who acknowledged whom, and the result.
    const audit = await request(http())
      .get('/audit/entries')
      .query({ incidentId, action: 'par.*' })
      .set(...bearer(world.adminToken))
      .expect(200);
    const entries = (audit.body.entries as Array<{ action: string; targetId: string; actor: { role?: string }; payload: Record<string, unknown> }>)
      .filter((e) => e.targetId === par.id)
      .reverse();
    expect(entries.map((e) => e.action)).toEqual(['par.started', 'par.acknowledged', 'par.acknowledged', 'par.missing', 'par.acknowledged', 'par.completed']);
    expect(entries[0]).toMatchObject({ actor: { role: 'commander' }, payload: { reason: 'collapse', scope: 'incident' } });
    // The expected list is the PAR's member rows; the entry holds its count and seal.
    expect(entries[0].payload).toMatchObject({ expected: 5, expectedHash: expectedListHash(deployments) });
    const listed = await request(http())
      .get(pars(`/${par.id}`))
      .set(...bearer(commander.token))
      .expect(200);
    expect(expectedListHash((listed.body.members as Array<{ deploymentId: string }>).map((m) => m.deploymentId))).toBe(entries[0].payload.expectedHash);
    expect(entries[2]).toMatchObject({ actor: { role: 'checkin' }, payload: { deploymentIds: [deployments[1]], via: 'scan' } });
    expect(entries[5].payload).toMatchObject({ counts: { accounted: 5, missing: 0, unaccounted: 0 } });
  });

  it('a supervisor runs a PAR for their division and acknowledges only their people', async () => {
    const started = await request(http())
      .post(pars())
      .set(...bearer(supervisor.token))
      .send({ reason: 'change_of_strategy', assignment: 'Division A' });
    expect(started.status).toBe(201);
    expect(started.body.counts.expected).toBe(2);
    const parId = started.body.id as string;
    const notOnList = await request(http())
      .post(pars(`/${parId}/acknowledgements`))
      .set(...bearer(supervisor.token))
      .send({ deploymentIds: [deployments[2]] });
    expect(notOnList.status).toBe(422);
    await request(http())
      .post(pars(`/${parId}/acknowledgements`))
      .set(...bearer(supervisor.token))
      .send({ deploymentIds: [deployments[0]] })
      .expect(200);
    const done = await request(http())
      .post(pars(`/${parId}/complete`))
      .set(...bearer(supervisor.token))
      .expect(200);
    expect(done.body).toMatchObject({ state: 'completed', counts: { expected: 2, accounted: 1, unaccounted: 1 } });
    await request(http())
      .post(pars(`/${parId}/complete`))
      .set(...bearer(commander.token))
      .expect(409);
  });

  it('keeps a person marked missing on the list after the roll call ends, until accounted for or checked out', async () => {
    type Missing = { deploymentId: string; name: string; assignment: string | null; parId: string; markedBy: string; markedAt: string };
    const stillMissing = async (token = checkin.token): Promise<Missing[]> =>
      (
        await request(http())
          .get(`/incidents/${incidentId}/missing`)
          .set(...bearer(token))
          .expect(200)
      ).body as Missing[];
    expect(await stillMissing()).toEqual([]);

    const first = (
      await request(http())
        .post(pars())
        .set(...bearer(commander.token))
        .send({ reason: 'collapse' })
        .expect(201)
    ).body as { id: string };
    for (const d of [deployments[3], deployments[2]]) {
      await request(http())
        .post(pars(`/${first.id}/missing`))
        .set(...bearer(commander.token))
        .send({ deploymentId: d })
        .expect(200);
    }
    // Oldest mark first, whoever on the incident's staff asks.
    const marked = await stillMissing();
    expect(marked.map((m) => [m.deploymentId, m.name, m.assignment, m.parId, m.markedBy])).toEqual([
      [deployments[3], 'PAR Responder 4', null, first.id, 'commander'],
      [deployments[2], 'PAR Responder 3', 'Division B', first.id, 'commander'],
    ]);
    expect(Date.parse(marked[0].markedAt)).toBeLessThanOrEqual(Date.parse(marked[1].markedAt));

    // The roll call ends with them missing; a new one that has not reached them yet changes nothing.
    await request(http())
      .post(pars(`/${first.id}/complete`))
      .set(...bearer(commander.token))
      .expect(200);
    expect((await stillMissing(supervisor.token)).map((m) => m.deploymentId)).toEqual([deployments[3], deployments[2]]);
    const second = (
      await request(http())
        .post(pars())
        .set(...bearer(commander.token))
        .send({ reason: 'missing_member' })
        .expect(201)
    ).body as { id: string };
    expect((await stillMissing()).map((m) => m.deploymentId)).toEqual([deployments[3], deployments[2]]);

    // Found: accounted for in the new roll call.
    await request(http())
      .post(pars(`/${second.id}/acknowledgements`))
      .set(...bearer(commander.token))
      .send({ deploymentIds: [deployments[3]] })
      .expect(200);
    expect((await stillMissing()).map((m) => m.deploymentId)).toEqual([deployments[2]]);
    // Missing again in the new roll call: listed once, by the latest mark.
    await request(http())
      .post(pars(`/${second.id}/missing`))
      .set(...bearer(commander.token))
      .send({ deploymentId: deployments[2] })
      .expect(200);
    expect((await stillMissing()).map((m) => [m.deploymentId, m.parId])).toEqual([[deployments[2], second.id]]);

    // Off scene: checked out.
    await request(http())
      .post(`/incidents/${incidentId}/deployments/${deployments[2]}/check-out`)
      .set(...bearer(commander.token))
      .send({})
      .expect(200);
    expect(await stillMissing()).toEqual([]);
    await request(http())
      .post(pars(`/${second.id}/complete`))
      .set(...bearer(commander.token))
      .expect(200);

    // Not an incident id: nothing to read (the incident guard answers before the route).
    const bad = await request(http())
      .get('/incidents/not-an-incident/missing')
      .set(...bearer(commander.token));
    expect([bad.status, bad.body.code]).toEqual([404, 'not_found']);
  });

  it('survives an api restart and a Redis outage; the worker raises the deadline once', async () => {
    const started = await request(http())
      .post(pars())
      .set(...bearer(commander.token))
      .send({ reason: 'evacuation' });
    expect(started.status).toBe(201);
    const parId = started.body.id as string;
    const n = started.body.counts.expected as number;
    await request(http())
      .post(pars(`/${parId}/acknowledgements`))
      .set(...bearer(commander.token))
      .send({ deploymentIds: [deployments[0]] })
      .expect(200);

    // A second api process on the same database, the first one gone: the PAR is where it was.
    const first = world.api;
    await first.close();
    first.close = () => Promise.resolve();
    const api2 = await startApi(world.env.env);
    try {
      const again = await request(api2.http)
        .get(pars(`/${parId}`))
        .set(...bearer(commander.token))
        .expect(200);
      expect(again.body.par).toMatchObject({ state: 'running', counts: { expected: n, accounted: 1 } });
      const twice = await request(api2.http)
        .post(pars(`/${parId}/acknowledgements`))
        .set(...bearer(commander.token))
        .send({ deploymentIds: [deployments[0]] });
      expect(twice.status).toBe(409);

      // The worker reaches Redis through a proxy that is cut: deadlines live in PostgreSQL and still fire.
      const proxy = new CuttableProxy();
      await proxy.start();
      let worker: TestWorker | undefined = await startWorker({ ...world.env.env, REDIS_URL: `redis://127.0.0.1:${proxy.port}`, PAR_TICK_MS: '200' });
      try {
        await proxy.cut();
        await withDb(world.env.dbUrl, (db) => db.query(`UPDATE par SET deadline_at = now() - interval '1 second' WHERE id = $1`, [parId]));
        const overdue = async (): Promise<Array<{ payload: { counts: Body['counts'] } }>> =>
          (
            await request(api2.http)
              .get('/audit/entries')
              .query({ incidentId, action: 'par.overdue' })
              .set(...bearer(world.adminToken))
          ).body.entries;
        await eventually(async () => (await overdue()).length === 1, 10_000, 'par.overdue in the audit trail');
        expect((await overdue())[0].payload.counts).toEqual({ expected: n, accounted: 1, missing: 0, unaccounted: n - 1 });
        // Redis is back; a restarted worker does not raise it again.
        await proxy.restore();
        await worker.close();
        worker = await startWorker({ ...world.env.env, PAR_TICK_MS: '200' });
        await new Promise((r) => setTimeout(r, 1000));
        expect(await overdue()).toHaveLength(1);
        const view = await request(api2.http)
          .get(pars(`/${parId}`))
          .set(...bearer(commander.token))
          .expect(200);
        expect(view.body.par).toMatchObject({ state: 'running', overdue: true });
        // The board's replay carries the overdue event with the unaccounted names.
        const replay = await withDb(world.env.dbUrl, (db) =>
          db.query<{ payload: LiveEventMap['par.overdue'] }>(`SELECT payload FROM outbox_event WHERE incident_id = $1 AND name = 'par.overdue'`, [incidentId]),
        );
        expect(replay.rows).toHaveLength(1);
        expect(replay.rows[0].payload.unaccounted).toHaveLength(n - 1);
      } finally {
        await worker?.close();
        await proxy.close();
      }
    } finally {
      await api2.close();
    }
  });
});
