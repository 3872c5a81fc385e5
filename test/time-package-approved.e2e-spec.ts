import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { asBytes, bearer } from './support/test-app';
import { agencyRules, checkInAndOut, correctAndApprove as correctDay, downloadAuditExport, timePackageCli } from './support/time-records';
import { createIncident, staffFor, startWorld, type World } from './support/world';

jest.setTimeout(180_000);

const AGENCY = 'County EMS';

const today = new Date().toISOString().slice(0, 10);
const at = (hhmm: string): string => `${today}T${hhmm}:00Z`;

interface AgencyWithPat {
  tk1: string;
  tk2: string;
  patId: string;
  deploymentId: string;
  /** Pat's hours today through a correction by the first timekeeper, approved by the second. */
  correctAndApprove(start: string, end: string): Promise<void>;
}

/** What both scenarios start from: two timekeepers, Pat checked in and out for the agency, the agency's rules. */
async function agencyWithPat(world: World, incidentId: string): Promise<AgencyWithPat> {
  const time = (path: string) => `/incidents/${incidentId}/time/${path}`;
  const tk1 = (await staffFor(world.http, world.adminToken, incidentId, 'timekeeper')).token;
  const tk2 = (await staffFor(world.http, world.adminToken, incidentId, 'timekeeper')).token;
  const pat = await checkInAndOut(world, incidentId, { name: 'Pat Medic', qualification: 'PARAMEDIC', agency: AGENCY });
  await request(world.http)
    .put(time('rules'))
    .set(...bearer(tk1))
    .send(agencyRules(AGENCY, 3180))
    .expect(200);
  const correctAndApprove = (start: string, end: string): Promise<void> =>
    correctDay(world, incidentId, { responderId: pat.responderId, agency: AGENCY, date: today, start: at(start), end: at(end) }, tk1, tk2);
  return { tk1, tk2, patId: pat.responderId, deploymentId: pat.deploymentId, correctAndApprove };
}

describe('time records: approved days of an agency not certified, recomputed offline from the export as streamed', () => {
  let world: World;
  let incidentId: string;
  let patId: string;
  let deploymentId: string;
  let tk1: string;
  let tk2: string;
  let dir: string;
  const time = (path: string) => `/incidents/${incidentId}/time/${path}`;

  const exportFile = (name: string): Promise<string> => downloadAuditExport(world, incidentId, join(dir, name));

  const cli = (file: string, ...extra: string[]) => timePackageCli(incidentId, file, ...extra);

  let correctAndApprove: (start: string, end: string) => Promise<void>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'time-approved-'));
    world = await startWorld('timeappr');
    const { http, adminToken } = world;
    incidentId = (await createIncident(http, adminToken, { timeZone: 'UTC' })).id;
    ({ tk1, tk2, patId, deploymentId, correctAndApprove } = await agencyWithPat(world, incidentId));
    // 07:00-17:30: 630 on duty - 30 meal = 600 worked: 480 regular at 30.00 + 120 overtime at 45.00 = 330.00.
    await correctAndApprove('07:00', '17:30');
  });

  afterAll(async () => world?.close());

  it('records the deployment facts of the day with its approval', async () => {
    await request(world.http)
      .post(time('approvals'))
      .set(...bearer(tk1))
      .send({ agency: AGENCY, date: today })
      .expect(201);
    const entries = (
      await request(world.http)
        .get('/audit/entries')
        .query({ incidentId, action: 'time.day_approved' })
        .set(...bearer(world.adminToken))
        .expect(200)
    ).body as { entries: Array<{ payload: Record<string, unknown> }> };
    const approval = entries.entries.find((e) => e.payload.date === today);
    expect(approval?.payload).toMatchObject({ agency: AGENCY, date: today, deployments: [{ deploymentId, responderId: patId, position: null }] });
  });

  it('recomputes the approved day with --approved, says it is not certified, and equals the server figures', async () => {
    const file = await exportFile('approved.json');
    // Without --approved nothing is certified: nothing to compare.
    const plain = cli(file);
    expect(plain.code).toBe(1);
    expect(plain.out).toContain('No certified package in this export.');

    const server = (
      await request(world.http)
        .get(time('package'))
        .query({ agency: AGENCY })
        .set(...bearer(tk1))
        .expect(200)
    ).body as { totals: Record<string, number> };
    const json = cli(file, '--approved', '--json');
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.out) as {
      certified: unknown[];
      provisional: Array<{ agency: string; approvedDates: string[]; totals: Record<string, number> }>;
    };
    expect(parsed.certified).toEqual([]);
    expect(parsed.provisional).toHaveLength(1);
    expect(parsed.provisional[0]).toMatchObject({ agency: AGENCY, approvedDates: [today], reapprovalDates: [] });
    expect(parsed.provisional[0].totals).toEqual(server.totals);
    expect(server.totals).toMatchObject({ regularMinutes: 480, overtimeMinutes: 120, claimCents: 33000 });
    // The responders split over worker threads give the same figures; a thread count out of range is a usage error.
    expect(cli(file, '--approved', '--json', '--threads', '3')).toEqual(json);
    expect(cli(file, '--threads', '0').code).toBe(2);

    const text = cli(file, '--approved');
    expect(text.code).toBe(0);
    expect(text.out).toContain(`${AGENCY} (NOT CERTIFIED; approved days as of `);
    expect(text.out).toContain('regular 8.00 h, overtime 2.00 h, claim 330.00');
    expect(text.out).toContain(`approved days counted: ${today}`);
    expect(text.out).toContain('these figures may still change');
  });

  it('leaves out a day corrected after its approval until it is approved again', async () => {
    await correctAndApprove('07:00', '15:00');
    const waiting = cli(await exportFile('waiting.json'), '--approved');
    expect(waiting.out).toContain(`waiting for re-approval (not counted): ${today}`);
    expect(waiting.out).toContain('approved days counted: none');
    expect(waiting.out).toContain('regular 0.00 h, overtime 0.00 h, claim 0.00');

    await request(world.http)
      .post(time('approvals'))
      .set(...bearer(tk1))
      .send({ agency: AGENCY, date: today })
      .expect(201);
    // 07:00-15:00: 480 on duty - 30 meal = 450 regular at 30.00 = 225.00.
    const again = cli(await exportFile('reapproved.json'), '--approved');
    expect(again.out).toContain(`approved days counted: ${today}`);
    expect(again.out).toContain('regular 7.50 h, overtime 0.00 h, claim 225.00');
  });

  it('refuses an export cut short', async () => {
    const file = await exportFile('full.json');
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(file, 'utf8');
    const cut = join(dir, 'cut.json');
    writeFileSync(cut, text.slice(0, text.lastIndexOf('\n]}')));
    const res = cli(cut, '--approved');
    expect(res.code).toBe(2);
  });
});

