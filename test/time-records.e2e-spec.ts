import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { bearer } from './support/test-app';
import { createIncident, staffFor, startWorld, type World } from './support/world';

jest.setTimeout(180_000);

/** The CSV's rows as objects by header (the fields here hold no quotes or commas). */
function rows(csv: string): Array<Record<string, string>> {
  const [header, ...body] = csv
    .trimEnd()
    .split('\r\n')
    .map((l) => l.split(','));
  return body.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])));
}

describe('time records: corrections, approvals and the labour summary (UTC incident, today)', () => {
  let world: World;
  let incidentId: string;
  let responderId: string;
  let tk1: string;
  let tk2: string;
  const today = new Date().toISOString().slice(0, 10);
  const at = (hhmm: string): string => `${today}T${hhmm}:00Z`;

  const csv = (token: string, query: Record<string, string> = {}) =>
    request(world.http)
      .get(`/incidents/${incidentId}/time/labour-summary.csv`)
      .query(query)
      .set(...bearer(token));
  const dayRow = async (token: string) => rows((await csv(token).expect(200)).text).find((r) => r.responder_id === responderId)!;
  const correct = (token: string, onDuty: Array<{ start: string; end: string }>, date = today) =>
    request(world.http)
      .post(`/incidents/${incidentId}/time/corrections`)
      .set(...bearer(token))
      .send({ responderId, agency: 'State Fire', date, onDuty, reason: 'Check-out was scanned at the wrong time' });
  const approveCorrection = (token: string, id: string) =>
    request(world.http)
      .post(`/incidents/${incidentId}/time/corrections/${id}/approve`)
      .set(...bearer(token));
  const approveDay = (token: string) =>
    request(world.http)
      .post(`/incidents/${incidentId}/time/approvals`)
      .set(...bearer(token))
      .send({ agency: 'State Fire', date: today });

  beforeAll(async () => {
    world = await startWorld('time');
    const { http, adminToken } = world;
    incidentId = (await createIncident(http, adminToken, { timeZone: 'UTC' })).id;
    tk1 = (await staffFor(http, adminToken, incidentId, 'timekeeper')).token;
    tk2 = (await staffFor(http, adminToken, incidentId, 'timekeeper')).token;
    const { jws } = await world.issuer.board('fl-ems').issue({ format: 'vc+jwt', qualification: 'PARAMEDIC', subject: { name: 'Pat Medic' } });
    const checkIn = await request(http)
      .post(`/incidents/${incidentId}/check-ins`)
      .set(...bearer(adminToken))
      .set('Idempotency-Key', randomUUID())
      .send({ credential: jws, ics211: { agency: 'State Fire' } })
      .expect(201);
    responderId = checkIn.body.responder.id as string;
    await request(http)
      .post(`/incidents/${incidentId}/deployments/${checkIn.body.deployment.id as string}/check-out`)
      .set(...bearer(adminToken))
      .send({})
      .expect(200);
  });

  afterAll(async () => world?.close());

  it('refuses the summary while the agency has no rates, then derives the day from check-in and check-out', async () => {
    const missing = await csv(tk1).expect(422);
    expect(missing.body.code).toBe('time_rate_missing');

    await request(world.http)
      .put(`/incidents/${incidentId}/time/rules`)
      .set(...bearer(tk1))
      .send({
        agency: 'State Fire',
        dailyRegularMinutes: 480,
        weeklyRegularMinutes: null,
        weekStartsOn: 0,
        breaks: [{ kind: 'meal', afterMinutes: 360, minutes: 30, paid: false }],
        rates: [{ position: null, regularCentsPerHour: 3000, overtimeCentsPerHour: 4500 }],
        volunteerCentsPerHour: null,
      })
      .expect(200);
    // Checked in and out within seconds: a day with no whole minute on duty.
    expect(await dayRow(tk1)).toMatchObject({
      agency: 'State Fire',
      name: 'Pat Medic',
      date: today,
      on_duty_hours: '0.00',
      claim_amount: '0.00',
      day_status: 'open',
    });
  });

  it('refuses bad corrections with their reason codes', async () => {
    expect((await correct(tk1, [{ start: at('12:00'), end: at('11:00') }]).expect(422)).body.code).toBe('time_entry_negative');
    expect(
      (
        await correct(tk1, [
          { start: at('08:00'), end: at('12:00') },
          { start: at('11:00'), end: at('13:00') },
        ]).expect(422)
      ).body.code,
    ).toBe('time_entry_overlap');
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const before = await correct(tk1, [{ start: `${yesterday}T08:00:00Z`, end: `${yesterday}T09:00:00Z` }], yesterday).expect(422);
    expect(before.body.code).toBe('time_entry_outside_incident');
  });

  it('a correction counts once someone else approves it; the derived entry stays in the record', async () => {
    const c1 = (await correct(tk1, [{ start: at('08:00'), end: at('17:30') }]).expect(201)).body as { id: string; approverId: string | null };
    expect(c1.approverId).toBeNull();
    expect((await dayRow(tk1)).on_duty_hours).toBe('0.00');
    expect((await approveCorrection(tk1, c1.id).expect(422)).body.code).toBe('time_correction_self_approved');
    await approveCorrection(tk2, c1.id).expect(200);
    // 9.5 h on duty - 0.5 h meal = 9 h: 8 h at 30.00 + 1 h overtime at 45.00 = 285.00.
    expect(await dayRow(tk1)).toMatchObject({
      on_duty_hours: '9.50',
      unpaid_break_hours: '0.50',
      regular_hours: '8.00',
      overtime_hours: '1.00',
      claim_amount: '285.00',
      correction_id: c1.id,
    });
  });

  it('approval locks the day: a later correction waits for re-approval, a settled summary is refused until then', async () => {
    await approveDay(tk2).expect(201);
    expect((await approveDay(tk1).expect(409)).body.code).toBe('time_day_already_approved');
    const c2 = (await correct(tk2, [{ start: at('08:00'), end: at('16:00') }]).expect(201)).body as { id: string };
    await approveCorrection(tk1, c2.id).expect(200);
    expect(await dayRow(tk1)).toMatchObject({ claim_amount: '285.00', day_status: 'reapproval_required', pending_corrections: c2.id });
    expect((await csv(tk1, { settled: 'true' }).expect(409)).body.code).toBe('time_day_reapproval_required');

    await approveDay(tk1).expect(201);
    // 8 h on duty - 0.5 h meal = 7.5 h regular at 30.00 = 225.00.
    expect(await dayRow(tk1)).toMatchObject({
      regular_hours: '7.50',
      overtime_hours: '0.00',
      claim_amount: '225.00',
      day_status: 'approved',
      correction_id: c2.id,
    });
    const total = rows((await csv(world.adminToken, { settled: 'true' }).expect(200)).text).find((r) => r.name === 'TOTAL' && r.agency === 'State Fire');
    expect(total).toMatchObject({ regular_hours: '7.50', claim_amount: '225.00' });

    const corrections = (
      await request(world.http)
        .get(`/incidents/${incidentId}/time/corrections`)
        .set(...bearer(tk1))
        .expect(200)
    ).body as Array<{ id: string }>;
    expect(corrections.map((c) => c.id)).toEqual(expect.arrayContaining([expect.any(String), c2.id]));
    expect(corrections).toHaveLength(2);
  });

  it('writes every change to the audit trail', async () => {
    const pg = new Client({ connectionString: world.env.dbUrl });
    await pg.connect();
    try {
      const { rows: entries } = await pg.query<{ action: string }>(
        `SELECT action FROM audit_entry WHERE incident_id = $1 AND action LIKE 'time.%' ORDER BY seq`,
        [incidentId],
      );
      expect(entries.map((e) => e.action)).toEqual([
        'time.rules_set',
        'time.correction_recorded',
        'time.correction_approved',
        'time.day_approved',
        'time.correction_recorded',
        'time.correction_approved',
        'time.day_reapproved',
      ]);
    } finally {
      await pg.end();
    }
  });
});
