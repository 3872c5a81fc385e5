import request from 'supertest';
import type { LiveError } from '@app/realtime';
import {
  checkedIn,
  commitEvent,
  connectLive,
  recordEvents,
  sleep,
  startListeningApi,
  waitFor,
  type ListeningApi,
  type LiveTestSocket,
} from './support/live-harness';
import { ADMIN, bearer, createTestEnv, createUser, signIn, type TestEnv } from './support/test-app';
import { createIncident, staffFor } from './support/world';

/** What the issue asks for: access that ends takes effect within this, on HTTP and on open sockets. */
const WITHIN_MS = 10_000;

/** Resolves with how long it took until `check` answered true (rejects past WITHIN_MS). */
async function within(check: () => Promise<boolean>, what: string): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > WITHIN_MS) throw new Error(`not within ${WITHIN_MS} ms: ${what}`);
    await sleep(50);
  }
  return Date.now() - started;
}

/** The socket's end: the session.ended message and the disconnect that follows it. */
function ending(socket: LiveTestSocket): { ended: () => { message?: string; disconnected: boolean } } {
  const seen: { message?: string; disconnected: boolean } = { disconnected: false };
  socket.on('session.ended', (info) => (seen.message = info.message));
  socket.on('disconnect', () => (seen.disconnected = true));
  return { ended: () => seen };
}

/**
 * Access ends when it is taken away: an admin changes a user on one api process, the user's requests and open
 * sockets are on another (the two share PostgreSQL and Redis only, as in a deployment).
 */
