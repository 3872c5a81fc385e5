import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import type { App } from 'supertest/types';
import { parseConfig } from '@app/config';
import { LiveBroadcaster, type LiveEphemeralEvent, type LiveError, type LiveEvent } from '@app/realtime';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { LiveClient } from '../libs/realtime/src/client/live-client';
import {
  checkedIn,
  commitEvent,
  connectLive,
  CuttableProxy,
  eventually,
  recordEvents,
  sleep,
  startListeningApi,
  waitFor,
  type ListeningApi,
  type LiveTestSocket,
} from './support/live-harness';
import { ADMIN, bearer, createTestEnv, signIn, type TestEnv } from './support/test-app';
import { createIncident, staffFor, startWorld, type World } from './support/world';

/** One real check-in through POST /incidents/:id/check-ins (a Florida RN credential from the demo issuer). */
async function checkIn(world: World, incidentId: string, token: string, name: string): Promise<void> {
  const { jws } = await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name } });
  const res = await request(world.http)
    .post(`/incidents/${incidentId}/check-ins`)
    .set(...bearer(token))
    .set('Idempotency-Key', randomUUID())
    .send({ credential: jws });
  if (res.status !== 201) throw new Error(`check-in failed: ${res.status} ${JSON.stringify(res.body)}`);
}

const newIncident = async (http: App, adminToken: string): Promise<string> => (await createIncident(http, adminToken)).id;

