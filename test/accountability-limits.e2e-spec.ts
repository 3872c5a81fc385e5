import request from 'supertest';
import { bearer } from './support/test-app';
import { createIncident, staffFor, startWorld, type World } from './support/world';
import { REVERIFY_TEST_ENV, startWorker, sweepOnce, withDb } from './support/reverification';
import { checkInMany } from './support/accountability';

/**
 * Work and rest limits: the board's amber/red list, the once-per-limit `deployment.limit_approaching` raised by the
 * reverification sweep, and the commander override (with a reason, audited) for Assigned during mandatory rest.
 */
jest.setTimeout(180_000);

interface LimitRow {
  deploymentId: string;
  limit: string;
  level: string;
  value: number;
  max: number;
}

describe('work and rest limits', () => {
  let world: World;
  let incidentId: string;
  let commander: { token: string };
  let ids: string[];

  beforeAll(async () => {
    world = await startWorld('limits', { env: REVERIFY_TEST_ENV });
    incidentId = (await createIncident(world.http, world.adminToken, { name: 'Limits Hurricane' })).id;
    commander = await staffFor(world.http, world.adminToken, incidentId, 'commander');
    ids = await checkInMany(world, incidentId, 4, 'Limits Responder');
    // Deployed 13.5 days ago (a day from the 14-day limit); on shift for 13 hours (past 12); fresh.
    await withDb(world.env.dbUrl, async (db) => {
      await db.query(`UPDATE deployment SET checked_in_at = now() - interval '13 days 12 hours' WHERE id = $1`, [ids[0]]);
      await db.query(`UPDATE deployment SET checked_in_at = now() - interval '13 hours' WHERE id = $1`, [ids[1]]);
      await db.query(`UPDATE deployment SET checked_in_at = now() - interval '11 hours 30 minutes' WHERE id = $1`, [ids[3]]);
    });
    await request(world.http)
      .post(`/incidents/${incidentId}/deployments/${ids[2]}/status`)
      .set(...bearer(commander.token))
      .send({ status: 'out_of_service', reason: 'rest' })
      .expect(200);
  });

  afterAll(async () => {
    await world?.close();
  });

  const board = async (): Promise<LimitRow[]> =>
    (
      await request(world.http)
        .get(`/incidents/${incidentId}/work-limits`)
        .set(...bearer(commander.token))
        .expect(200)
    ).body as LimitRow[];

  it('shows nothing until the incident sets limits, then amber before and red at each limit', async () => {
    expect(await board()).toEqual([]);
    await request(world.http)
      .patch(`/incidents/${incidentId}/accountability-settings`)
      .set(...bearer(commander.token))
      .send({ maxDaysOnIncident: 14, maxHoursPerPeriod: 12, minRestHours: 8 })
      .expect(200);
    const rows = await board();
    const of = (id: string) =>
      rows
        .filter((r) => r.deploymentId === id)
        .map((r) => `${r.limit}:${r.level}`)
        .sort();
    expect(of(ids[0])).toEqual(['days_on_incident:approaching', 'hours_in_period:breached']);
    expect(of(ids[1])).toEqual(['hours_in_period:breached']);
    expect(of(ids[2])).toEqual(['rest_between_periods:approaching']);
    expect(of(ids[3])).toEqual(['hours_in_period:approaching']);
    expect(rows.find((r) => r.deploymentId === ids[1])).toMatchObject({ max: 12 });
  });

  it('Assigned during mandatory rest needs a commander override with a reason, which is audited', async () => {
    const refused = await request(world.http)
      .post(`/incidents/${incidentId}/deployments/${ids[2]}/status`)
      .set(...bearer(commander.token))
      .send({ status: 'assigned', assignment: 'Division A' });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('rest_override_required');
    // Available is not work: no override needed.
    await request(world.http)
      .post(`/incidents/${incidentId}/deployments/${ids[3]}/status`)
      .set(...bearer(commander.token))
      .send({ status: 'available' })
      .expect(200);
    const allowed = await request(world.http)
      .post(`/incidents/${incidentId}/deployments/${ids[2]}/status`)
      .set(...bearer(commander.token))
      .send({ status: 'assigned', assignment: 'Division A', overrideReason: 'Only swift-water rescuer on scene' });
    expect(allowed.status).toBe(200);
    expect(allowed.body.status).toBe('assigned');
    const audit = await request(world.http)
      .get('/audit/entries')
      .query({ incidentId, action: 'deployment.rest_overridden' })
      .set(...bearer(world.adminToken))
      .expect(200);
    expect(audit.body.entries).toHaveLength(1);
    expect(audit.body.entries[0]).toMatchObject({
      targetId: ids[2],
      actor: { role: 'commander' },
      payload: { reason: 'Only swift-water rescuer on scene', minRestHours: 8 },
    });
    // No longer resting: out of the rest rows.
    expect((await board()).filter((r) => r.deploymentId === ids[2])).toEqual([]);
  });

  it('the reverification sweep raises deployment.limit_approaching once per limit', async () => {
    const worker = await startWorker(world.env.env);
    try {
      await sweepOnce(world.http, world.adminToken);
      const raised = async () =>
        (
          await request(world.http)
            .get('/audit/entries')
            .query({ incidentId, action: 'deployment.limit_approaching' })
            .set(...bearer(world.adminToken))
            .expect(200)
        ).body.entries as Array<{ targetId: string; payload: { limit: string; level: string } }>;
      const first = (await raised()).map((e) => `${e.targetId}:${e.payload.limit}:${e.payload.level}`).sort();
      expect(first).toEqual(
        [
          `${ids[0]}:days_on_incident:approaching`,
          `${ids[0]}:hours_in_period:breached`,
          `${ids[1]}:hours_in_period:breached`,
          // Available is still on shift: the period runs from check-in or the end of the last rest.
          `${ids[3]}:hours_in_period:approaching`,
        ].sort(),
      );
      await sweepOnce(world.http, world.adminToken);
      expect(await raised()).toHaveLength(4);
      const events = await withDb(world.env.dbUrl, (db) =>
        db.query(`SELECT payload FROM outbox_event WHERE incident_id = $1 AND name = 'deployment.limit_approaching'`, [incidentId]),
      );
      expect(events.rows).toHaveLength(4);
    } finally {
      await worker.close();
    }
  });
});