describe('access ends when it is taken away, on every api process', () => {
  let env: TestEnv;
  let apiA: ListeningApi;
  let apiB: ListeningApi;
  let adminToken: string;
  let incidentId: string;
  const sockets: LiveTestSocket[] = [];
  const open = async (token: string): Promise<LiveTestSocket> => {
    const socket = await connectLive(apiB.url, token);
    sockets.push(socket);
    return socket;
  };
  const status = async (token: string, path = `/incidents/${incidentId}`): Promise<number> =>
    (
      await request(apiB.url)
        .get(path)
        .set(...bearer(token))
    ).status;
  const patchUser = async (userId: string, change: Record<string, unknown>): Promise<void> => {
    await request(apiA.url)
      .patch(`/users/${userId}`)
      .set(...bearer(adminToken))
      .send(change)
      .expect(200);
  };

  beforeAll(async () => {
    env = await createTestEnv('revocation');
    apiA = await startListeningApi(env.env);
    apiB = await startListeningApi(env.env);
    adminToken = await signIn(apiA.http, ADMIN.email, ADMIN.password);
    incidentId = (await createIncident(apiA.http, adminToken)).id;
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await apiB?.close();
    await apiA?.close();
    await env?.drop();
  });

  it('a deactivated user: HTTP answers 401 and the open socket is disconnected within 10 s; the token no longer connects', async () => {
    const user = await staffFor(apiA.http, adminToken, incidentId, 'checkin');
    const socket = await open(user.token);
    expect(await socket.emitWithAck('subscribe', { incidentId })).toMatchObject({ ok: true });
    const end = ending(socket);
    expect(await status(user.token)).toBe(200);

    await patchUser(user.id, { active: false });
    await within(async () => end.ended().disconnected, 'the socket is disconnected');
    expect(end.ended().message).toMatch(/access has changed/);
    await within(async () => (await status(user.token)) === 401, 'HTTP answers 401');
    await expect(connectLive(apiB.url, user.token)).rejects.toMatchObject({ data: { code: 'unauthenticated' } });
    await request(apiB.url).post('/auth/token').send({ email: user.email, password: 'checkin-password-123' }).expect(401);
  });

  it('a changed role or jurisdictions ends the tokens issued before; signing in again gives the new access', async () => {
    const auditor = await createUser(apiA.http, adminToken, 'auditor', { jurisdictions: ['US-FL'] });
    const socket = await open(auditor.token);
    expect(await socket.emitWithAck('subscribe', { incidentId })).toMatchObject({ ok: true });
    const end = ending(socket);
    await patchUser(auditor.id, { jurisdictions: ['US-GA'] });
    await within(async () => end.ended().disconnected && (await status(auditor.token)) === 401, 'the old token refused everywhere');
    const again = await signIn(apiB.http, auditor.email, 'auditor-password-123');
    expect(await status(again)).toBe(403); // US-GA does not cover the Florida incident

    const commander = await staffFor(apiA.http, adminToken, incidentId, 'commander');
    expect(await status(commander.token, `/incidents/${incidentId}/staff`)).toBe(200);
    await patchUser(commander.id, { role: 'checkin' });
    await within(async () => (await status(commander.token, `/incidents/${incidentId}/staff`)) === 401, 'the commander token refused');
    const asCheckin = await signIn(apiB.http, commander.email, 'commander-password-123');
    expect(await status(asCheckin, `/incidents/${incidentId}/staff`)).toBe(403);

    // A change that takes no access away (the display name) ends nothing.
    const kept = await createUser(apiA.http, adminToken, 'auditor', { jurisdictions: ['US-FL'] });
    await patchUser(kept.id, { displayName: 'Renamed Auditor' });
    await sleep(500);
    expect(await status(kept.token)).toBe(200);
  });

  it('removed from an incident: the socket leaves its room (and keeps its others), HTTP answers 403 within 10 s', async () => {
    const other = (await createIncident(apiA.http, adminToken)).id;
    const commander = await staffFor(apiA.http, adminToken, incidentId, 'commander');
    await request(apiA.url)
      .post(`/incidents/${other}/staff`)
      .set(...bearer(adminToken))
      .send({ userId: commander.id })
      .expect(204);
    const socket = await open(commander.token);
    for (const id of [incidentId, other]) expect(await socket.emitWithAck('subscribe', { incidentId: id })).toMatchObject({ ok: true });
    const ended: Array<{ incidentId: string; error: LiveError }> = [];
    socket.on('subscription.ended', (info) => ended.push(info));
    const seen = recordEvents(socket);

    await request(apiA.url)
      .delete(`/incidents/${incidentId}/staff/${commander.id}`)
      .set(...bearer(adminToken))
      .expect(204);
    await within(async () => ended.length === 1, 'subscription.ended');
    expect(ended[0]).toMatchObject({ incidentId, error: { code: 'forbidden' } });
    await within(async () => (await status(commander.token)) === 403, 'HTTP answers 403');

    // The room is left: the incident's events no longer arrive; the other incident's still do.
    await commitEvent(apiA.app, incidentId, 'deployment.checked_in', checkedIn('After Removal'));
    await commitEvent(apiA.app, other, 'deployment.checked_in', checkedIn('Still Watched'));
    await waitFor(() => seen.some((e) => e.incidentId === other), 5000, 'the other incident’s event');
    await sleep(300);
    expect(seen.filter((e) => e.incidentId === incidentId)).toEqual([]);
    expect(socket.connected).toBe(true);
    expect(await socket.emitWithAck('subscribe', { incidentId })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});

describe('the first admin chooses a new password before anything else', () => {
  let env: TestEnv;
  let api: ListeningApi;

  beforeAll(async () => {
    env = await createTestEnv('first_admin', { BOOTSTRAP_ADMIN_MUST_CHANGE_PASSWORD: 'true' });
    api = await startListeningApi(env.env);
  });
  afterAll(async () => {
    await api?.close();
    await env?.drop();
  });

  it('signing in with the bootstrap password allows only POST /auth/password; afterwards the new password works and the old one does not', async () => {
    const first = await request(api.url).post('/auth/token').send(ADMIN).expect(200);
    expect(first.body).toMatchObject({ passwordChangeRequired: true, user: { role: 'admin' } });
    const temporary = first.body.accessToken as string;
    for (const path of ['/auth/me', '/users', '/incidents', '/audit/entries']) {
      const res = await request(api.url)
        .get(path)
        .set(...bearer(temporary));
      expect([path, res.status, res.body.code]).toEqual([path, 403, 'password_change_required']);
    }
    await request(api.url)
      .post('/users')
      .set(...bearer(temporary))
      .send({})
      .expect(403);
    await expect(connectLive(api.url, temporary)).rejects.toMatchObject({ data: { code: 'forbidden' } });

    const change = (body: Record<string, string>) =>
      request(api.url)
        .post('/auth/password')
        .set(...bearer(temporary))
        .send(body);
    expect((await change({ currentPassword: 'not-the-password', newPassword: 'a-brand-new-password-1' })).status).toBe(403);
    expect((await change({ currentPassword: ADMIN.password, newPassword: ADMIN.password })).body).toMatchObject({ status: 400, code: 'validation_failed' });
    expect((await change({ currentPassword: ADMIN.password, newPassword: 'short' })).status).toBe(400);
    const changed = await change({ currentPassword: ADMIN.password, newPassword: 'a-brand-new-password-1' }).expect(200);
    expect(changed.body).toMatchObject({ passwordChangeRequired: false, user: { email: ADMIN.email } });
    await request(api.url)
      .get('/users')
      .set(...bearer(changed.body.accessToken as string))
      .expect(200);

    await request(api.url)
      .get('/auth/me')
      .set(...bearer(temporary))
      .expect(401);
    await request(api.url).post('/auth/token').send(ADMIN).expect(401);
    const again = await request(api.url).post('/auth/token').send({ email: ADMIN.email, password: 'a-brand-new-password-1' }).expect(200);
    expect(again.body.passwordChangeRequired).toBe(false);
    // A restart does not make the password temporary again (the admin is created once).
    const restarted = await startListeningApi(env.env);
    try {
      const res = await request(restarted.url).post('/auth/token').send({ email: ADMIN.email, password: 'a-brand-new-password-1' }).expect(200);
      expect(res.body.passwordChangeRequired).toBe(false);
    } finally {
      await restarted.close();
    }
  });
});
