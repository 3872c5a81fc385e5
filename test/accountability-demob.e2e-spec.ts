import request from 'supertest';
import { bearer } from './support/test-app';
import { createIncident, staffFor, startWorld, type World } from './support/world';
import { checkInMany } from './support/accountability';

/** ICS 221 demobilization: sign-offs and travel before release, the commander override, and the per-person export. */
jest.setTimeout(120_000);

describe('ICS 221 demobilization', () => {
  let world: World;
  let incidentId: string;
  let commander: { token: string };
  let checkin: { token: string };
  let ids: string[];

  beforeAll(async () => {
    world = await startWorld('demob');
    incidentId = (await createIncident(world.http, world.adminToken, { name: 'Demob Flood' })).id;
    commander = await staffFor(world.http, world.adminToken, incidentId, 'commander');
    checkin = await staffFor(world.http, world.adminToken, incidentId, 'checkin');
    ids = await checkInMany(world, incidentId, 3, 'Demob Responder');
  });

  afterAll(async () => {
    await world?.close();
  });

  const checkOut = (token: string, id: string, body: Record<string, unknown> = {}) =>
    request(world.http)
      .post(`/incidents/${incidentId}/deployments/${id}/check-out`)
      .set(...bearer(token))
      .send(body);

  it('check-out stays a plain check-out until the incident asks for a release process', async () => {
    await checkOut(checkin.token, ids[2]).expect(200);
    await request(world.http)
      .patch(`/incidents/${incidentId}/accountability-settings`)
      .set(...bearer(commander.token))
      .send({ demobRequired: true, demobSignoffs: ['supply', 'communications', 'documentation', 'medical'] })
      .expect(200);
  });

  it('collects every configured sign-off and the travel information before release', async () => {
    const refused = await checkOut(checkin.token, ids[0]);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('demob_incomplete');
    expect(refused.body.detail).toContain('supply sign-off');
    const unknownUnit = await request(world.http)
      .post(`/incidents/${incidentId}/deployments/${ids[0]}/demob/signoffs`)
      .set(...bearer(checkin.token))
      .send({ unit: 'finance' });
    expect(unknownUnit.status).toBe(422);
    for (const unit of ['supply', 'communications', 'documentation', 'medical']) {
      await request(world.http)
        .post(`/incidents/${incidentId}/deployments/${ids[0]}/demob/signoffs`)
        .set(...bearer(checkin.token))
        .send({ unit, note: unit === 'supply' ? 'Radio and PPE returned' : undefined })
        .expect(200);
    }
    const notYet = await request(world.http)
      .get(`/incidents/${incidentId}/deployments/${ids[0]}/demob`)
      .set(...bearer(commander.token))
      .expect(200);
    expect(notYet.body).toMatchObject({ required: true, ready: false, travel: null });
    expect((await checkOut(checkin.token, ids[0])).body.detail).toBe('Not ready for release: missing travel information.');
    await request(world.http)
      .put(`/incidents/${incidentId}/deployments/${ids[0]}/demob/travel`)
      .set(...bearer(checkin.token))
      .send({ method: 'bad', etaHome: 'tomorrow' })
      .expect(400);
    const eta = new Date(Date.now() + 6 * 3600_000).toISOString();
    const ready = await request(world.http)
      .put(`/incidents/${incidentId}/deployments/${ids[0]}/demob/travel`)
      .set(...bearer(checkin.token))
      .send({ method: 'POV', etaHome: eta })
      .expect(200);
    expect(ready.body).toMatchObject({ ready: true, travel: { method: 'POV', etaHome: eta } });
    await checkOut(checkin.token, ids[0]).expect(200);

    const csv = await request(world.http)
      .get(`/incidents/${incidentId}/deployments/${ids[0]}/ics221.csv`)
      .set(...bearer(commander.token))
      .expect(200);
    const lines = csv.text.trim().split(/\r?\n/);
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^Demob Flood,.*,Demob Responder 1,supply,yes,checkin,.*,Radio and PPE returned,POV,/);
    const html = await request(world.http)
      .get(`/incidents/${incidentId}/deployments/${ids[0]}/ics221.html`)
      .set(...bearer(commander.token))
      .expect(200);
    expect(html.text).toContain('DEMOBILIZATION CHECK-OUT (ICS 221)');
    expect((html.text.match(/<tr><td>/g) ?? []).length).toBe(4);
  });

  it('only a commander releases without them, with a reason, audited', async () => {
    const staff = await checkOut(checkin.token, ids[1], { overrideReason: 'family emergency' });
    expect(staff.status).toBe(403);
    expect((await checkOut(commander.token, ids[1])).status).toBe(422);
    await checkOut(commander.token, ids[1], { overrideReason: 'Family emergency, sign-offs by phone' }).expect(200);
    const audit = await request(world.http)
      .get('/audit/entries')
      .query({ incidentId, action: 'demob.*' })
      .set(...bearer(world.adminToken))
      .expect(200);
    const actions = (audit.body.entries as Array<{ action: string }>).map((e) => e.action);
    expect(actions.filter((a) => a === 'demob.signed_off')).toHaveLength(4);
    expect(actions.filter((a) => a === 'demob.travel_recorded')).toHaveLength(1);
    const override = (audit.body.entries as Array<{ action: string; targetId: string; payload: Record<string, unknown> }>).find(
      (e) => e.action === 'demob.release_overridden',
    );
    expect(override).toMatchObject({ targetId: ids[1], payload: { reason: 'Family emergency, sign-offs by phone' } });
    expect(override!.payload.missing).toEqual([
      'supply sign-off',
      'communications sign-off',
      'documentation sign-off',
      'medical sign-off',
      'travel information',
    ]);
  });
});