describe('live board: /live over socket.io (one api)', () => {
  let world: World;
  let api: ListeningApi;
  let commander: { id: string; token: string };
  let checkinStaff: { id: string; token: string };
  let incidentId: string;
  const sockets: LiveTestSocket[] = [];
  const open = async (token: string | undefined): Promise<LiveTestSocket> => {
    const s = await connectLive(api.url, token);
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    world = await startWorld('live', { listen: true, env: { LIVE_RESYNC_MAX_EVENTS: '20' } });
    api = { ...world.api, url: world.api.url! };
    incidentId = await newIncident(world.http, world.adminToken);
    commander = await staffFor(world.http, world.adminToken, incidentId, 'commander');
    checkinStaff = await staffFor(world.http, world.adminToken, incidentId, 'checkin');
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await world?.close();
  });

  it('refuses a connection without a token, or with a forged one, with a reason code', async () => {
    const refusal = (token: string | undefined) =>
      connectLive(api.url, token).then(
        (s) => {
          s.close();
          return undefined;
        },
        (err: Error & { data?: LiveError }) => err,
      );
    const none = await refusal(undefined);
    expect(none?.data).toMatchObject({ code: 'unauthenticated' });
    expect(none?.message).toMatch(/access token/);
    const [h, p] = world.adminToken.split('.');
    const forged = await refusal(`${h}.${p}.AAAA`);
    expect(forged?.data).toEqual({ code: 'unauthenticated', message: 'The access token is missing, invalid or expired.' });
  });

  it('refuses to subscribe to an incident the user may not see, or that does not exist', async () => {
    const hidden = await newIncident(world.http, world.adminToken);
    const socket = await open(commander.token);
    const refused = await socket.emitWithAck('subscribe', { incidentId: hidden });
    expect(refused).toEqual({ ok: false, error: { code: 'forbidden', message: 'You are not assigned to this incident.' } });
    const unknown = await socket.emitWithAck('subscribe', { incidentId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const resync = await socket.emitWithAck('resync', { incidentId: hidden, since: 0 });
    expect(resync).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // Refused means not in the room: an event of that incident does not reach it.
    const seen = recordEvents(socket);
    await commitEvent(api.app, hidden, 'incident.updated', {
      incidentId: hidden,
      name: 'Hidden',
      state: 'active',
      changed: ['name'],
      at: new Date().toISOString(),
    });
    await sleep(300);
    expect(seen).toEqual([]);
  });

  it('validates messages and names the bad fields', async () => {
    const socket = await open(world.adminToken);
    const bad = await socket.emitWithAck('subscribe', { incidentId: 'not-a-uuid', extra: 1 } as never);
    expect(bad).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    const fields = (bad as { error: LiveError }).error.errors?.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['incidentId', 'message']));
    const since = await socket.emitWithAck('resync', { incidentId, since: -1 });
    expect(since).toMatchObject({ ok: false, error: { code: 'validation_failed', errors: [{ field: 'since' }] } });
    const notAnObject = await socket.emitWithAck('subscribe', 'hello' as never);
    expect(notAnObject).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });

  it('closes a connection that sends a message over the size limit', async () => {
    const socket = await open(world.adminToken);
    const closed = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    socket.emit('subscribe', { incidentId: 'x'.repeat(20_000) }, () => undefined);
    expect(await closed).toMatch(/transport (close|error)/);
  });

  it('a check-in produces deployment.checked_in for the subscribers of that incident only', async () => {
    const otherIncident = await newIncident(world.http, world.adminToken);
    const watching = await open(commander.token);
    const elsewhere = await open(world.adminToken);
    const seen = recordEvents(watching);
    const seenElsewhere = recordEvents(elsewhere);
    const ack = await watching.emitWithAck('subscribe', { incidentId });
    if (!ack.ok) throw new Error(ack.error.message);
    expect(await elsewhere.emitWithAck('subscribe', { incidentId: otherIncident })).toMatchObject({ ok: true, snapshot: { seq: 0 } });

    await checkIn(world, incidentId, checkinStaff.token, 'Ana Lopez');
    await waitFor(() => seen.length === 1, 5000, 'the check-in event');
    expect(seen[0]).toMatchObject({
      incidentId,
      seq: ack.snapshot.seq + 1,
      name: 'deployment.checked_in',
      payload: { deployment: { name: 'Ana Lopez', qualifications: ['RN'], status: 'available' } },
    });
    // The other incident's own event arrives after ours was published; had ours reached it, it would have come first.
    await commitEvent(api.app, otherIncident, 'incident.updated', {
      incidentId: otherIncident,
      name: 'Other',
      state: 'active',
      changed: ['name'],
      at: new Date().toISOString(),
    });
    await waitFor(() => seenElsewhere.length === 1, 5000, 'the other incident event');
    expect(seenElsewhere.map((e) => [e.incidentId, e.name])).toEqual([[otherIncident, 'incident.updated']]);
    expect(seen).toHaveLength(1);
  });

  it('answers subscribe with a snapshot (roster, counts, alerts) as of its seq', async () => {
    const socket = await open(commander.token);
    const seen = recordEvents(socket);
    const first = await socket.emitWithAck('subscribe', { incidentId });
    if (!first.ok) throw new Error(first.error.message);
    await checkIn(world, incidentId, checkinStaff.token, 'Ben Ode');
    await waitFor(() => seen.length === 1, 5000, 'the check-in event');

    const later = await open(commander.token);
    const ack = await later.emitWithAck('subscribe', { incidentId });
    if (!ack.ok) throw new Error(ack.error.message);
    // The snapshot includes exactly what the events up to its seq describe.
    expect(ack.snapshot.seq).toBe(seen[0].seq);
    expect(ack.snapshot.roster.length).toBe(first.snapshot.roster.length + 1);
    expect(ack.snapshot).toMatchObject({
      incidentId,
      incident: { id: incidentId, state: 'active' },
      counts: { total: ack.snapshot.roster.length, byQualification: { RN: ack.snapshot.roster.length } },
      alerts: [],
    });
    expect(ack.snapshot.roster.map((r) => r.name)).toEqual(expect.arrayContaining(['Ana Lopez', 'Ben Ode']));
  });

  it('board events, resyncs and snapshots carry no e-mail address, whoever acted; an id in capitals joins the same board', async () => {
    const board = await newIncident(world.http, world.adminToken);
    for (const user of [commander, checkinStaff]) {
      await request(world.http)
        .post(`/incidents/${board}/staff`)
        .set(...bearer(world.adminToken))
        .send({ userId: user.id })
        .expect(204);
    }
    const socket = await open(commander.token);
    const seen = recordEvents(socket);
    const first = await socket.emitWithAck('subscribe', { incidentId: board.toUpperCase() });
    if (!first.ok) throw new Error(first.error.message);
    expect(first.snapshot.incidentId).toBe(board);

    await checkIn(world, board, checkinStaff.token, 'Cam Reyes');
    await request(world.http)
      .post(`/incidents/${board}/check-ins`)
      .set(...bearer(checkinStaff.token))
      .set('Idempotency-Key', randomUUID())
      .send({ credential: 'not a credential' })
      .expect(201);
    await waitFor(() => seen.length === 2, 5000, 'the check-in and the denial');
    const checkedIn = seen.find((e): e is LiveEvent<'deployment.checked_in'> => e.name === 'deployment.checked_in');
    const deployment = `/incidents/${board}/deployments/${checkedIn!.payload.deployment.deploymentId}`;
    await request(world.http)
      .post(`${deployment}/status`)
      .set(...bearer(commander.token))
      .send({ status: 'assigned', assignment: 'Division A' })
      .expect(200);
    await request(world.http)
      .patch(`/incidents/${board}`)
      .set(...bearer(commander.token))
      .send({ name: 'Renamed by its commander' })
      .expect(200);
    await waitFor(() => seen.length === 4, 5000, 'the status change and the rename');
    const snapshot = await (await open(commander.token)).emitWithAck('subscribe', { incidentId: board });
    await request(world.http)
      .post(`${deployment}/check-out`)
      .set(...bearer(checkinStaff.token))
      .send({})
      .expect((res) => expect(res.status).toBeLessThan(300));
    await waitFor(() => seen.length === 5, 5000, 'the check-out');
    const resync = await socket.emitWithAck('resync', { incidentId: board, since: 0 });

    expect(seen.map((e) => e.name)).toEqual([
      'deployment.checked_in',
      'checkin.denied',
      'deployment.status_changed',
      'incident.updated',
      'deployment.checked_out',
    ]);
    expect(seen[2].payload).toMatchObject({ to: { status: 'assigned' }, changedBy: 'commander' });
    const EMAIL = /[\w.+-]+@[\w-]+(\.[\w-]+)+/;
    for (const [what, sent] of Object.entries({ events: seen, resync, snapshot, first })) {
      expect([what, JSON.stringify(sent).match(EMAIL)?.[0]]).toEqual([what, undefined]);
    }
  });

  it('a client that disconnects, misses events and resyncs gets exactly the missed events, in order', async () => {
    const first = await open(commander.token);
    const seen = recordEvents(first);
    const subscribed = await first.emitWithAck('subscribe', { incidentId });
    if (!subscribed.ok) throw new Error(subscribed.error.message);
    for (let i = 0; i < 3; i++) await commitEvent(api.app, incidentId, 'deployment.checked_in', checkedIn(`Early ${i}`));
    await waitFor(() => seen.length === 3, 5000, 'the first three events');
    const lastSeq = seen[seen.length - 1].seq;
    first.close();

    const missed: LiveEvent[] = [];
    for (let i = 0; i < 5; i++) missed.push(await commitEvent(api.app, incidentId, 'deployment.checked_in', checkedIn(`Missed ${i}`)));
    await checkIn(world, incidentId, checkinStaff.token, 'Cara Diaz');

    const again = await open(commander.token);
    const live = recordEvents(again);
    const ack = await again.emitWithAck('resync', { incidentId, since: lastSeq });
    if (!ack.ok || ack.mode !== 'events') throw new Error(`expected events, got ${JSON.stringify(ack)}`);
    expect(ack.events.slice(0, 5)).toEqual(missed);
    expect(ack.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6].map((k) => lastSeq + k));
    expect(ack.events[5]).toMatchObject({ name: 'deployment.checked_in', payload: { deployment: { name: 'Cara Diaz' } } });
    expect(ack.seq).toBe(lastSeq + 6);
    // Resync (re)joined the room: the next event arrives live.
    await commitEvent(api.app, incidentId, 'deployment.checked_out', {
      deploymentId: 'd',
      responderId: 'r',
      name: 'Early 0',
      at: new Date().toISOString(),
      hoursOnScene: 1.5,
    });
    await waitFor(() => live.some((e) => e.seq === lastSeq + 7), 5000, 'the live event after resync');
  });

  it('answers a resync that is too far behind, or ahead, with a fresh snapshot (LIVE_RESYNC_MAX_EVENTS=20)', async () => {
    const busy = await newIncident(world.http, world.adminToken);
    for (let i = 0; i < 25; i++)
      await commitEvent(api.app, busy, 'incident.updated', {
        incidentId: busy,
        name: `Busy ${i}`,
        state: 'active',
        changed: ['name'],
        at: new Date().toISOString(),
      });
    const socket = await open(world.adminToken);
    const tooFar = await socket.emitWithAck('resync', { incidentId: busy, since: 2 });
    expect(tooFar).toMatchObject({ ok: true, mode: 'snapshot', snapshot: { seq: 25, incidentId: busy, roster: [] } });
    const nearEnough = await socket.emitWithAck('resync', { incidentId: busy, since: 5 });
    expect(nearEnough).toMatchObject({ ok: true, mode: 'events', seq: 25 });
    expect((nearEnough as { events: LiveEvent[] }).events).toHaveLength(20);
    const ahead = await socket.emitWithAck('resync', { incidentId: busy, since: 99 });
    expect(ahead).toMatchObject({ ok: true, mode: 'snapshot', snapshot: { seq: 25 } });
    const upToDate = await socket.emitWithAck('resync', { incidentId: busy, since: 25 });
    expect(upToDate).toEqual({ ok: true, mode: 'events', incidentId: busy, events: [], seq: 25 });
  });

  it('the browser client ends with every event exactly once and in order across a reconnect', async () => {
    const watched = await newIncident(world.http, world.adminToken);
    const applied: number[] = [];
    let snapshotSeq = -1;
    const states: string[] = [];
    const client = new LiveClient({
      url: api.url,
      token: () => world.adminToken,
      socketOptions: { transports: ['websocket'], forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 200 },
    });
    try {
      client.onState((s) => states.push(s));
      const sub = client.subscribe(watched, { snapshot: (s) => (snapshotSeq = s.seq), event: (e) => applied.push(e.seq) });
      await waitFor(() => snapshotSeq === 0, 5000, 'the snapshot');
      for (let i = 0; i < 3; i++) await commitEvent(api.app, watched, 'deployment.checked_in', checkedIn());
      await waitFor(() => applied.length === 3, 5000, 'three events');
      // Drop the transport under the client (as a network blip would); it reconnects by itself and resyncs.
      const engine = (client as unknown as { socket: { io: { engine: { close(): void } } } }).socket.io.engine;
      engine.close();
      for (let i = 0; i < 4; i++) await commitEvent(api.app, watched, 'deployment.checked_in', checkedIn());
      await waitFor(() => applied.length === 7, 10000, 'seven events');
      expect(applied).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(sub.lastSeq).toBe(7);
      expect(states).toEqual(expect.arrayContaining(['online', 'offline']));
      expect(client.state).toBe('online');
    } finally {
      client.close();
    }
  });
});

