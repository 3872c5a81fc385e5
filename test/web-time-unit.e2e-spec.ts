import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { bearer, freePort } from './support/test-app';
import { buildWebApp, launchChromium, signInThroughUi, TABLET, WatchedPage } from './support/web-browser';
import { createIncident, staffFor, startWorld, type World } from './support/world';

/**
 * The time unit's page in a real browser (tablet width): a timekeeper approves a colleague's correction, sees the
 * day's figures change, approves the operational period and the day, certifies the package and downloads it as CSV
 * and PDF.
 */
jest.setTimeout(180_000);
describe('web app: the time unit page', () => {
  let world: World;
  let web: { dir: string; remove(): Promise<void> };
  let browser: Browser;
  let page: WatchedPage;
  let incidentId: string;
  let tk2Email: string;
  const AGENCY = 'County EMS';
  const today = new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    web = await buildWebApp();
    world = await startWorld('webtime', { listen: true, port: await freePort(), env: { WEB_DIR: web.dir } });
    const { http, adminToken } = world;
    incidentId = (
      await createIncident(http, adminToken, {
        timeZone: 'UTC',
        name: 'Timesheet Flood',
        operationalPeriods: [{ label: 'Day 1', startsAt: `${today}T06:00:00Z`, endsAt: `${today}T18:00:00Z` }],
      })
    ).id;
    const tk1 = await staffFor(http, adminToken, incidentId, 'timekeeper');
    tk2Email = (await staffFor(http, adminToken, incidentId, 'timekeeper')).email;
    const { jws } = await world.issuer.board('fl-ems').issue({ format: 'vc+jwt', qualification: 'PARAMEDIC', subject: { name: 'Pat Medic' } });
    const checkIn = await request(http)
      .post(`/incidents/${incidentId}/check-ins`)
      .set(...bearer(adminToken))
      .set('Idempotency-Key', randomUUID())
      .send({ credential: jws, ics211: { agency: AGENCY } })
      .expect(201);
    await request(http)
      .post(`/incidents/${incidentId}/deployments/${checkIn.body.deployment.id as string}/check-out`)
      .set(...bearer(adminToken))
      .send({})
      .expect(200);
    await request(http)
      .put(`/incidents/${incidentId}/time/rules`)
      .set(...bearer(tk1.token))
      .send({
        agency: AGENCY,
        dailyRegularMinutes: 480,
        weeklyRegularMinutes: null,
        weekStartsOn: 0,
        breaks: [{ kind: 'meal', afterMinutes: 360, minutes: 30, paid: false }],
        rates: [{ position: null, regularCentsPerHour: 3000, overtimeCentsPerHour: 4500 }],
        volunteerCentsPerHour: null,
      })
      .expect(200);
    await request(http)
      .post(`/incidents/${incidentId}/time/corrections`)
      .set(...bearer(tk1.token))
      .send({
        responderId: checkIn.body.responder.id as string,
        agency: AGENCY,
        date: today,
        onDuty: [{ start: `${today}T07:00:00Z`, end: `${today}T17:30:00Z` }],
        reason: 'Badge scanner was down at shift change',
      })
      .expect(201);
    browser = await launchChromium();
    page = await WatchedPage.open(browser, TABLET);
  });

  afterAll(async () => {
    await page?.close().catch(() => undefined);
    await browser?.close();
    await world?.close();
    await web?.remove();
  });

  it('approves the correction, the period and the day, certifies, and downloads the package', async () => {
    const p = page.page;
    await signInThroughUi(page, world.api.url!, tk2Email, 'timekeeper-password-123');
    await p.getByRole('heading', { name: 'Time unit' }).waitFor();
    await p.getByLabel('Agency').selectOption(AGENCY);
    const sheet = p.getByTestId('timesheets');
    await sheet.getByRole('cell', { name: 'Pat Medic' }).waitFor();
    // The correction waits for approval: the derived day (checked in and out at once) counts nothing yet.
    await p.getByTestId('corrections').getByText('Reason: Badge scanner was down at shift change. Waiting for approval.').waitFor();
    expect(await p.getByTestId('time-totals').textContent()).toContain('claim 0.00');

    await p.getByRole('button', { name: 'Approve correction' }).click();
    await p.getByText('Correction approved.').waitFor();
    // 10.5 h on duty - 0.5 h meal = 10 h: 8 h at 30.00 + 2 h at 45.00 = 330.00.
    await p.getByTestId('time-totals').getByText('regular 8.00 h, overtime 2.00 h, claim 330.00').waitFor();

    // 07:00-17:30 lies within Day 1 (06:00-18:00): approving the period approves the responder's day.
    await p.getByLabel('Operational period').selectOption({ index: 1 });
    await p.getByRole('button', { name: 'Approve operational period' }).click();
    await p.getByText('Day 1 approved.').waitFor();
    await sheet.getByRole('cell', { name: 'approved' }).waitFor();
    // The day can still be approved as a whole as well.
    await p.getByRole('button', { name: `Approve ${today}` }).click();
    await p.getByText(`${today} approved.`).waitFor();

    await p.getByRole('button', { name: 'Certify the package' }).click();
    await p.getByText('Package certified.').waitFor();
    await p
      .getByTestId('certification')
      .filter({ hasText: /true and correct.*Certified by Test timekeeper/ })
      .waitFor();
    // Certified: the package is locked, so the page offers no more approvals.
    await p.getByRole('button', { name: 'Certify the package' }).waitFor({ state: 'detached' });
    expect(await p.getByRole('button', { name: `Approve ${today}` }).count()).toBe(0);

    const [csv] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: 'Package (CSV)' }).click()]);
    const csvText = await readFile((await csv.path())!, 'utf8');
    expect(csvText).toContain('work_description');
    expect(csvText).toMatch(/County EMS,,TOTAL,.*330\.00/);
    const [pdf] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: 'Package (PDF)' }).click()]);
    expect((await readFile((await pdf.path())!)).subarray(0, 5).toString()).toBe('%PDF-');

    expect(await page.overflowingElements()).toEqual([]);
    await page.screenshot('time-unit-tablet');
    expect(page.unexpectedProblems()).toEqual([]);
  });
});
