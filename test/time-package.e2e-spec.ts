import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { TimeRecordsService, type PackageRow } from '@app/time-records';
import { asBytes, bearer } from './support/test-app';
import { agencyRules, checkInAndOut as checkInAndOutAt, correctAndApprove as correctDay, timePackageCli } from './support/time-records';
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

/** The text of each page, as pdf.js reads it. */
function pdfText(pdf: Buffer): { pages: number; text: string[] } {
  return JSON.parse(execFileSync(process.execPath, ['test/support/pdf-text.mjs'], { input: pdf }).toString()) as { pages: number; text: string[] };
}

const AGENCY = 'County EMS';

describe('time records: the reimbursement package of an agency (UTC incident, today)', () => {
  let world: World;
  let incidentId: string;
  let patId: string;
  let valId: string;
  let tk1: string;
  let tk2: string;
  const today = new Date().toISOString().slice(0, 10);
  const at = (hhmm: string): string => `${today}T${hhmm}:00Z`;
  const time = (path: string) => `/incidents/${incidentId}/time/${path}`;

  const checkInAndOut = (name: string, qualification: string, agency = AGENCY) => checkInAndOutAt(world, incidentId, { name, qualification, agency });

  const correctAndApprove = (responderId: string, start: string, end: string): Promise<void> =>
    correctDay(world, incidentId, { responderId, agency: AGENCY, date: today, start: at(start), end: at(end) }, tk1, tk2);

  beforeAll(async () => {
    world = await startWorld('timepkg');
    const { http, adminToken } = world;
    incidentId = (await createIncident(http, adminToken, { timeZone: 'UTC' })).id;
    tk1 = (await staffFor(http, adminToken, incidentId, 'timekeeper')).token;
    tk2 = (await staffFor(http, adminToken, incidentId, 'timekeeper')).token;
    const pat = await checkInAndOut('Pat Medic', 'PARAMEDIC');
    patId = pat.responderId;
    valId = (await checkInAndOut('Val Unteer', 'EMT')).responderId;
    await request(http)
      .put(time('rules'))
      .set(...bearer(tk1))
      .send(agencyRules(AGENCY, 3180))
      .expect(200);
    await request(http)
      .put(time(`responders/${valId}/employment`))
      .set(...bearer(tk1))
      .send({ employment: 'volunteer' })
      .expect(200);
    // Pat 07:00-17:30: 630 on duty - 30 meal = 600 worked, 480 regular at 30.00 + 120 overtime at 45.00 = 330.00.
    await correctAndApprove(patId, '07:00', '17:30');
    // Val 08:00-14:00: 360 on duty, no meal (not more than 360), 6 h donated at 31.80 = 190.80.
    await correctAndApprove(valId, '08:00', '14:00');
    await request(http)
      .post(`/incidents/${incidentId}/activity-log`)
      .set(...bearer(adminToken))
      .send({ subjectKind: 'person', deploymentId: pat.deploymentId, text: 'Triage at Station 4', occurredAt: at('10:00') })
      .expect(201);
  });

  afterAll(async () => world?.close());

  it('builds the package with the hand-computed figures, work description, credential evidence and legal basis', async () => {
    await request(world.http)
      .put(time('mission-reference'))
      .set(...bearer(tk1))
      .send({ agency: AGENCY, reference: 'EMAC FL-2026-0142' })
      .expect(200);
    const pkg = (
      await request(world.http)
        .get(time('package'))
        .query({ agency: AGENCY })
        .set(...bearer(tk1))
        .expect(200)
    ).body as {
      missionReference: string;
      certification: unknown;
      rows: Array<Record<string, unknown> & { evidence: { qualification: string; issuer: string; verifiedAt: string; legalBasis: string | null } }>;
      totals: Record<string, number>;
      volunteers: Array<Record<string, unknown>>;
    };
    expect(pkg.missionReference).toBe('EMAC FL-2026-0142');
    expect(pkg.certification).toBeNull();
    const pat = pkg.rows.find((r) => r.responderId === patId)!;
    expect(pat).toMatchObject({ regularMinutes: 480, overtimeMinutes: 120, claimCents: 33000, workDescription: 'Triage at Station 4', status: 'open' });
    expect(pat.evidence.qualification).toBe('PARAMEDIC');
    expect(pat.evidence.issuer).toBeTruthy();
    const deployments = (
      await request(world.http)
        .get(`/incidents/${incidentId}/deployments`)
        .query({ include: 'checked_out' })
        .set(...bearer(world.adminToken))
        .expect(200)
    ).body as Array<{ responder: { id: string }; checkedInAt: string; practiceAuthority: { basis: { text: string } | null } | null }>;
    const patDeployment = deployments.find((d) => d.responder.id === patId)!;
    expect(pat.evidence.verifiedAt).toBe(patDeployment.checkedInAt);
    expect(pat.evidence.legalBasis).toBe(patDeployment.practiceAuthority?.basis?.text ?? null);
    expect(pkg.rows.find((r) => r.responderId === valId)).toMatchObject({
      employment: 'volunteer',
      donatedMinutes: 360,
      donatedCents: 19080,
      claimCents: 0,
      workDescription: '',
    });
    expect(pkg.totals).toMatchObject({ regularMinutes: 840, overtimeMinutes: 120, claimCents: 33000, donatedMinutes: 360, donatedCents: 19080 });
    expect(pkg.volunteers).toEqual([{ responderId: valId, name: 'Val Unteer', position: null, days: 1, donatedMinutes: 360, donatedCents: 19080 }]);

    const donated = rows(
      (
        await request(world.http)
          .get(time('donated-hours.csv'))
          .query({ agency: AGENCY })
          .set(...bearer(tk1))
          .expect(200)
      ).text,
    );
    expect(donated).toEqual([
      { agency: AGENCY, responder_id: valId, name: 'Val Unteer', position: '', days: '1', donated_hours: '6.00', donated_amount: '190.80' },
      { agency: AGENCY, responder_id: '', name: 'TOTAL', position: '', days: '', donated_hours: '6.00', donated_amount: '190.80' },
    ]);
  });

  it('builds packages a batch of responders at a time, and a refusal in a late batch still answers 422 with nothing left behind', async () => {
    const service = world.api.app.get(TimeRecordsService);
    const whole = await service.package(incidentId, AGENCY);
    const batches: PackageRow[][] = [];
    const head = await service.buildPackage(incidentId, AGENCY, { batchSize: 1, rows: (rows) => void batches.push(rows) });
    expect(batches).toHaveLength(2);
    expect(batches.flat()).toEqual(whole.rows);
    expect(head.totals).toEqual(whole.totals);
    expect(head.volunteers).toEqual(whole.volunteers);

    // "Ann Early" is fine; "Zed Late", a volunteer, has no volunteer rate: only the second batch can tell.
    const other = 'Batch Test Agency';
    await request(world.http)
      .put(time('rules'))
      .set(...bearer(tk1))
      .send({
        agency: other,
        dailyRegularMinutes: 480,
        weeklyRegularMinutes: null,
        weekStartsOn: 0,
        breaks: [],
        rates: [{ position: null, regularCentsPerHour: 3000, overtimeCentsPerHour: 4500 }],
        volunteerCentsPerHour: null,
      })
      .expect(200);
    await checkInAndOut('Ann Early', 'EMT', other);
    const late = await checkInAndOut('Zed Late', 'EMT', other);
    await request(world.http)
      .put(time(`responders/${late.responderId}/employment`))
      .set(...bearer(tk1))
      .send({ employment: 'volunteer' })
      .expect(200);
    const seen: string[] = [];
    await expect(service.buildPackage(incidentId, other, { batchSize: 1, rows: (rows) => void seen.push(...rows.map((r) => r.name)) })).rejects.toMatchObject({
      code: 'time_rate_missing',
    });
    expect(seen).toEqual(['Ann Early']);
    const leftBefore = readdirSync(tmpdir()).filter((f) => f.startsWith('time-package-')).length;
    for (const file of ['package.csv', 'package.pdf']) {
      const refused = await request(world.http)
        .get(time(file))
        .query({ agency: other })
        .set(...bearer(tk1))
        .expect(422);
      expect(refused.body.code).toBe('time_rate_missing');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('time-package-')).length).toBe(leftBefore);
  });

  it('certifies only approved days, then locks the agency: no correction, approval, rule or reference change', async () => {
    const notApproved = await request(world.http)
      .post(time('certifications'))
      .set(...bearer(tk1))
      .send({ agency: AGENCY })
      .expect(409);
    expect(notApproved.body.code).toBe('time_day_not_approved');
    await request(world.http)
      .post(time('approvals'))
      .set(...bearer(tk2))
      .send({ agency: AGENCY, date: today })
      .expect(201);
    const cert = (
      await request(world.http)
        .post(time('certifications'))
        .set(...bearer(tk1))
        .send({ agency: AGENCY })
        .expect(201)
    ).body as Record<string, unknown>;
    expect(cert).toMatchObject({ claimCents: 33000, donatedCents: 19080, statement: expect.stringContaining('true and correct') });

    const locked = async (req: request.Test) => expect((await req.expect(409)).body.code).toBe('time_package_certified');
    await locked(
      request(world.http)
        .post(time('certifications'))
        .set(...bearer(tk2))
        .send({ agency: AGENCY }),
    );
    await locked(
      request(world.http)
        .post(time('corrections'))
        .set(...bearer(tk1))
        .send({ responderId: patId, agency: AGENCY, date: today, onDuty: [{ start: at('07:00'), end: at('19:00') }], reason: 'Later claim' }),
    );
    await locked(
      request(world.http)
        .post(time('approvals'))
        .set(...bearer(tk2))
        .send({ agency: AGENCY, date: today }),
    );
    await locked(
      request(world.http)
        .put(time('mission-reference'))
        .set(...bearer(tk1))
        .send({ agency: AGENCY, reference: 'other' }),
    );
    await locked(
      request(world.http)
        .put(time(`responders/${patId}/employment`))
        .set(...bearer(tk1))
        .send({ employment: 'budgeted' }),
    );

    const csv = rows(
      (
        await request(world.http)
          .get(time('package.csv'))
          .query({ agency: AGENCY })
          .set(...bearer(world.adminToken))
          .expect(200)
      ).text,
    );
    const patRow = csv.find((r) => r.responder_id === patId)!;
    expect(patRow).toMatchObject({
      regular_hours: '8.00',
      overtime_hours: '2.00',
      claim_amount: '330.00',
      work_description: 'Triage at Station 4',
      qualification: 'PARAMEDIC',
    });
    expect(csv.find((r) => r.name === 'TOTAL')).toMatchObject({
      regular_hours: '14.00',
      overtime_hours: '2.00',
      claim_amount: '330.00',
      donated_hours: '6.00',
      donated_amount: '190.80',
      mission_reference: 'EMAC FL-2026-0142',
      certified_at: cert.certifiedAt as string,
    });
  });

  it('renders the package as a PDF whose text carries the figures, the mission and the certification', async () => {
    const res = await request(world.http)
      .get(time('package.pdf'))
      .query({ agency: AGENCY })
      .set(...bearer(tk2))
      .buffer(true)
      .parse(asBytes)
      .expect(200);
    expect(res.headers['content-type']).toContain('application/pdf');
    const { pages, text } = pdfText(res.body as Buffer);
    expect(pages).toBe(1);
    const page = text[0].replace(/\s+/g, ' ');
    expect(page).toContain(`Labour summary for reimbursement: ${AGENCY}`);
    expect(page).toContain('Mission or order reference: EMAC FL-2026-0142');
    expect(page).toContain('Pat Medic');
    expect(page).toContain('Triage at Station 4');
    expect(page).toContain('Regular hours 14.00 Overtime hours 2.00 Claim 330.00');
    expect(page).toContain('Donated hours 6.00 Donated value 190.80');
    expect(page).toContain('Val Unteer, no position: 1 days, 6.00 hours, value 190.80');
    expect(page).toMatch(/Certified by .+ at \d{4}-\d{2}-\d{2}T/);
  });

  it('the CLI recomputes the certified totals from the audit export alone, and tells a changed export apart', async () => {
    const exported = await request(world.http)
      .get(`/audit/export?incidentId=${incidentId}`)
      .set(...bearer(world.adminToken))
      .buffer(true)
      .expect(200);
    const dir = mkdtempSync(join(tmpdir(), 'time-package-'));
    const file = join(dir, 'audit.json');
    writeFileSync(file, JSON.stringify(exported.body));
    const cli = (f: string, ...extra: string[]) => timePackageCli(incidentId, f, ...extra);
    const server = (
      await request(world.http)
        .get(time('package'))
        .query({ agency: AGENCY })
        .set(...bearer(tk1))
        .expect(200)
    ).body as {
      totals: Record<string, number>;
    };
    const json = cli(file, '--json');
    expect(json.code).toBe(0);
    const [recomputed] = JSON.parse(json.out) as Array<{ agency: string; totals: Record<string, number>; matches: boolean }>;
    expect(recomputed).toMatchObject({ agency: AGENCY, matches: true });
    expect(recomputed.totals).toEqual(server.totals);
    const text = cli(file);
    expect(text.out).toContain(`${AGENCY} (certified `);
    expect(text.out).toContain('regular 14.00 h, overtime 2.00 h, claim 330.00, donated 6.00 h worth 190.80');
    expect(text.out).toContain('equals the certified totals');

    // The same export with the volunteer's correction dropped: the recomputed totals no longer equal the certified ones.
    const bundle = exported.body as { entries: Array<{ action: string; payload: { responderId?: string } }> };
    const changed = join(dir, 'changed.json');
    writeFileSync(
      changed,
      JSON.stringify({ ...bundle, entries: bundle.entries.filter((e) => !(e.action === 'time.correction_recorded' && e.payload.responderId === valId)) }),
    );
    const differs = cli(changed);
    expect(differs.code).toBe(1);
    expect(differs.out).toContain('DIFFERS from the certified totals');
  });

  it('counts travel to and from the incident as hours of its own, and the CLI recomputes them from the audit export', async () => {
    const { http, adminToken } = world;
    // A zone where it is late morning now, so departure, work and travel home stay on one local day.
    const offset = ((11 - new Date().getUTCHours() + 36) % 24) - 12;
    const timeZone = offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
    const id = (await createIncident(http, adminToken, { timeZone })).id;
    const path = (p: string) => `/incidents/${id}/${p}`;
    const agency = 'Coastal EMS';
    const keeper1 = (await staffFor(http, adminToken, id, 'timekeeper')).token;
    const keeper2 = (await staffFor(http, adminToken, id, 'timekeeper')).token;
    await request(http)
      .put(path('time/rules'))
      .set(...bearer(keeper1))
      .send(agencyRules(agency, null))
      .expect(200);

    const { jws } = await world.issuer.board('fl-ems').issue({ format: 'vc+jwt', qualification: 'PARAMEDIC', subject: { name: 'Tia Traveller' } });
    const firstDeparture = new Date(Date.now() - 2 * 3600_000).toISOString();
    const checkIn = await request(http)
      .post(path('check-ins'))
      .set(...bearer(adminToken))
      .set('Idempotency-Key', randomUUID())
      .send({ credential: jws, ics211: { agency, departurePoint: 'Tallahassee Station 3', departureAt: firstDeparture } })
      .expect(201);
    const deploymentId = checkIn.body.deployment.id as string;
    const responderId = checkIn.body.responder.id as string;
    const checkedInAt = Date.parse(checkIn.body.deployment.checkedInAt as string);
    // The departure corrected on the ICS 211: exactly three hours before check-in.
    const departure = new Date(checkedInAt - 3 * 3600_000).toISOString();
    await request(http)
      .patch(path(`deployments/${deploymentId}/ics211`))
      .set(...bearer(adminToken))
      .send({ departureAt: departure })
      .expect(200);
    // Home 20 s after check-out: the summary counts travel home only up to its own time, so this leg adds less than
    // half a minute whenever the figures are made.
    const eta = new Date(Date.now() + 20_000);
    await request(http)
      .put(path(`deployments/${deploymentId}/demob/travel`))
      .set(...bearer(adminToken))
      .send({ method: 'POV', etaHome: eta.toISOString() })
      .expect(200);
    await request(http)
      .post(path(`deployments/${deploymentId}/check-out`))
      .set(...bearer(adminToken))
      .send({})
      .expect(200);
    // The shift as the unit log has it: 6.5 h on duty after the journey home was recorded.
    const date = new Date(eta.getTime() + offset * 3600_000).toISOString().slice(0, 10);
    // On duty during the journey to the incident would count those minutes twice.
    const overTravel = await request(http)
      .post(path('time/corrections'))
      .set(...bearer(keeper1))
      .send({
        responderId,
        agency,
        date,
        onDuty: [{ start: new Date(checkedInAt - 3600_000).toISOString(), end: new Date(checkedInAt + 3600_000).toISOString() }],
        reason: 'Arrived an hour early',
      })
      .expect(422);
    expect(overTravel.body.code).toBe('time_entry_overlap');
    const correction = await request(http)
      .post(path('time/corrections'))
      .set(...bearer(keeper1))
      .send({
        responderId,
        agency,
        date,
        onDuty: [{ start: eta.toISOString(), end: new Date(eta.getTime() + 390 * 60_000).toISOString() }],
        reason: 'Hours from the unit log',
      })
      .expect(201);
    await request(http)
      .post(path(`time/corrections/${correction.body.id as string}/approve`))
      .set(...bearer(keeper2))
      .expect(200);

    // 390 on duty - 30 meal (owed for on-duty time over 6 h) + 180 travel = 540 worked: 480 regular at 30.00 and
    // 60 overtime at 45.00 = 285.00 (without travel: 360 regular, 180.00).
    const pkg = (
      await request(http)
        .get(path('time/package'))
        .query({ agency })
        .set(...bearer(keeper1))
        .expect(200)
    ).body as { rows: Array<Record<string, unknown>>; totals: Record<string, number> };
    expect(pkg.rows).toHaveLength(1);
    expect(pkg.rows[0]).toMatchObject({
      date,
      onDutyMinutes: 390,
      travelMinutes: 180,
      unpaidBreakMinutes: 30,
      regularMinutes: 480,
      overtimeMinutes: 60,
      claimCents: 28500,
    });
    expect(pkg.totals).toEqual({ agency, travelMinutes: 180, regularMinutes: 480, overtimeMinutes: 60, claimCents: 28500, donatedMinutes: 0, donatedCents: 0 });

    await request(http)
      .post(path('time/approvals'))
      .set(...bearer(keeper2))
      .send({ agency, date })
      .expect(201);
    const cert = (
      await request(http)
        .post(path('time/certifications'))
        .set(...bearer(keeper1))
        .send({ agency })
        .expect(201)
    ).body as { claimCents: number };
    expect(cert.claimCents).toBe(28500);

    const csv = rows(
      (
        await request(http)
          .get(path('time/package.csv'))
          .query({ agency })
          .set(...bearer(keeper1))
          .expect(200)
      ).text,
    );
    expect(csv.find((r) => r.responder_id === responderId)).toMatchObject({
      on_duty_hours: '6.50',
      travel_hours: '3.00',
      unpaid_break_hours: '0.50',
      regular_hours: '8.00',
      overtime_hours: '1.00',
      claim_amount: '285.00',
    });
    expect(csv.find((r) => r.name === 'TOTAL')).toMatchObject({ travel_hours: '3.00', regular_hours: '8.00', overtime_hours: '1.00', claim_amount: '285.00' });
    const pdf = await request(http)
      .get(path('time/package.pdf'))
      .query({ agency })
      .set(...bearer(keeper1))
      .buffer(true)
      .parse(asBytes)
      .expect(200);
    expect(pdfText(pdf.body as Buffer).text[0].replace(/\s+/g, ' ')).toContain('Travel hours 3.00 Regular hours 8.00 Overtime hours 1.00 Claim 285.00');

    // The audit trail carries the times travel is derived from (not the departure place), and the CLI recomputes
    // the certified totals, travel included, from the export alone.
    const exported = await request(http)
      .get(`/audit/export?incidentId=${id}`)
      .set(...bearer(adminToken))
      .buffer(true)
      .expect(200);
    const entries = (exported.body as { entries: Array<{ action: string; payload: Record<string, unknown> }> }).entries;
    const admitted = entries.find((e) => e.action.startsWith('checkin.admitted'))!;
    expect(admitted.payload.departureAt).toBe(firstDeparture);
    expect(JSON.stringify(admitted.payload)).not.toContain('Tallahassee');
    expect(entries.find((e) => e.action === 'ics211.edited')!.payload).toMatchObject({ fields: ['departureAt'], after: { departureAt: departure } });
    expect(entries.find((e) => e.action === 'demob.travel_recorded')!.payload).toMatchObject({ method: 'POV', etaHome: eta.toISOString() });
    const dir = mkdtempSync(join(tmpdir(), 'time-travel-'));
    const file = join(dir, 'audit.json');
    writeFileSync(file, JSON.stringify(exported.body));
    const server = (
      await request(http)
        .get(path('time/package'))
        .query({ agency })
        .set(...bearer(keeper1))
        .expect(200)
    ).body as { totals: Record<string, number> };
    const json = timePackageCli(id, file, '--json');
    expect(json.code).toBe(0);
    const [recomputed] = JSON.parse(json.out) as Array<{ agency: string; totals: Record<string, number>; matches: boolean }>;
    expect(recomputed).toMatchObject({ agency, matches: true });
    expect(recomputed.totals).toEqual(server.totals);
    expect(timePackageCli(id, file).out).toContain('travel 3.00 h, regular 8.00 h, overtime 1.00 h, claim 285.00');

    // A departure 73 hours before check-in is a mistyped date, not a journey: the summary refuses it, naming the responder.
    const longhaul = await world.issuer.board('fl-ems').issue({ format: 'vc+jwt', qualification: 'EMT', subject: { name: 'Max Longhaul' } });
    const refusedCheckIn = await request(http)
      .post(path('check-ins'))
      .set(...bearer(adminToken))
      .set('Idempotency-Key', randomUUID())
      .send({ credential: longhaul.jws, ics211: { agency: 'Inland EMS', departureAt: new Date(Date.now() - 73 * 3600_000).toISOString() } })
      .expect(201);
    const refused = await request(http)
      .get(path('time/labour-summary.csv'))
      .set(...bearer(keeper1))
      .expect(422);
    expect(refused.body.code).toBe('time_travel_implausible');
    expect(refused.body.errors).toContainEqual({ field: 'responderId', message: refusedCheckIn.body.responder.id as string });
  });

  it('writes the reference and the certification to the audit trail', async () => {
    const pg = new Client({ connectionString: world.env.dbUrl });
    await pg.connect();
    try {
      const { rows: entries } = await pg.query<{ action: string; payload: { totals?: Record<string, number> } }>(
        `SELECT action, payload FROM audit_entry WHERE incident_id = $1 AND action IN ('time.mission_reference_set', 'time.package_certified') ORDER BY seq`,
        [incidentId],
      );
      expect(entries.map((e) => e.action)).toEqual(['time.mission_reference_set', 'time.package_certified']);
      expect(entries[1].payload.totals).toMatchObject({ claimCents: 33000, donatedCents: 19080 });
    } finally {
      await pg.end();
    }
  });
});