describe('live board: several api processes', () => {
  let world: World;
  let apiOne: ListeningApi;
  let apiTwo: ListeningApi;
  let checkinStaff: { id: string; token: string };
  const sockets: LiveTestSocket[] = [];

  beforeAll(async () => {
    world = await startWorld('live_nodes', { listen: true });
    apiOne = { ...world.api, url: world.api.url! };
    apiTwo = await startListeningApi(world.env.env);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await apiTwo?.close();
    await world?.close();
  });

  it('a check-in through one api reaches clients on both; concurrent events stay in order per incident', async () => {
    const incidents = [
      await newIncident(world.http, world.adminToken),
      await newIncident(world.http, world.adminToken),
      await newIncident(world.http, world.adminToken),
    ];
    checkinStaff = await staffFor(world.http, world.adminToken, incidents[0], 'checkin');
    const onOne = await connectLive(apiOne.url, world.adminToken);
    const onTwo = await connectLive(apiTwo.url, world.adminToken);
    sockets.push(onOne, onTwo);
    const seenOne = recordEvents(onOne);
    const seenTwo = recordEvents(onTwo);
    for (const incidentId of incidents) {
      expect(await onOne.emitWithAck('subscribe', { incidentId })).toMatchObject({ ok: true });
      expect(await onTwo.emitWithAck('subscribe', { incidentId })).toMatchObject({ ok: true });
    }
    await checkIn(world, incidents[0], checkinStaff.token, 'Through Api-One');
    await waitFor(() => seenOne.length === 1 && seenTwo.length === 1, 5000, 'the event on both apis');
    expect(seenOne[0]).toMatchObject({ incidentId: incidents[0], seq: 1, name: 'deployment.checked_in', payload: { deployment: { name: 'Through Api-One' } } });
    expect(seenTwo[0]).toEqual(seenOne[0]);

    // Concurrent writers on both apis, both relays running: every client sees each incident's events gap-free.
    const perIncident = 40;
    await Promise.all(
      incidents.flatMap((incidentId, i) =>
        [apiOne, apiTwo].map(async (api, j) => {
          for (let k = 0; k < perIncident / 2; k++) await commitEvent(api.app, incidentId, 'deployment.checked_in', checkedIn(`w${i}${j}${k}`));
        }),
      ),
    );
    const total = 1 + incidents.length * perIncident;
    await waitFor(() => seenOne.length >= total && seenTwo.length >= total, 15000, 'every event on both apis');
    for (const seen of [seenOne, seenTwo]) {
      for (const incidentId of incidents) {
        const seqs = seen.filter((e) => e.incidentId === incidentId).map((e) => e.seq);
        expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, k) => k + 1));
      }
      expect(seen).toHaveLength(total);
    }
  });
});