describe('time records: approval by operational period, certified and recomputed offline', () => {
  let world: World;
  let incidentId: string;
  let patId: string;
  let deploymentId: string;
  let tk1: string;
  let tk2: string;
  let dir: string;
  let dayPeriod: string;
  let nightPeriod: string;
  const time = (path: string) => `/incidents/${incidentId}/time/${path}`;

  const exportFile = (name: string): Promise<string> => downloadAuditExport(world, incidentId, join(dir, name));

  let correctAndApprove: (start: string, end: string) => Promise<void>;

  const approvePeriod = (periodId: string, token = tk1) =>
    request(world.http)
      .post(time('period-approvals'))
      .set(...bearer(token))
      .send({ agency: AGENCY, periodId });
  const certify = () =>
    request(world.http)
      .post(time('certifications'))
      .set(...bearer(tk1))
      .send({ agency: AGENCY });
  const packageOf = async () =>
    (
      await request(world.http)
        .get(time('package'))
        .query({ agency: AGENCY })
        .set(...bearer(tk1))
        .expect(200)
    ).body as { totals: Record<string, number>; rows: Array<{ status: string; approvedBy: string | null; pendingCorrectionIds: string[] }> };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'time-periods-'));
    world = await startWorld('timeperiod');
    const { http, adminToken } = world;
    const tomorrow = new Date(Date.parse(at('00:00')) + 24 * 3600_000).toISOString().slice(0, 10);
    incidentId = (
      await createIncident(http, adminToken, {
        timeZone: 'UTC',
        operationalPeriods: [
          { label: 'Day 1', startsAt: at('06:00'), endsAt: at('18:00') },
          { label: 'Night 1', startsAt: at('18:00'), endsAt: `${tomorrow}T06:00:00Z` },
        ],
      })
    ).id;
    const read = await request(http)
      .get(`/incidents/${incidentId}`)
      .set(...bearer(adminToken))
      .expect(200);
    const periods = read.body.operationalPeriods as Array<{ id: string; label: string }>;
    dayPeriod = periods.find((p) => p.label === 'Day 1')!.id;
    nightPeriod = periods.find((p) => p.label === 'Night 1')!.id;
    ({ tk1, tk2, patId, deploymentId, correctAndApprove } = await agencyWithPat(world, incidentId));
    // 07:00-17:30: 630 on duty - 30 meal = 600 worked: 480 regular at 30.00 + 120 overtime at 45.00 = 330.00.
    await correctAndApprove('07:00', '17:30');
  });

  afterAll(async () => world?.close());

  it('refuses an unknown period; a period not covering the day leaves it open and certification refused', async () => {
    const unknown = await approvePeriod('00000000-0000-4000-8000-000000000000').expect(422);
    expect(unknown.body.code).toBe('time_period_unknown');
    // The corrected day (07:00-17:30) lies within Day 1, not Night 1.
    await approvePeriod(nightPeriod).expect(201);
    expect((await packageOf()).rows.map((r) => r.status)).toEqual(['open']);
    expect((await certify().expect(409)).body.code).toBe('time_day_not_approved');
  });

  it('approves the day by its period, audited with the deployment facts; approving it again unchanged is refused', async () => {
    const res = await approvePeriod(dayPeriod).expect(201);
    expect(res.body).toMatchObject({
      agency: AGENCY,
      periodId: dayPeriod,
      startsAt: new Date(at('06:00')).toISOString(),
      endsAt: new Date(at('18:00')).toISOString(),
    });
    const pkg = await packageOf();
    expect(pkg.rows.map((r) => r.status)).toEqual(['approved']);
    expect(pkg.totals).toMatchObject({ regularMinutes: 480, overtimeMinutes: 120, claimCents: 33000 });
    expect((await approvePeriod(dayPeriod).expect(409)).body.code).toBe('time_period_already_approved');
    const entries = (
      await request(world.http)
        .get('/audit/entries')
        .query({ incidentId, action: 'time.period_approved' })
        .set(...bearer(world.adminToken))
        .expect(200)
    ).body as { entries: Array<{ payload: Record<string, unknown> }> };
    expect(entries.entries.find((e) => e.payload.periodId === dayPeriod)?.payload).toMatchObject({
      agency: AGENCY,
      label: 'Day 1',
      deployments: [{ deploymentId, responderId: patId, position: null }],
    });

    // The export recomputed with --approved gives the server's figures.
    const json = timePackageCli(incidentId, await exportFile('period.json'), '--approved', '--json');
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.out) as { provisional: Array<{ approvedDates: string[]; totals: Record<string, number> }> };
    expect(parsed.provisional).toMatchObject([{ approvedDates: [today], reapprovalDates: [] }]);
    expect(parsed.provisional[0].totals).toEqual(pkg.totals);
  });

  it('keeps a correction after the period approval pending until the period is approved again, then certifies', async () => {
    await correctAndApprove('07:00', '15:00');
    const waiting = await packageOf();
    expect(waiting.rows).toMatchObject([{ status: 'reapproval_required' }]);
    const approvals = (
      await request(world.http)
        .get('/audit/entries')
        .query({ incidentId, action: 'time.correction_approved' })
        .set(...bearer(world.adminToken))
        .expect(200)
    ).body as { entries: Array<{ payload: Record<string, unknown> }> };
    // The responder's day, approved by its period, waits: the first correction came before any approval.
    expect(approvals.entries.map((e) => e.payload.dayStatus).sort()).toEqual(['open', 'reapproval_required']);
    expect(waiting.totals).toMatchObject({ regularMinutes: 480, overtimeMinutes: 120, claimCents: 33000 });
    expect((await certify().expect(409)).body.code).toBe('time_day_reapproval_required');

    await approvePeriod(dayPeriod, tk2).expect(201);
    const reapproved = (
      await request(world.http)
        .get('/audit/entries')
        .query({ incidentId, action: 'time.period_reapproved' })
        .set(...bearer(world.adminToken))
        .expect(200)
    ).body as { entries: unknown[] };
    expect(reapproved.entries).toHaveLength(1);
    // 07:00-15:00: 480 on duty - 30 meal = 450 regular at 30.00 = 225.00.
    const pkg = await packageOf();
    expect(pkg.rows).toMatchObject([{ status: 'approved', pendingCorrectionIds: [] }]);
    expect(pkg.totals).toMatchObject({ regularMinutes: 450, overtimeMinutes: 0, claimCents: 22500 });

    await certify().expect(201);
    expect((await approvePeriod(nightPeriod).expect(409)).body.code).toBe('time_package_certified');

    const certifiedFile = await exportFile('certified.json');
    const res = timePackageCli(incidentId, certifiedFile, '--json');
    expect(res.code).toBe(0);
    expect(timePackageCli(incidentId, certifiedFile, '--json', '--threads', '2')).toEqual(res);
    const certified = JSON.parse(res.out) as Array<{ agency: string; matches: boolean; totals: Record<string, number> }>;
    expect(certified).toMatchObject([{ agency: AGENCY, matches: true }]);
    expect(certified[0].totals).toEqual(pkg.totals);
  });
});
