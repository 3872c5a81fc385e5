import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { ChainVerification } from '@app/audit';
import type { DeploymentReport } from '@app/incidents';
import { IncidentTimeZoneKnown1765000400000 } from '../libs/db/src/migrations/1765000400000-incident-time-zone-known';
import { ADMIN, bearer, createUser } from './support/test-app';
import { createIncident, staffFor, startWorld, type World } from './support/world';
import { matchingHashOf } from './support/matching';

interface CsvRow {
  [column: string]: string;
}

function parseCsv(text: string): CsvRow[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

/**
 * Deployment reports: the hours per responder per day of a seeded incident (split at midnight in the incident's
 * time zone, daylight-saving day included), CSV and JSON, what a real check-in puts in the report, and auditor scope.
 */
describe('deployment reports', () => {
  let world: World;
  let pg: Client;
  let adminId: string;
  let incidentId: string;
  let positionId: string;
  let ana: string;
  let ben: string;
  let cy: string;
  let flAuditor: { token: string };
  let txAuditor: { token: string };

  async function responder(name: string): Promise<string> {
    const { rows } = await pg.query<{ id: string }>(
      `INSERT INTO responder (name, issuer_id, licence_hash) VALUES ($1, 'did:web:boards.example:fl-nursing', $2) RETURNING id`,
      [name, matchingHashOf(`RN${randomUUID().slice(0, 6)}`)],
    );
    return rows[0].id;
  }

  /** One deployment as check-in leaves it: credential, check-in verification, attempt, deployment; optional reverifications. */
  async function deploy(o: {
    responderId: string;
    checkedIn: string;
    checkedOut: string | null;
    agency: string;
    reverifications?: Array<{ at: string; verified: boolean; checks: unknown[] }>;
    /** Another incident than Hurricane Nadia (no position there). */
    at?: string;
  }): Promise<string> {
    const incident = o.at ?? incidentId;
    const cred = await pg.query<{ id: string }>(
      `INSERT INTO presented_credential (hash, jws, responder_id, format, issuer_id, qualification, license_number, summary, last_verified)
       VALUES ($1, 'seeded', $2, 'vc+jwt', 'did:web:boards.example:fl-nursing', 'RN', 'RN9876543', $3, true) RETURNING id`,
      [randomUUID(), o.responderId, { issuer: { id: 'did:web:boards.example:fl-nursing', registryName: 'Florida Board of Nursing' } }],
    );
    const credentialId = cred.rows[0].id;
    const checks = [
      { id: 'signature', status: 'pass', code: 'ok' },
      { id: 'status', status: 'indeterminate', code: 'status_unavailable' },
    ];
    const ver = await pg.query<{ id: string }>(
      `INSERT INTO verification (credential_id, incident_id, kind, verified, checks, evidence, performed_at) VALUES ($1, $2, 'check_in', false, $3, '{}', $4) RETURNING id`,
      [credentialId, incident, JSON.stringify(checks), o.checkedIn],
    );
    const dep = await pg.query<{ id: string }>(
      `INSERT INTO deployment (incident_id, responder_id, credential_id, position_id, decision, status, ics211, checked_in_at, checked_in_by, checked_out_at)
       VALUES ($1, $2, $3, $4, 'admitted_with_warnings', $5, $6, $7, $8, $9) RETURNING id`,
      [
        incident,
        o.responderId,
        credentialId,
        o.at ? null : positionId,
        o.checkedOut ? 'demobilized' : 'available',
        { agency: o.agency, homeUnit: 'Jackson Memorial' },
        o.checkedIn,
        adminId,
        o.checkedOut,
      ],
    );
    await pg.query(
      `INSERT INTO check_in_attempt (incident_id, performed_by, request_hash, decision, reasons, credential_hash, responder_id, deployment_id, verification_id, response_status, response, performed_at)
       VALUES ($1, $2, 'seeded', 'admitted_with_warnings', $3, 'h', $4, $5, $6, 201, '{}', $7)`,
      [
        incident,
        adminId,
        JSON.stringify([{ code: 'status_unavailable', message: 'status list unreachable' }]),
        o.responderId,
        dep.rows[0].id,
        ver.rows[0].id,
        o.checkedIn,
      ],
    );
    for (const r of o.reverifications ?? []) {
      await pg.query(
        `INSERT INTO verification (credential_id, incident_id, kind, verified, checks, evidence, performed_at) VALUES ($1, $2, 'reverification', $3, $4, '{}', $5)`,
        [credentialId, incident, r.verified, JSON.stringify(r.checks), r.at],
      );
    }
    return dep.rows[0].id;
  }

  beforeAll(async () => {
    world = await startWorld('auditreports');
    pg = new Client({ connectionString: world.env.dbUrl });
    await pg.connect();
    adminId = (await pg.query<{ id: string }>(`SELECT id FROM app_user WHERE email = $1`, [ADMIN.email])).rows[0].id;
    incidentId = (
      await pg.query<{ id: string }>(
        `INSERT INTO incident (name, number, type, jurisdiction, time_zone) VALUES ('Hurricane Nadia', $1, 'Hurricane', 'US-FL', 'America/New_York') RETURNING id`,
        [`FL-${randomUUID().slice(0, 8)}`],
      )
    ).rows[0].id;
    positionId = (
      await pg.query<{ id: string }>(
        `INSERT INTO incident_position (incident_id, name, required_qualifications) VALUES ($1, 'Triage Nurse', '{RN}') RETURNING id`,
        [incidentId],
      )
    ).rows[0].id;

    ana = await responder('Ana Diaz');
    ben = await responder('Ben Ortiz');
    cy = await responder('Cy Young');
    // Ana: 22:00 EDT on 1 November to 01:00 EST on 3 November 2025, across the end of daylight saving time (2 November has 25 hours).
    await deploy({
      responderId: ana,
      checkedIn: '2025-11-02T02:00:00Z',
      checkedOut: '2025-11-03T06:00:00Z',
      agency: 'Florida Board of Nursing',
      reverifications: [
        { at: '2025-11-02T14:00:00Z', verified: true, checks: [{ id: 'status', status: 'pass', code: 'ok' }] },
        { at: '2025-11-03T02:00:00Z', verified: false, checks: [{ id: 'status', status: 'fail', code: 'revoked' }] },
      ],
    });
    // Ben, twice on 5 November (EST): 08:00-12:00, then 18:00 to 02:30 on the 6th.
    await deploy({ responderId: ben, checkedIn: '2025-11-05T13:00:00Z', checkedOut: '2025-11-05T17:00:00Z', agency: '=HYPERLINK("http://evil.example","x")' });
    await deploy({ responderId: ben, checkedIn: '2025-11-05T23:00:00Z', checkedOut: '2025-11-06T07:30:00Z', agency: 'Miami-Dade Fire, Station "7"' });
    // Cy: still on scene, for three hours now.
    await deploy({ responderId: cy, checkedIn: new Date(Date.now() - 3 * 3600_000).toISOString(), checkedOut: null, agency: 'Florida Board of Nursing' });

    flAuditor = await createUser(world.http, world.adminToken, 'auditor', { jurisdictions: ['US-FL'] });
    txAuditor = await createUser(world.http, world.adminToken, 'auditor', { jurisdictions: ['US-TX'] });
  });
  afterAll(async () => {
    await pg?.end();
    await world?.close();
  });

  const hoursFor = (report: DeploymentReport, responderId: string) =>
    Object.fromEntries(report.hoursByResponderDay.filter((h) => h.responderId === responderId).map((h) => [h.date, h.hours]));

  it('gives the hours per responder per day, split at midnight in the incident time zone (25-hour day included)', async () => {
    const res = await request(world.http)
      .get(`/reports/incidents/${incidentId}/deployments`)
      .set(...bearer(flAuditor.token))
      .expect(200);
    const report = res.body as DeploymentReport;
    expect(report.deployments).toHaveLength(4);
    expect(hoursFor(report, ana)).toEqual({ '2025-11-01': 2, '2025-11-02': 25, '2025-11-03': 1 });
    expect(hoursFor(report, ben)).toEqual({ '2025-11-05': 10, '2025-11-06': 2.5 });
    const cyHours = Object.values(hoursFor(report, cy)).reduce((a, b) => a + b, 0);
    expect(cyHours).toBeCloseTo(3, 1);

    const anaRow = report.deployments.find((d) => d.responder.id === ana)!;
    expect(anaRow).toMatchObject({
      incident: { name: 'Hurricane Nadia', jurisdiction: 'US-FL', timeZone: 'America/New_York' },
      responder: { name: 'Ana Diaz' },
      agency: 'Florida Board of Nursing',
      homeUnit: 'Jackson Memorial',
      position: 'Triage Nurse',
      qualification: 'RN',
      licenseNumber: 'RN9876543',
      issuer: { id: 'did:web:boards.example:fl-nursing', name: 'Florida Board of Nursing' },
      decision: 'admitted_with_warnings',
      decisionReasons: ['status_unavailable'],
      checkedInAt: '2025-11-02T02:00:00.000Z',
      checkedOutAt: '2025-11-03T06:00:00.000Z',
      open: false,
      hoursOnScene: 28,
      hoursByDay: [
        { date: '2025-11-01', hours: 2 },
        { date: '2025-11-02', hours: 25 },
        { date: '2025-11-03', hours: 1 },
      ],
      verification: {
        atCheckIn: {
          method: 'online at check-in',
          at: '2025-11-02T02:00:00.000Z',
          verified: false,
          result: 'not verified (indeterminate: status_unavailable)',
        },
        reverifications: [
          { at: '2025-11-02T14:00:00.000Z', kind: 'reverification', verified: true, result: 'verified' },
          { at: '2025-11-03T02:00:00.000Z', kind: 'reverification', verified: false, result: 'not verified (fail: revoked)' },
        ],
      },
    });
    expect(report.deployments.find((d) => d.responder.id === cy)).toMatchObject({ open: true, checkedOutAt: null });
  });

  it('gives the same figures as CSV, one row per deployment and day, safe to open in a spreadsheet', async () => {
    const res = await request(world.http)
      .get(`/reports/incidents/${incidentId}/deployments?format=csv`)
      .set(...bearer(world.adminToken))
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain('.csv');
    const rows = parseCsv(res.text);
    const sum = (responderId: string) => {
      const out: Record<string, number> = {};
      for (const r of rows.filter((x) => x.responder_id === responderId)) out[r.date] = Math.round(((out[r.date] ?? 0) + Number(r.hours_on_date)) * 100) / 100;
      return out;
    };
    expect(sum(ana)).toEqual({ '2025-11-01': 2, '2025-11-02': 25, '2025-11-03': 1 });
    expect(sum(ben)).toEqual({ '2025-11-05': 10, '2025-11-06': 2.5 });
    const anaRow = rows.find((r) => r.responder_id === ana)!;
    expect(anaRow).toMatchObject({
      responder_name: 'Ana Diaz',
      position: 'Triage Nurse',
      qualification: 'RN',
      issuer: 'Florida Board of Nursing',
      total_hours: '28',
      check_in_verification: 'online at check-in: not verified (indeterminate: status_unavailable)',
      reverifications: '2',
      last_reverification_result: 'not verified (fail: revoked)',
      checked_in_at: '2025-11-02T02:00:00.000Z',
      time_zone: 'America/New_York',
    });
    const agencies = rows.filter((r) => r.responder_id === ben).map((r) => r.agency);
    expect(agencies).toContain(`'=HYPERLINK("http://evil.example","x")`);
    expect(agencies).toContain('Miami-Dade Fire, Station "7"');
    expect(rows.find((r) => r.responder_id === cy)!.checked_out_at).toBe('still on scene');
  });

  it('quotes a CSV cell holding a separator, so no part of it can open as a formula in a spreadsheet set to split on ;', async () => {
    const site = (
      await pg.query<{ id: string }>(`INSERT INTO incident (name, number, type, jurisdiction) VALUES ('Flood', $1, 'Flood', 'US-FL') RETURNING id`, [
        `FL-${randomUUID().slice(0, 8)}`,
      ])
    ).rows[0].id;
    const agency = "Station 7;=cmd|' /C calc'!A0";
    await deploy({ responderId: await responder('Dee Semicolon'), checkedIn: '2025-11-05T13:00:00Z', checkedOut: '2025-11-05T17:00:00Z', agency, at: site });
    const res = await request(world.http)
      .get(`/reports/incidents/${site}/deployments?format=csv`)
      .set(...bearer(world.adminToken))
      .expect(200);
    expect(res.text).toContain(`,"${agency}",`);
    expect(parseCsv(res.text)[0].agency).toBe(agency);
  });

  it("an incident's time zone is an IANA zone: anything else is 400 naming the field, and a report never fails on one", async () => {
    const incident = { name: 'Zone Check', type: 'Flood', jurisdiction: 'US-FL' };
    for (const timeZone of ['Mars/Olympus_Mons', 'UTC+3', 'America/New York', 'EST5EDT;', '']) {
      const res = await request(world.http)
        .post('/incidents')
        .set(...bearer(world.adminToken))
        .send({ ...incident, number: `TZ-${randomUUID().slice(0, 8)}`, timeZone });
      expect([timeZone, res.status, res.body.code, res.body.errors?.map((e: { field: string }) => e.field)]).toEqual([
        timeZone,
        400,
        'validation_failed',
        ['timeZone'],
      ]);
    }
    const created = await request(world.http)
      .post('/incidents')
      .set(...bearer(world.adminToken))
      .send({ ...incident, number: `TZ-${randomUUID().slice(0, 8)}`, timeZone: 'America/Chicago' })
      .expect(201);
    const patched = await request(world.http)
      .patch(`/incidents/${created.body.id}`)
      .set(...bearer(world.adminToken))
      .send({ timeZone: 'Mars/Olympus_Mons' })
      .expect(400);
    expect(patched.body.errors).toEqual([expect.objectContaining({ field: 'timeZone' })]);
    expect(
      (
        await request(world.http)
          .patch(`/incidents/${created.body.id}`)
          .set(...bearer(world.adminToken))
          .send({ timeZone: 'UTC' })
          .expect(200)
      ).body.timeZone,
    ).toBe('UTC');

    // A zone stored before the api checked it: the migration gives the incident UTC, and its report is made.
    const legacy = (
      await pg.query<{ id: string }>(
        `INSERT INTO incident (name, number, type, jurisdiction, time_zone) VALUES ('Old', $1, 'Flood', 'US-FL', 'Mars/Olympus_Mons') RETURNING id`,
        [`FL-${randomUUID().slice(0, 8)}`],
      )
    ).rows[0].id;
    await deploy({
      responderId: await responder('Eve Legacy'),
      checkedIn: '2025-11-05T13:00:00Z',
      checkedOut: '2025-11-05T17:00:00Z',
      agency: 'County EMS',
      at: legacy,
    });
    const runner = world.api.app.get(DataSource).createQueryRunner();
    try {
      await new IncidentTimeZoneKnown1765000400000().up(runner);
    } finally {
      await runner.release();
    }
    const report = (
      await request(world.http)
        .get(`/reports/incidents/${legacy}/deployments`)
        .set(...bearer(world.adminToken))
        .expect(200)
    ).body as DeploymentReport;
    expect(report.deployments[0]).toMatchObject({ incident: { timeZone: 'UTC' }, hoursByDay: [{ date: '2025-11-05', hours: 4 }] });
    const kept = await pg.query<{ time_zone: string }>(`SELECT time_zone FROM incident WHERE id = $1`, [incidentId]);
    expect(kept.rows[0].time_zone).toBe('America/New_York');
  });

  it("gives one responder's deployments across incidents", async () => {
    const res = await request(world.http)
      .get(`/reports/responders/${ben}`)
      .set(...bearer(flAuditor.token))
      .expect(200);
    expect(res.body.responder).toEqual({ id: ben, name: 'Ben Ortiz' });
    expect(res.body.deployments).toHaveLength(2);
    expect(hoursFor(res.body as DeploymentReport, ben)).toEqual({ '2025-11-05': 10, '2025-11-06': 2.5 });
    const csv = await request(world.http)
      .get(`/reports/responders/${ben}?format=csv`)
      .set(...bearer(flAuditor.token))
      .expect(200);
    expect(parseCsv(csv.text)).toHaveLength(3);
  });

  it('auditors see their jurisdictions only; other roles see no reports; bad input is a 4xx', async () => {
    for (const path of [
      `/reports/incidents/${incidentId}/deployments`,
      `/reports/incidents/${incidentId}/deployments?format=csv`,
      `/reports/responders/${ana}`,
    ]) {
      const res = await request(world.http)
        .get(path)
        .set(...bearer(txAuditor.token));
      expect([path, res.status, res.body.code]).toEqual([path, 403, 'forbidden']);
    }
    const commander = await createUser(world.http, world.adminToken, 'commander');
    await request(world.http)
      .get(`/reports/incidents/${incidentId}/deployments`)
      .set(...bearer(commander.token))
      .expect(403);
    await request(world.http).get(`/reports/incidents/${incidentId}/deployments`).expect(401);
    await request(world.http)
      .get(`/reports/incidents/${incidentId}/deployments?format=xml`)
      .set(...bearer(world.adminToken))
      .expect(400);
    await request(world.http)
      .get(`/reports/incidents/not-a-uuid/deployments`)
      .set(...bearer(world.adminToken))
      .expect(400);
    await request(world.http)
      .get(`/reports/incidents/${randomUUID()}/deployments`)
      .set(...bearer(world.adminToken))
      .expect(404);
    await request(world.http)
      .get(`/reports/responders/${randomUUID()}`)
      .set(...bearer(world.adminToken))
      .expect(404);
    // a read-only role cannot change what the report is made from
    await request(world.http)
      .post(`/reports/incidents/${incidentId}/deployments`)
      .set(...bearer(flAuditor.token))
      .expect(404);
  });

  it('a real check-in shows in the report as verified online at check-in, and in the audit trail, which verifies', async () => {
    const incident = await createIncident(world.http, world.adminToken);
    const checkin = await staffFor(world.http, world.adminToken, incident.id, 'checkin');
    const { jws } = await world.issuer
      .board('fl-nursing')
      .issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Dee Real' }, licenseNumber: 'RN5550001' });
    const scan = await request(world.http)
      .post(`/incidents/${incident.id}/check-ins`)
      .set(...bearer(checkin.token))
      .set('Idempotency-Key', randomUUID())
      .send({ credential: jws, positionId: incident.positions['Triage Nurse'], locationId: incident.locations['Staging Area 1'] })
      .expect(201);
    expect(scan.body.decision).toBe('admitted');
    const responderId = scan.body.responder.id as string;

    const report = (
      await request(world.http)
        .get(`/reports/incidents/${incident.id}/deployments`)
        .set(...bearer(flAuditor.token))
        .expect(200)
    ).body as DeploymentReport;
    expect(report.deployments).toHaveLength(1);
    expect(report.deployments[0]).toMatchObject({
      responder: { id: responderId, name: 'Dee Real' },
      position: 'Triage Nurse',
      qualification: 'RN',
      licenseNumber: 'RN5550001',
      issuer: { name: 'Florida Board of Nursing' },
      decision: 'admitted',
      open: true,
      verification: { atCheckIn: { method: 'online at check-in', verified: true, result: 'verified' }, reverifications: [] },
    });

    const entries = await request(world.http)
      .get(`/audit/entries?responderId=${responderId}`)
      .set(...bearer(flAuditor.token))
      .expect(200);
    expect(entries.body.entries.map((e: { action: string }) => e.action)).toContain('checkin.admitted');
    const verified = (
      await request(world.http)
        .get(`/audit/verify?incidentId=${incident.id}`)
        .set(...bearer(flAuditor.token))
        .expect(200)
    ).body as ChainVerification;
    expect(verified.ok).toBe(true);
    expect(verified.entries).toBeGreaterThanOrEqual(3); // incident created, staff assigned, check-in
  });
});