describe('live board: the worker emits to sockets of the api processes', () => {
  let env: TestEnv;
  let worker: INestApplicationContext;
  let api: ListeningApi;
  let adminToken: string;
  const sockets: LiveTestSocket[] = [];

  beforeAll(async () => {
    env = await createTestEnv('live_worker');
    // This api does not relay, so whatever reaches its clients was published by the worker.
    api = await startListeningApi({ ...env.env, LIVE_RELAY_ENABLED: 'false' });
    adminToken = await signIn(api.http, ADMIN.email, ADMIN.password);
    const moduleRef = await Test.createTestingModule({ imports: [WorkerModule.forRoot(parseConfig(env.env))] }).compile();
    worker = await moduleRef.init();
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await worker?.close();
    await api?.close();
    await env?.drop();
  });

  it('relays the outbox events the worker commits (reverification alerts) to clients of an api', async () => {
    const incidentId = await newIncident(api.http, adminToken);
    const socket = await connectLive(api.url, adminToken);
    sockets.push(socket);
    const seen = recordEvents(socket);
    await socket.emitWithAck('subscribe', { incidentId });
    const flagged = await commitEvent(worker, incidentId, 'credential.flagged', {
      deploymentId: randomUUID(),
      responderId: randomUUID(),
      name: 'Dana Kim',
      flag: { code: 'revoked', message: 'The Florida Board of Nursing revoked this licence.', at: new Date().toISOString() },
    });
    await waitFor(() => seen.length === 1, 5000, 'the worker-relayed event');
    expect(seen[0]).toEqual(flagged);
  });

  it('sends ephemeral progress from the worker to the incident subscribers only', async () => {
    const incidentId = await newIncident(api.http, adminToken);
    const socket = await connectLive(api.url, adminToken);
    sockets.push(socket);
    const progress: LiveEphemeralEvent[] = [];
    socket.on('reverify.progress', (e) => progress.push(e));
    await socket.emitWithAck('subscribe', { incidentId });
    const broadcaster = worker.get(LiveBroadcaster);
    broadcaster.ephemeral(randomUUID(), 'reverify.progress', { jobId: 'other', done: 1, total: 1, state: 'completed' });
    expect(broadcaster.ephemeral(incidentId, 'reverify.progress', { jobId: 'sweep-1', done: 40, total: 120, state: 'running' })).toBe(true);
    await waitFor(() => progress.length === 1, 5000, 'the progress event');
    expect(progress[0]).toMatchObject({ incidentId, name: 'reverify.progress', payload: { jobId: 'sweep-1', done: 40, total: 120, state: 'running' } });
    expect(progress[0]).not.toHaveProperty('seq');
  });
});

