import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { LiveEvent, LiveEventMap } from '@app/realtime';
import { bearer } from './support/test-app';
import { createIncident, staffFor, startWorld, type World } from './support/world';
import { connectLive, eventually, recordEvents, type LiveTestSocket } from './support/live-harness';
import { assign } from './support/accountability';

/**
 * A station's "Roll call" mode: a badge scanned during a PAR accounts for its holder. The badge is verified, its
 * holder found as a check-in finds them (the credential's subject, so another badge of the same person works too),
 * and their deployment on the expected list acknowledged via scan. Everything else is a 4xx with its reason code
 * and changes no count.
 */
jest.setTimeout(120_000);

describe('PAR: accounted by badge scan', () => {
  let world: World;
  let incidentId: string;
  let commander: { token: string };
  let checkin: { token: string };
  let socket: LiveTestSocket;
  let events: LiveEvent[];
  const badges: Record<string, string> = {};
  const deployment: Record<string, string> = {};

  const issue = async (name: string, subjectId?: string): Promise<string> =>
    (await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { id: subjectId, name } })).jws;
  const checkIn = async (name: string): Promise<void> => {
    const res = await request(world.http)
      .post(`/incidents/${incidentId}/check-ins`)
      .set(...bearer(checkin.token))
      .set('Idempotency-Key', randomUUID())
      .send({ credential: badges[name] })
      .expect(201);
    expect(res.body.decision).toBe('admitted');
    deployment[name] = res.body.deployment.id as string;
  };
  const scan = (parId: string, credential: string, token = checkin.token) =>
    request(world.http)
      .post(`/incidents/${incidentId}/pars/${parId}/scans`)
      .set(...bearer(token))
      .send({ credential });
  const par = async (parId: string) =>
    (
      await request(world.http)
        .get(`/incidents/${incidentId}/pars/${parId}`)
        .set(...bearer(commander.token))
        .expect(200)
    ).body as {
      par: { state: string; counts: Record<string, number> };
      members: Array<{ deploymentId: string; state: string; via: string | null; markedBy: string | null }>;
    };

  beforeAll(async () => {
    world = await startWorld('parscan', { listen: true });
    incidentId = (await createIncident(world.http, world.adminToken, { name: 'Scan Roll Call' })).id;
    commander = await staffFor(world.http, world.adminToken, incidentId, 'commander');
    checkin = await staffFor(world.http, world.adminToken, incidentId, 'checkin');
    // Revoked before anything reads the status list, so no cached copy predates the revocation.
    const revoked = await world.issuer
      .board('fl-nursing')
      .issue({ format: 'vc+jwt', qualification: 'RN', subject: { id: 'did:example:cy-scan', name: 'Cy Scan' } });
    world.issuer.board('fl-nursing').revoke(revoked.statusIndex);
    badges.revoked = revoked.jws;
    badges.ana = await issue('Ana Scan', 'did:example:ana-scan');
    badges.ben = await issue('Ben Scan', 'did:example:ben-scan');
    badges.cy = await issue('Cy Scan', 'did:example:cy-scan');
    badges.out = await issue('Olu Out', 'did:example:olu-out');
    badges.late = await issue('Lia Late', 'did:example:lia-late');
    badges.never = await issue('Nia Never', 'did:example:nia-never');
    for (const n of ['ana', 'ben', 'cy', 'out']) await checkIn(n);
    for (const n of ['ana', 'ben', 'out']) await assign(world.http, commander.token, incidentId, deployment[n], 'Division A');
    socket = await connectLive(world.api.url!, commander.token);
    events = recordEvents(socket);
    expect((await socket.emitWithAck('subscribe', { incidentId })).ok).toBe(true);
  });

  afterAll(async () => {
    socket?.close();
    await world?.close();
  });

  it('accounts for the holder of a scanned badge, once, and refuses every other scan with its reason code', async () => {
    const started = await request(world.http)
      .post(`/incidents/${incidentId}/pars`)
      .set(...bearer(commander.token))
      .send({ reason: 'collapse', assignment: 'Division A' })
      .expect(201);
    const parId = started.body.id as string;
    expect(started.body.counts).toEqual({ expected: 3, accounted: 0, missing: 0, unaccounted: 3 });
    // After the start: Olu checks out, Lia checks in (not on the expected list).
    await request(world.http)
      .post(`/incidents/${incidentId}/deployments/${deployment.out}/check-out`)
      .set(...bearer(commander.token))
      .send({})
      .expect(200);
    await checkIn('late');

    const ok = await scan(parId, badges.ana);
    expect(ok.status).toBe(200);
    expect(ok.body.member).toEqual({ deploymentId: deployment.ana, name: 'Ana Scan', assignment: 'Division A' });
    expect(ok.body.par.counts).toEqual({ expected: 3, accounted: 1, missing: 0, unaccounted: 2 });

    // Ben holds a second badge (another credential, same subject): it names him all the same.
    const benAgain = await issue('Ben Scan', 'did:example:ben-scan');
    expect(benAgain).not.toBe(badges.ben);
    const ben = await scan(parId, benAgain);
    expect(ben.status).toBe(200);
    expect(ben.body.member.deploymentId).toBe(deployment.ben);

    const refusals: Array<[string, string, number, string]> = [
      ['the same badge again', badges.ana, 409, 'par_already_marked'],
      ['someone on scene in another assignment', badges.cy, 422, 'par_not_in_scope'],
      ['someone who checked in after the start', badges.late, 422, 'par_not_in_scope'],
      ['someone checked out since the start', badges.out, 422, 'par_scan_not_on_scene'],
      ['a verified badge of someone never checked in', badges.never, 422, 'par_scan_not_on_scene'],
      ['something that is no badge', 'hello world', 422, 'par_scan_unverified'],
    ];
    for (const [what, credential, status, code] of refusals) {
      const res = await scan(parId, credential);
      expect({ what, status: res.status, code: res.body.code }).toEqual({ what, status, code });
    }
    // A badge its issuer revoked names nobody (even though its holder is on scene).
    expect((await scan(parId, badges.revoked)).body.code).toBe('par_scan_unverified');

    // Refusals changed nothing; the two scans are on record as scans by check-in staff.
    const after = await par(parId);
    expect(after.par.counts).toEqual({ expected: 3, accounted: 2, missing: 0, unaccounted: 1 });
    const byId = Object.fromEntries(after.members.map((m) => [m.deploymentId, m]));
    expect(byId[deployment.ana]).toMatchObject({ state: 'accounted', via: 'scan', markedBy: 'checkin' });
    expect(byId[deployment.ben]).toMatchObject({ state: 'accounted', via: 'scan', markedBy: 'checkin' });
    expect(byId[deployment.out]).toMatchObject({ state: 'unaccounted', via: null });
    await eventually(
      async () => events.filter((e) => e.name === 'par.acknowledged' && (e.payload as LiveEventMap['par.acknowledged']).parId === parId).length === 2,
      10_000,
      'two par.acknowledged events',
    );
    const acks = events.filter((e): e is LiveEvent<'par.acknowledged'> => e.name === 'par.acknowledged').map((e) => e.payload);
    expect(acks.map((a) => [a.acknowledgements, a.counts.accounted])).toEqual([
      [[{ deploymentIds: [deployment.ana], via: 'scan', by: 'checkin' }], 1],
      [[{ deploymentIds: [deployment.ben], via: 'scan', by: 'checkin' }], 2],
    ]);
    // No credential or personal data beyond what the board shows already.
    expect(JSON.stringify(acks)).not.toContain('did:example');

    // Once completed, scans are refused.
    await request(world.http)
      .post(`/incidents/${incidentId}/pars/${parId}/complete`)
      .set(...bearer(commander.token))
      .expect(200);
    expect((await scan(parId, badges.ana)).body.code).toBe('par_not_running');
    expect((await scan(randomUUID(), badges.ana)).status).toBe(404);
  });
});