describe('live board: Redis outage', () => {
  it('keeps events in the outbox while Redis is unreachable and delivers them in order when it is back', async () => {
    // Its own database: no other relay may publish these events behind the test's back.
    const env = await createTestEnv('live_redis_down');
    const proxy = new CuttableProxy();
    const port = await proxy.start();
    const isolated = await startListeningApi({ ...env.env, REDIS_URL: `redis://127.0.0.1:${port}` });
    const pg = new Client({ connectionString: env.dbUrl });
    await pg.connect();
    const adminToken = await signIn(isolated.http, ADMIN.email, ADMIN.password);
    const client = new LiveClient({ url: isolated.url, token: () => adminToken, socketOptions: { transports: ['websocket'], forceNew: true } });
    try {
      const incidentId = await newIncident(isolated.http, adminToken);
      const applied: number[] = [];
      let subscribed = false;
      client.subscribe(incidentId, { snapshot: () => (subscribed = true), event: (e) => applied.push(e.seq) });
      await waitFor(() => subscribed, 5000, 'the snapshot');
      await commitEvent(isolated.app, incidentId, 'deployment.checked_in', checkedIn());
      await waitFor(() => applied.length === 1, 5000, 'the event before the outage');

      await proxy.cut();
      // Check-ins keep working: the outbox write does not touch Redis.
      for (let i = 0; i < 3; i++) await commitEvent(isolated.app, incidentId, 'deployment.checked_in', checkedIn());
      await sleep(1500);
      const waiting = await pg.query(`SELECT seq FROM outbox_event WHERE incident_id = $1 AND published_at IS NULL ORDER BY seq`, [incidentId]);
      expect(waiting.rows.map((r: { seq: string }) => Number(r.seq))).toEqual([2, 3, 4]);
      expect(applied).toEqual([1]);

      // Back: the relay publishes the held events in order; the gateway, resubscribed, tells clients to resync.
      await proxy.restore();
      await waitFor(() => applied.length >= 4, 15000, 'the held events after Redis is back');
      expect(applied).toEqual([1, 2, 3, 4]);
      const unpublished = async (): Promise<number> =>
        (await pg.query(`SELECT count(*)::int AS n FROM outbox_event WHERE incident_id = $1 AND published_at IS NULL`, [incidentId])).rows[0].n;
      await eventually(async () => (await unpublished()) === 0, 5000, 'the relay to mark them published');
    } finally {
      client.close();
      await pg.end();
      await isolated.close();
      await proxy.close();
      await env.drop();
    }
  });

  it('starts without Redis, serves HTTP and snapshots, and joins the fan-out when Redis comes up', async () => {
    const env = await createTestEnv('live_redis_late');
    const proxy = new CuttableProxy();
    const port = await proxy.start();
    await proxy.cut();
    const started = Date.now();
    const lonely = await startListeningApi({ ...env.env, REDIS_URL: `redis://127.0.0.1:${port}` });
    const adminToken = await signIn(lonely.http, ADMIN.email, ADMIN.password);
    const client = new LiveClient({ url: lonely.url, token: () => adminToken, socketOptions: { transports: ['websocket'], forceNew: true } });
    try {
      expect(Date.now() - started).toBeLessThan(10000);
      const incidentId = await newIncident(lonely.http, adminToken);
      const applied: number[] = [];
      let snapshotSeq = -1;
      client.subscribe(incidentId, { snapshot: (snap) => (snapshotSeq = snap.seq), event: (e) => applied.push(e.seq) });
      await waitFor(() => snapshotSeq === 0, 5000, 'the snapshot without Redis');
      await commitEvent(lonely.app, incidentId, 'deployment.checked_in', checkedIn());
      await sleep(500);
      expect(applied).toEqual([]);

      await proxy.restore();
      await waitFor(() => applied.length === 1, 15000, 'the event once Redis is up');
      await commitEvent(lonely.app, incidentId, 'deployment.checked_in', checkedIn());
      await waitFor(() => applied.length === 2, 5000, 'the next event live');
      expect(applied).toEqual([1, 2]);
    } finally {
      client.close();
      await lonely.close();
      await proxy.close();
      await env.drop();
    }
  });
});
