import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Client } from 'pg';
import request from 'supertest';
import type { Browser, Page } from 'playwright-core';
import { bearer, createUser } from './support/test-app';
import { REVERIFY_TEST_ENV, startWorker, type TestWorker } from './support/reverification';
import { createIncident, staffFor, startWorld, type World } from './support/world';
import { buildWebApp, LAPTOP, launchChromium, openSignedIn, signInThroughUi, TABLET, WatchedPage } from './support/web-browser';
import { assign, checkInMany } from './support/accountability';
import { eventually } from './support/live-harness';

/**
 * The roll-call page in a real browser: a commander on a laptop (1280 px) and a second board on a tablet (768 px)
 * watching the same PAR. Starting, one-tap and bulk acknowledgements, a missing person, the counts converging on
 * both screens through the live events, the overdue state when the deadline passes, and the PAR timer's snooze.
 * Then the board's side of accountability: people still missing after a roll call, work and rest limits, and the
 * ICS 221 release at check-out (on the board and at the check-in station).
 */
jest.setTimeout(150_000);
describe('roll call in a browser', () => {
  let world: World;
  let worker: TestWorker;
  let web: { dir: string; remove(): Promise<void> };
  let browser: Browser;
  let incidentId: string;
  let base: string;
  let commander: { id: string; email: string; token: string };
  let deployments: string[];
  const pages: WatchedPage[] = [];
  const PASSWORD = 'commander-password-123';

  const open = async (viewport: { width: number; height: number }, incident = incidentId): Promise<WatchedPage> => {
    const w = await WatchedPage.open(browser, viewport);
    pages.push(w);
    await signInThroughUi(w, base, commander.email, PASSWORD);
    await openSignedIn(w, `${base}/app/#/roll-call?incident=${incident}`);
    await w.page.getByRole('heading', { name: 'Roll call' }).waitFor({ timeout: 30_000 });
    return w;
  };
  const count = (page: Page, k: string) => page.locator(`[data-testid="par-counts"] [data-count="${k}"] strong`);
  const counts = async (page: Page) =>
    Object.fromEntries(
      await Promise.all(['expected', 'accounted', 'missing', 'unaccounted'].map(async (k) => [k, Number(await count(page, k).textContent())])),
    );
  const waitForCounts = async (page: Page, want: Record<string, number>) => {
    for (const [k, n] of Object.entries(want))
      await count(page, k)
        .filter({ hasText: new RegExp(`^${n}$`) })
        .waitFor();
  };
  const row = (page: Page, name: string) => page.locator('tr.par-member', { hasText: name });
  /** Another incident with the same commander on its staff. */
  const anotherIncident = async (name: string): Promise<string> => {
    const id = (await createIncident(world.http, world.adminToken, { name })).id;
    await request(world.http)
      .post(`/incidents/${id}/staff`)
      .set(...bearer(world.adminToken))
      .send({ userId: commander.id })
      .expect(204);
    return id;
  };
  const sql = async (text: string, values: unknown[]): Promise<void> => {
    const db = new Client({ connectionString: world.env.dbUrl });
    await db.connect();
    try {
      await db.query(text, values);
    } finally {
      await db.end();
    }
  };

  beforeAll(async () => {
    web = await buildWebApp();
    world = await startWorld('webpar', { listen: true, env: { ...REVERIFY_TEST_ENV, WEB_DIR: web.dir } });
    base = world.api.url!;
    // The worker raises par.overdue when the deadline passes.
    worker = await startWorker(world.env.env);
    incidentId = (await createIncident(world.http, world.adminToken, { name: 'Roll Call Collapse' })).id;
    commander = await staffFor(world.http, world.adminToken, incidentId, 'commander');
    deployments = await checkInMany(world, incidentId, 8, 'Crew');
    for (const d of deployments.slice(0, 3)) await assign(world.http, commander.token, incidentId, d, 'Division A');
    for (const d of deployments.slice(3, 5)) await assign(world.http, commander.token, incidentId, d, 'Division B');
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const p of pages) await p.close().catch(() => undefined);
    await browser?.close();
    await worker?.close();
    await world?.close();
    await web?.remove();
  });

  it('starts a PAR, accounts for people one tap and in bulk, marks one missing, and both screens converge; the deadline turns it overdue', async () => {
    const laptop = await open(LAPTOP);
    const tablet = await open(TABLET);
    const { page } = laptop;

    await page.getByLabel('Scope').selectOption('');
    await page.getByLabel('Reason').selectOption('collapse');
    // The shortest response period (30 s), so the test sees the deadline pass.
    await page.getByLabel('Response period (min)').fill('0.5');
    await page.getByRole('button', { name: 'Start roll call' }).click();
    await page.locator('[data-testid="par"][data-state="running"]').waitFor();
    await waitForCounts(page, { expected: 8, accounted: 0, missing: 0, unaccounted: 8 });
    // The tablet learns of the PAR from the live par.started event.
    await tablet.page.locator('[data-testid="par"][data-state="running"]').waitFor();
    await waitForCounts(tablet.page, { expected: 8, unaccounted: 8 });
    expect(await page.getByTestId('par-countdown').textContent()).toMatch(/0:[0-3]\d left/);

    // One tap.
    await page.getByRole('button', { name: 'Accounted: Crew 1', exact: true }).click();
    await waitForCounts(page, { accounted: 1, unaccounted: 7 });
    await waitForCounts(tablet.page, { accounted: 1, unaccounted: 7 });
    expect(await row(tablet.page, 'Crew 1').first().getAttribute('data-state')).toBe('accounted');

    // Missing: an alert of its own, on both screens.
    await page.getByRole('button', { name: 'Missing: Crew 2', exact: true }).click();
    await waitForCounts(page, { missing: 1, unaccounted: 6 });
    await tablet.page.getByTestId('par-missing').filter({ hasText: 'Crew 2 (Division A)' }).waitFor();
    await waitForCounts(tablet.page, { missing: 1, unaccounted: 6 });

    // Filters: one assignment, unaccounted only, then a search by name.
    await page.getByLabel('Assignment').selectOption('Division B');
    await page.getByLabel('Unaccounted only').check();
    expect(await page.getByTestId('par-shown').textContent()).toBe('2 of 8 shown');
    await page.getByLabel('Assignment').selectOption('');
    expect(await page.getByTestId('par-shown').textContent()).toBe('6 of 8 shown');
    await page.getByLabel('Search').fill('crew 7');
    expect(await page.getByTestId('par-shown').textContent()).toBe('1 of 8 shown');
    await page.getByLabel('Search').fill('');

    // Bulk, on the tablet: two selected, one request.
    await tablet.page.getByLabel('Select Crew 4', { exact: true }).check();
    await tablet.page.getByLabel('Select Crew 5', { exact: true }).check();
    await tablet.page.getByRole('button', { name: 'Account for selected (2)' }).click();
    await waitForCounts(tablet.page, { accounted: 3, unaccounted: 4 });
    await waitForCounts(page, { accounted: 3, missing: 1, unaccounted: 4 });

    // The deadline passes with 4 unaccounted: loud on both screens, and the worker raised par.overdue.
    await page.getByTestId('par-overdue').waitFor({ timeout: 45_000 });
    await tablet.page.getByTestId('par-overdue').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('par-overdue').textContent()).toContain('OVERDUE: 4 unaccounted people');
    expect(await page.locator('[data-testid="par"]').getAttribute('data-overdue')).toBe('true');
    const parId = (
      (
        await request(world.http)
          .get(`/incidents/${incidentId}/pars?state=running`)
          .set(...bearer(commander.token))
          .expect(200)
      ).body as Array<{ id: string }>
    )[0].id;
    await eventually(
      async () =>
        (
          await request(world.http)
            .get(`/incidents/${incidentId}/pars/${parId}`)
            .set(...bearer(commander.token))
        ).body.par.overdue === true,
      15_000,
      'the PAR overdue in the API',
    );
    await laptop.screenshot('roll-call-overdue-1280');
    await tablet.screenshot('roll-call-overdue-768');
    expect(await tablet.overflowingElements()).toEqual([]);
    expect(await laptop.overflowingElements()).toEqual([]);

    // Everyone left is found (bulk, all shown): the missing one too. Everyone accounted for ends the PAR.
    await page.getByLabel('Unaccounted only').uncheck();
    await page.getByRole('button', { name: 'Account for all shown (5)' }).click();
    await page.locator('[data-testid="par"][data-state="completed"]').waitFor();
    await tablet.page.locator('[data-testid="par"][data-state="completed"]').waitFor();
    expect(await counts(tablet.page)).toEqual({ expected: 8, accounted: 8, missing: 0, unaccounted: 0 });
    const final = await request(world.http)
      .get(`/incidents/${incidentId}/pars/${parId}`)
      .set(...bearer(commander.token))
      .expect(200);
    expect(final.body.par.state).toBe('completed');
    expect(final.body.par.counts).toEqual({ expected: 8, accounted: 8, missing: 0, unaccounted: 0 });
    for (const w of [laptop, tablet]) expect(w.unexpectedProblems()).toEqual([]);
  });

  it('on a tablet: a PAR for one assignment, ended by hand with someone unaccounted', async () => {
    const tablet = await open(TABLET);
    const { page } = tablet;
    await page.getByLabel('Scope').selectOption('Division A');
    await page.getByLabel('Reason').selectOption('other');
    await page.getByLabel('Note (required)').fill('Roof sagging');
    await page.getByLabel('Response period (min)').fill('5');
    await page.getByRole('button', { name: 'Start roll call' }).click();
    await page.locator('[data-testid="par"][data-state="running"]').waitFor();
    await waitForCounts(page, { expected: 3, unaccounted: 3 });
    expect(await page.locator('tr.par-member').count()).toBe(3);
    await page.getByRole('button', { name: 'Accounted: Crew 3', exact: true }).click();
    await waitForCounts(page, { accounted: 1, unaccounted: 2 });
    await page.getByRole('button', { name: 'End roll call' }).click();
    await page.locator('[data-testid="par"][data-state="completed"]').waitFor();
    expect(await counts(page)).toEqual({ expected: 3, accounted: 1, missing: 0, unaccounted: 2 });
    expect(await tablet.overflowingElements()).toEqual([]);
    expect(tablet.unexpectedProblems()).toEqual([]);
  });

  it('a station in "Roll call" mode accounts for people by badge scan, and the commander sees it live', async () => {
    const checkin = await staffFor(world.http, world.adminToken, incidentId, 'checkin');
    const badges: string[] = [];
    for (const name of ['Sam Station', 'Tia Station']) {
      const { jws } = await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name } });
      const res = await request(world.http)
        .post(`/incidents/${incidentId}/check-ins`)
        .set(...bearer(checkin.token))
        .set('Idempotency-Key', randomUUID())
        .send({ credential: jws })
        .expect(201);
      await assign(world.http, commander.token, incidentId, res.body.deployment.id as string, 'Division C');
      badges.push(jws);
    }
    const station = await WatchedPage.open(browser, TABLET);
    pages.push(station);
    await signInThroughUi(station, base, checkin.email, 'checkin-password-123');
    await station.page.getByRole('heading', { name: 'Check-in station' }).waitFor();
    // No roll call running: no roll-call mode.
    expect(await station.page.getByRole('group', { name: 'Station mode' }).count()).toBe(0);

    const board = await open(LAPTOP);
    await board.page.getByLabel('Scope').selectOption('Division C');
    await board.page.getByRole('button', { name: 'Start roll call' }).click();
    await waitForCounts(board.page, { expected: 2, accounted: 0, unaccounted: 2 });

    const { page } = station;
    await page.getByRole('button', { name: 'Roll call (Division C)' }).click({ timeout: 20_000 });
    await page.getByRole('heading', { name: 'Roll call station' }).waitFor();
    await page.getByLabel('Scan a badge to account for its holder').fill(badges[0]);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="par-scan-result"][data-outcome="accounted"]').filter({ hasText: 'Sam Station (Division C)' }).waitFor();
    expect(await page.getByTestId('station-par').textContent()).toContain('1 of 2 accounted for');
    await waitForCounts(board.page, { accounted: 1, unaccounted: 1 });
    expect(await row(board.page, 'Sam Station').textContent()).toContain('Accounted (scan)');

    // The same badge again: refused in words, nothing counted twice.
    await page.getByLabel('Scan a badge to account for its holder').fill(badges[0]);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="par-scan-result"][data-outcome="par_already_marked"]').filter({ hasText: 'Already accounted for' }).waitFor();
    // Something that is no badge.
    await page.getByLabel('Scan a badge to account for its holder').fill('not a badge');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="par-scan-result"][data-outcome="par_scan_unverified"]').waitFor();
    await station.screenshot('roll-call-station-768');

    await page.getByLabel('Scan a badge to account for its holder').fill(badges[1]);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="par-scan-result"][data-outcome="accounted"]').filter({ hasText: 'Tia Station' }).waitFor();
    // Everyone accounted for: the PAR completes, on the commander's screen too.
    await board.page.locator('[data-testid="par"][data-state="completed"]').waitFor();
    expect(await counts(board.page)).toEqual({ expected: 2, accounted: 2, missing: 0, unaccounted: 0 });
    expect(await station.overflowingElements()).toEqual([]);
    expect(station.unexpectedProblems([/\/scans$/])).toEqual([]);
    expect(board.unexpectedProblems()).toEqual([]);
  });

  it('the T-card rack and the qualification filter, on a tablet and a laptop, converge with the live events', async () => {
    const rackIncident = await anotherIncident('Rack Collapse');
    // 24 nurses and 6 EMTs: Division A (10 RN + 3 EMT), Division B (10 RN), Medical Group (3 EMT), 4 RN unassigned.
    const nurses = await checkInMany(world, rackIncident, 24, 'Nurse');
    const emts: string[] = [];
    for (let i = 1; i <= 6; i++) {
      const { jws } = await world.issuer.board('fl-ems').issue({ format: 'vc+jwt', qualification: 'EMT', subject: { name: `Medic ${i}` } });
      const res = await request(world.http)
        .post(`/incidents/${rackIncident}/check-ins`)
        .set(...bearer(world.adminToken))
        .set('Idempotency-Key', randomUUID())
        .send({ credential: jws })
        .expect(201);
      expect(res.body.decision).toBe('admitted');
      emts.push(res.body.deployment.id as string);
    }
    for (const d of [...nurses.slice(0, 10), ...emts.slice(0, 3)]) await assign(world.http, commander.token, rackIncident, d, 'Division A');
    for (const d of nurses.slice(10, 20)) await assign(world.http, commander.token, rackIncident, d, 'Division B');
    for (const d of emts.slice(3)) await assign(world.http, commander.token, rackIncident, d, 'Medical Group');
    await request(world.http)
      .post(`/incidents/${rackIncident}/pars`)
      .set(...bearer(commander.token))
      .send({ reason: 'collapse' })
      .expect(201);

    const tablet = await open(TABLET, rackIncident);
    const laptop = await open(LAPTOP, rackIncident);
    for (const w of [tablet, laptop]) await waitForCounts(w.page, { expected: 30, accounted: 0, unaccounted: 30 });
    const { page } = tablet;
    const column = (p: Page, title: string) => p.getByRole('region', { name: `T-cards: ${title}` });
    const cards = (p: Page, title: string) => column(p, title).locator('li.par-card');

    // The rack: one column per assignment with its tally, no assignment last.
    await page.getByRole('button', { name: 'T-cards' }).click();
    expect(await page.getByRole('button', { name: 'T-cards' }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('table.par-list').count()).toBe(0);
    expect(await page.locator('.par-rack-column').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))).toEqual([
      'T-cards: Division A',
      'T-cards: Division B',
      'T-cards: Medical Group',
      'T-cards: No assignment',
    ]);
    expect(await cards(page, 'Division A').count()).toBe(13);
    expect(await column(page, 'Division A').locator('.par-rack-tally').textContent()).toBe('0/13');
    // Dense: on 768 px the cards stand at least four abreast.
    const tops = await cards(page, 'Division B').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
    expect(tops.filter((t) => t === tops[0]).length).toBeGreaterThanOrEqual(4);

    // Qualification filter (from the board's roster), then a search inside it.
    await page.getByLabel('Qualification').selectOption('EMT');
    expect(await page.getByTestId('par-shown').textContent()).toBe('6 of 30 shown');
    expect(await page.locator('.par-rack-column').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))).toEqual([
      'T-cards: Division A',
      'T-cards: Medical Group',
    ]);
    await page.getByLabel('Search').fill('medic 5');
    expect(await page.getByTestId('par-shown').textContent()).toBe('1 of 30 shown');

    // One tap on a card accounts for that person; the laptop (list view) learns it from the live event.
    await page.getByRole('button', { name: 'Accounted: Medic 5', exact: true }).click();
    await waitForCounts(page, { accounted: 1, unaccounted: 29 });
    await waitForCounts(laptop.page, { accounted: 1, unaccounted: 29 });
    await row(laptop.page, 'Medic 5').and(laptop.page.locator('[data-state="accounted"]')).waitFor();
    expect(await column(page, 'Medical Group').locator('.par-rack-tally').textContent()).toBe('1/1');

    // A card's own button marks someone missing.
    await page.getByLabel('Search').fill('');
    await page.getByLabel('Qualification').selectOption('');
    await page.getByRole('button', { name: 'Missing: Nurse 21', exact: true }).click();
    await waitForCounts(laptop.page, { missing: 1, unaccounted: 28 });
    const missingCard = column(page, 'No assignment').locator('li.par-card').first();
    expect(await missingCard.getAttribute('data-state')).toBe('missing');
    expect(await missingCard.textContent()).toContain('Missing');

    // On the laptop: the rack, nurses of Division B, all shown at once; the tablet converges on the same counts.
    await laptop.page.getByRole('button', { name: 'T-cards' }).click();
    await laptop.page.getByLabel('Qualification').selectOption('RN');
    await laptop.page.getByLabel('Assignment', { exact: true }).selectOption('Division B');
    expect(await laptop.page.getByTestId('par-shown').textContent()).toBe('10 of 30 shown');
    await laptop.page.getByRole('button', { name: 'Account for all shown (10)' }).click();
    await waitForCounts(laptop.page, { accounted: 11, missing: 1, unaccounted: 18 });
    await waitForCounts(page, { accounted: 11, missing: 1, unaccounted: 18 });
    expect(await column(page, 'Division B').locator('.par-rack-tally').textContent()).toBe('10/10');
    expect(await cards(page, 'Division B').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).toEqual(Array(10).fill('accounted'));
    // Accounted cards are no buttons any more.
    expect(await column(page, 'Division B').getByRole('button').count()).toBe(0);

    await tablet.screenshot('roll-call-rack-768');
    await laptop.screenshot('roll-call-rack-1280');
    expect(await tablet.overflowingElements()).toEqual([]);
    expect(await laptop.overflowingElements()).toEqual([]);
    for (const w of [tablet, laptop]) expect(w.unexpectedProblems()).toEqual([]);
  });

  it('PAR due: the timer running out turns both screens to "PAR due"; a snooze needs a reason, a new roll call resets it', async () => {
    const timerIncident = await anotherIncident('Timer Collapse');
    await checkInMany(world, timerIncident, 2, 'Timed');
    await request(world.http)
      .patch(`/incidents/${timerIncident}/accountability-settings`)
      .set(...bearer(commander.token))
      .send({ parTimerMinutes: 20 })
      .expect(200);
    const tablet = await open(TABLET, timerIncident);
    const laptop = await open(LAPTOP, timerIncident);
    const timer = (p: Page) => p.getByTestId('par-timer');
    for (const w of [tablet, laptop]) {
      await timer(w.page)
        .filter({ hasText: /Next PAR due in (20:00|19:\d\d)/ })
        .waitFor();
      expect(await timer(w.page).getAttribute('data-due')).toBe('false');
    }

    // The timer runs out: the worker raises par.due and both open screens turn, without a reload.
    const makeDue = () => sql(`UPDATE accountability_settings SET par_timer_due_at = now() - interval '1 second' WHERE incident_id = $1`, [timerIncident]);
    await makeDue();
    for (const w of [tablet, laptop]) {
      await w.page.locator('[data-testid="par-timer"][data-due="true"]').waitFor({ timeout: 15_000 });
      expect(await timer(w.page).getByRole('alert').textContent()).toContain('PAR due');
    }
    await eventually(
      async () =>
        (
          await request(world.http)
            .get('/audit/entries')
            .query({ incidentId: timerIncident, action: 'par.due' })
            .set(...bearer(world.adminToken))
        ).body.entries.length === 1,
      10_000,
      'the par.due audit entry',
    );
    await tablet.screenshot('roll-call-par-due-768');
    expect(await tablet.overflowingElements()).toEqual([]);
    expect(await laptop.overflowingElements()).toEqual([]);

    // No snooze without a reason (three characters at least).
    const { page } = tablet;
    expect(await page.getByRole('button', { name: 'Snooze' }).isDisabled()).toBe(true);
    await page.getByLabel('Snooze reason').fill('ok');
    expect(await page.getByRole('button', { name: 'Snooze' }).isDisabled()).toBe(true);
    await page.getByLabel('Snooze (min)').fill('10');
    await page.getByLabel('Snooze reason').fill('Crews changing shift');
    await page.getByRole('button', { name: 'Snooze' }).click();
    await page
      .locator('[data-testid="par-timer"][data-due="false"]')
      .filter({ hasText: /Next PAR due in (10:00|9:\d\d)/ })
      .waitFor();
    const snoozed = await request(world.http)
      .get('/audit/entries')
      .query({ incidentId: timerIncident, action: 'par.timer_snoozed' })
      .set(...bearer(world.adminToken))
      .expect(200);
    expect(snoozed.body.entries).toHaveLength(1);
    expect(JSON.stringify(snoozed.body.entries[0].payload)).toContain('Crews changing shift');

    // Due again: a whole-incident roll call answers it, and the timer counts again from the start.
    await makeDue();
    await laptop.page.locator('[data-testid="par-timer"][data-due="true"]').waitFor({ timeout: 15_000 });
    await laptop.page.getByLabel('Scope').selectOption('');
    await laptop.page.getByLabel('Reason', { exact: true }).selectOption('timer');
    await laptop.page.getByRole('button', { name: 'Start roll call' }).click();
    await laptop.page.locator('[data-testid="par"][data-state="running"]').waitFor();
    await laptop.page
      .locator('[data-testid="par-timer"][data-due="false"]')
      .filter({ hasText: /Next PAR due in (20:00|19:\d\d)/ })
      .waitFor();
    await waitForCounts(laptop.page, { expected: 2, unaccounted: 2 });
    for (const w of [tablet, laptop]) expect(w.unexpectedProblems()).toEqual([]);
  });

  it('shows the PAR timer and snoozes it only with a reason', async () => {
    await request(world.http)
      .patch(`/incidents/${incidentId}/accountability-settings`)
      .set(...bearer(commander.token))
      .send({ parTimerMinutes: 20 })
      .expect(200);
    const tablet = await open(TABLET);
    const { page } = tablet;
    await page
      .getByTestId('par-timer')
      .filter({ hasText: /Next PAR due in (20:00|19:\d\d)/ })
      .waitFor();
    expect(await page.getByRole('button', { name: 'Snooze' }).isDisabled()).toBe(true);
    await page.getByLabel('Snooze (min)').fill('15');
    await page.getByLabel('Snooze reason').fill('Crews in transition');
    await page.getByRole('button', { name: 'Snooze' }).click();
    await page
      .getByTestId('par-timer')
      .filter({ hasText: /Next PAR due in (15:00|14:\d\d)/ })
      .waitFor();
    const after = (
      await request(world.http)
        .get(`/incidents/${incidentId}/accountability-settings`)
        .set(...bearer(commander.token))
    ).body.parTimerDueAt as string;
    expect(Math.abs(new Date(after).getTime() - Date.now() - 15 * 60_000)).toBeLessThan(60_000);
    expect(tablet.unexpectedProblems()).toEqual([]);
  });

  it('the activity log (ICS 214) lists automatic and written entries per unit, assignment or person, and exports the form', async () => {
    const tablet = await open(TABLET);
    const { page } = tablet;
    await page.goto(`${base}/app/#/activity-log?incident=${incidentId}`);
    await page.getByRole('heading', { name: 'Activity log (ICS 214)' }).waitFor();
    const entries = page.getByRole('table', { name: 'Activity log entries' });
    // The roll calls above are in the log without anyone writing them.
    await entries.locator('tr', { hasText: 'PAR started (collapse), 8 expected' }).waitFor();
    await entries.locator('tr', { hasText: 'PAR overdue' }).first().waitFor();

    // A written entry about a unit, and one about a person.
    await page.getByText('Add an entry').click();
    await page.getByLabel('About', { exact: true }).selectOption('unit');
    await page.getByLabel('Unit name').fill('Task Force 2');
    await page.getByLabel('Priority').selectOption('important');
    await page.getByLabel('What happened').fill('Searched void spaces in sector B; no victims found.');
    await page.getByRole('button', { name: 'Add to the log' }).click();
    await entries.locator('tr[data-automatic="false"]', { hasText: 'Searched void spaces in sector B' }).waitFor();
    await page.getByLabel('About', { exact: true }).selectOption('person');
    await page.getByLabel('Person').selectOption({ label: 'Crew 6' });
    await page.getByLabel('What happened').fill('Minor hand injury, treated on site.');
    await page.getByRole('button', { name: 'Add to the log' }).click();
    await entries.locator('tr', { hasText: 'Minor hand injury' }).waitFor();

    // Per unit / per person / written only.
    await page.getByLabel('Entries about').selectOption('unit');
    await page.getByLabel('Which').selectOption('Task Force 2');
    expect(await entries.locator('tbody tr').count()).toBe(1);
    expect(await entries.locator('tbody tr').textContent()).toContain('Important: Searched void spaces');
    await page.getByLabel('Entries about').selectOption('person');
    await page.getByLabel('Which').selectOption('Crew 6');
    expect(await entries.locator('tbody tr', { hasText: 'Minor hand injury' }).count()).toBe(1);
    await page.getByLabel('Entries about').selectOption('');
    await page.getByLabel('Written entries only').check();
    expect(await entries.locator('tbody tr').count()).toBe(2);
    expect(await tablet.overflowingElements()).toEqual([]);
    await tablet.screenshot('activity-log-768');

    // The exports: the CSV and the printable page carry the written entries and the automatic ones.
    for (const [button, ext] of [
      ['ICS 214 (CSV)', 'csv'],
      ['ICS 214 (printable page)', 'html'],
    ] as const) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
      expect(download.suggestedFilename()).toMatch(new RegExp(`\\.${ext}$`));
      const text = await readFile((await download.path())!, 'utf8');
      expect(text).toContain('Searched void spaces in sector B; no victims found.');
      expect(text).toContain('Minor hand injury, treated on site.');
      expect(text).toContain('PAR started (collapse), 8 expected');
      if (ext === 'html') expect(text).toMatch(/<html/i);
    }

    // The same page on a laptop.
    const laptop = await open(LAPTOP);
    await laptop.page.goto(`${base}/app/#/activity-log?incident=${incidentId}`);
    await laptop.page.getByRole('table', { name: 'Activity log entries' }).locator('tr', { hasText: 'Minor hand injury' }).waitFor();
    expect(await laptop.overflowingElements()).toEqual([]);
    for (const w of [tablet, laptop]) expect(w.unexpectedProblems()).toEqual([]);
  });

  it('someone marked missing stays on top of the board and the roll-call page after the roll call ends, until found', async () => {
    const id = await anotherIncident('Missing Searcher');
    const [lost, found] = await checkInMany(world, id, 2, 'Searcher');
    await assign(world.http, commander.token, id, lost, 'Division D');
    const board = await WatchedPage.open(browser, TABLET);
    pages.push(board);
    await signInThroughUi(board, base, commander.email, PASSWORD);
    await openSignedIn(board, `${base}/app/#/board?incident=${id}`);
    await board.page.locator(`li.card[data-deployment="${found}"]`).waitFor({ timeout: 30_000 });
    const missingBox = board.page.getByTestId('still-missing');
    expect(await missingBox.count()).toBe(0);

    // Marked missing in a roll call: the open board shows it live, on top and on the card.
    const par = (
      await request(world.http)
        .post(`/incidents/${id}/pars`)
        .set(...bearer(commander.token))
        .send({ reason: 'collapse' })
        .expect(201)
    ).body as { id: string };
    await request(world.http)
      .post(`/incidents/${id}/pars/${par.id}/acknowledgements`)
      .set(...bearer(commander.token))
      .send({ deploymentIds: [found] })
      .expect(200);
    await request(world.http)
      .post(`/incidents/${id}/pars/${par.id}/missing`)
      .set(...bearer(commander.token))
      .send({ deploymentId: lost })
      .expect(200);
    await missingBox.filter({ hasText: 'Searcher 1 (Division D): marked missing by the commander' }).waitFor();
    expect(await board.page.locator(`li.card[data-deployment="${lost}"]`).getAttribute('data-missing')).toBe('true');
    expect(await board.page.locator(`li.card[data-deployment="${lost}"]`).textContent()).toContain('MISSING');
    expect(await board.page.locator(`li.card[data-deployment="${found}"]`).getAttribute('data-missing')).toBeNull();

    // The roll call ends; a board opened afterwards, and the roll-call page, still show them.
    await request(world.http)
      .post(`/incidents/${id}/pars/${par.id}/complete`)
      .set(...bearer(commander.token))
      .expect(200);
    const rollCall = await open(TABLET, id);
    await rollCall.page.getByTestId('still-missing').filter({ hasText: 'Searcher 1' }).waitFor();
    await board.page.reload();
    await missingBox.filter({ hasText: 'Searcher 1' }).waitFor({ timeout: 30_000 });
    expect(await board.overflowingElements()).toEqual([]);

    // Found: accounted for in the next roll call, on both screens.
    const next = (
      await request(world.http)
        .post(`/incidents/${id}/pars`)
        .set(...bearer(commander.token))
        .send({ reason: 'missing_member' })
        .expect(201)
    ).body as { id: string };
    await request(world.http)
      .post(`/incidents/${id}/pars/${next.id}/acknowledgements`)
      .set(...bearer(commander.token))
      .send({ deploymentIds: [lost, found] })
      .expect(200);
    await missingBox.waitFor({ state: 'detached' });
    await rollCall.page.getByTestId('still-missing').waitFor({ state: 'detached' });
    expect(await board.page.locator(`li.card[data-deployment="${lost}"]`).getAttribute('data-missing')).toBeNull();
    for (const w of [board, rollCall]) expect(w.unexpectedProblems()).toEqual([]);
  });

  it('the board shows work and rest limits on the cards; check-out follows the ICS 221 checklist; ending rest early or releasing before the checklist is done takes a reason', async () => {
    const id = await anotherIncident('Long Shift');
    const [tired, resting, leaving, released] = await checkInMany(world, id, 4, 'Shift');
    await sql(`UPDATE deployment SET checked_in_at = now() - interval '13 hours' WHERE id = $1`, [tired]);
    await request(world.http)
      .post(`/incidents/${id}/deployments/${resting}/status`)
      .set(...bearer(commander.token))
      .send({ status: 'out_of_service', reason: 'rest' })
      .expect(200);
    await request(world.http)
      .patch(`/incidents/${id}/accountability-settings`)
      .set(...bearer(commander.token))
      .send({ maxHoursPerPeriod: 12, minRestHours: 8, demobRequired: true, demobSignoffs: ['supply'] })
      .expect(200);

    const board = await WatchedPage.open(browser, TABLET);
    pages.push(board);
    await signInThroughUi(board, base, commander.email, PASSWORD);
    await openSignedIn(board, `${base}/app/#/board?incident=${id}`);
    const { page } = board;
    const card = (deploymentId: string) => page.locator(`li.card[data-deployment="${deploymentId}"]`);
    await card(tired)
      .locator('[data-limit="hours_in_period"][data-level="breached"]')
      .filter({ hasText: 'Over the 12 h work-period limit (13.0 h)' })
      .waitFor({ timeout: 30_000 });
    expect(await card(resting).getByTestId('work-limits').textContent()).toContain('Mandatory rest: 0.0 of 8 h rested');
    expect(await card(leaving).getByTestId('work-limits').count()).toBe(0);
    expect(await card(released).getByTestId('work-limits').count()).toBe(0);
    const limitCounts = await page.getByTestId('counts-by-limit').textContent();
    expect(limitCounts).toContain('Over a work limit: 1');
    expect(limitCounts).toContain('In mandatory rest: 1');
    expect(limitCounts).not.toContain('Near a work limit');
    expect(await board.overflowingElements()).toEqual([]);

    // Assigning someone in mandatory rest asks why; the reason goes to the audit trail, and the rest pill goes.
    await card(resting).getByRole('button', { name: 'Change status' }).click();
    await card(resting).getByLabel('New status').selectOption('assigned');
    await card(resting).getByLabel('Assignment (division, group, staging area)').fill('Division R');
    const why = card(resting).getByLabel('Reason to end mandatory rest early (required)');
    await why.fill('Rescue team two short');
    await card(resting).getByRole('button', { name: 'Save status' }).click();
    await page.locator(`li.card[data-deployment="${resting}"][data-status="assigned"]`).waitFor();
    await card(resting).getByTestId('work-limits').waitFor({ state: 'detached' });
    const overridden = await request(world.http)
      .get('/audit/entries')
      .query({ incidentId: id, action: 'deployment.rest_overridden' })
      .set(...bearer(world.adminToken))
      .expect(200);
    expect(overridden.body.entries).toHaveLength(1);
    expect(overridden.body.entries[0].payload).toMatchObject({ reason: 'Rescue team two short' });

    // Check-out is a release here (ICS 221): its checklist comes first. Signed off and travel recorded: released.
    await card(released).getByRole('button', { name: 'Check out' }).click();
    const checklist = card(released).getByTestId('release');
    await checklist.getByTestId('release-state').filter({ hasText: 'Not ready: Supply sign-off, travel home.' }).waitFor();
    await checklist.getByRole('button', { name: 'Sign off Supply' }).click();
    await checklist.locator('[data-unit="supply"][data-done="true"]').filter({ hasText: 'Supply signed off by the commander' }).waitFor();
    await checklist.getByLabel('Travel home by').fill('POV');
    await checklist.getByLabel('Arriving home (estimate)').fill('2031-05-04T18:30');
    await checklist.getByRole('button', { name: 'Save travel' }).click();
    await checklist.getByTestId('release-state').filter({ hasText: 'Ready for release.' }).waitFor();
    expect(await checklist.locator('[data-unit="travel"]').textContent()).toContain('POV, arriving');
    await board.screenshot('board-release-checklist');
    await card(released).getByRole('button', { name: 'Confirm check-out of Shift 4' }).click();
    await card(released).waitFor({ state: 'detached' });

    // Before the release is complete, a commander may still release, with a reason.
    await card(leaving).getByRole('button', { name: 'Check out' }).click();
    await card(leaving).getByTestId('release-state').filter({ hasText: 'Not ready' }).waitFor();
    await card(leaving).getByLabel('Reason to release before the release process is complete (required)').fill('Family emergency at home');
    await card(leaving).getByRole('button', { name: 'Release Shift 3 anyway' }).click();
    await card(leaving).waitFor({ state: 'detached' });
    const audit = async (action: string) =>
      (
        await request(world.http)
          .get('/audit/entries')
          .query({ incidentId: id, action })
          .set(...bearer(world.adminToken))
          .expect(200)
      ).body.entries as Array<{ targetId: string; payload: Record<string, unknown> }>;
    expect((await audit('demob.release_overridden')).map((e) => [e.targetId, e.payload.reason])).toEqual([[leaving, 'Family emergency at home']]);
    expect((await audit('demob.signed_off')).map((e) => e.targetId)).toEqual([released]);
    expect((await audit('demob.travel_recorded')).map((e) => e.targetId)).toEqual([released]);
    // The deployment record, which this test's api is not set up to issue.
    expect(board.unexpectedProblems([/\/record$/])).toEqual([]);
  });

  it('at the check-in station, a check-out the release process refuses opens its checklist; once complete, the responder is checked out', async () => {
    const id = await anotherIncident('Demob Desk');
    const checkin = await staffFor(world.http, world.adminToken, id, 'checkin');
    await request(world.http)
      .patch(`/incidents/${id}/accountability-settings`)
      .set(...bearer(commander.token))
      .send({ demobRequired: true, demobSignoffs: ['supply', 'communications'] })
      .expect(200);
    const { jws } = await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Dana Demob' } });
    await request(world.http)
      .post(`/incidents/${id}/check-ins`)
      .set(...bearer(checkin.token))
      .set('Idempotency-Key', randomUUID())
      .send({ credential: jws })
      .expect(201);

    const station = await WatchedPage.open(browser, TABLET);
    pages.push(station);
    await signInThroughUi(station, base, checkin.email, 'checkin-password-123');
    await openSignedIn(station, `${base}/app/#/check-in?incident=${id}`);
    const { page } = station;
    await page.getByRole('heading', { name: 'Check-in station' }).waitFor();
    // Her badge scanned again at the desk: already checked in, so the station offers the check-out.
    await page.locator('#scan-input').fill(jws);
    await page.locator('#scan-input').press('Enter');
    const result = page.getByTestId('scan-result').filter({ hasText: 'Dana Demob' });
    await result.getByText(/Already checked in here since/).waitFor();
    await result.getByRole('button', { name: 'Check out' }).click();
    const checklist = page.getByTestId('release');
    await checklist.getByTestId('release-state').filter({ hasText: 'Not ready: Supply sign-off, Communications sign-off, travel home.' }).waitFor();
    await checklist.getByRole('button', { name: 'Sign off Supply' }).click();
    await checklist.getByRole('button', { name: 'Sign off Communications' }).click();
    await checklist.locator('[data-unit="communications"][data-done="true"]').filter({ hasText: 'signed off by the checkin' }).waitFor();
    await checklist.getByLabel('Travel home by').fill('Bus');
    await checklist.getByLabel('Arriving home (estimate)').fill('2031-05-04T09:00');
    await checklist.getByRole('button', { name: 'Save travel' }).click();
    await checklist.getByTestId('release-state').filter({ hasText: 'Ready for release.' }).waitFor();
    await result.getByRole('button', { name: 'Check out' }).click();
    await result.getByText(/Checked out at /).waitFor();
    expect(await checklist.count()).toBe(0);
    expect(await station.overflowingElements()).toEqual([]);
    // The refused check-out, and the deployment record this test's api is not set up to issue.
    expect(station.unexpectedProblems([/\/check-out$/, /\/record$/])).toEqual([]);
  });

  it('a commander sets the incident rules and the supervisors’ divisions from the roll-call page', async () => {
    const id = await anotherIncident('Rules Collapse');
    const supervisor = await createUser(world.http, world.adminToken, 'supervisor');
    await request(world.http)
      .post(`/incidents/${id}/staff`)
      .set(...bearer(world.adminToken))
      .send({ userId: supervisor.id })
      .expect(204);
    const settings = async (): Promise<Record<string, unknown>> =>
      (
        await request(world.http)
          .get(`/incidents/${id}/accountability-settings`)
          .set(...bearer(commander.token))
          .expect(200)
      ).body as Record<string, unknown>;
    const w = await open(TABLET, id);
    const { page } = w;
    const rules = page.getByTestId('incident-rules');
    expect(await page.getByTestId('par-timer').count()).toBe(0);

    await rules.getByText('Incident rules: PAR timer, work and rest limits, release').click();
    await rules.getByLabel('PAR timer (minutes)').fill('20');
    await rules.getByLabel('Days on incident, at most').fill('14');
    await rules.getByLabel('Hours per work period, at most').fill('16');
    await rules.getByLabel('Rest between periods, at least (hours)').fill('8');
    await rules.getByLabel('Check-out is a release (ICS 221)').check();
    await rules.getByLabel('Units that sign off before release').fill('supply, communications, , supply, medical');
    await rules.getByRole('button', { name: 'Save rules' }).click();
    await rules.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    // The timer now counts down on the page.
    await page.getByTestId('par-timer').filter({ hasText: 'Next PAR due in' }).waitFor();
    expect(await settings()).toMatchObject({
      parTimerMinutes: 20,
      maxDaysOnIncident: 14,
      maxHoursPerPeriod: 16,
      minRestHours: 8,
      demobRequired: true,
      demobSignoffs: ['supply', 'communications', 'medical'],
    });
    // A blank field turns its rule off.
    await rules.getByLabel('Days on incident, at most').fill('');
    await rules.getByRole('button', { name: 'Save rules' }).click();
    await eventually(async () => (await settings()).maxDaysOnIncident === null, 10_000, 'days limit turned off');
    expect(await settings()).toMatchObject({ parTimerMinutes: 20, maxHoursPerPeriod: 16 });

    const supervisors = page.getByTestId('supervisor-assignments');
    await supervisors.getByText('Division and group supervisors').click();
    const row = supervisors.getByRole('form', { name: 'Assignments of Test supervisor' });
    await row.getByLabel(`Test supervisor (${supervisor.email}): divisions and groups`).fill('Medical Group, Division A');
    await row.getByRole('button', { name: 'Save' }).click();
    await row.getByRole('status').filter({ hasText: 'Answers for Division A, Medical Group.' }).waitFor();
    const assigned = await request(world.http)
      .get(`/incidents/${id}/supervisors`)
      .set(...bearer(commander.token))
      .expect(200);
    expect(assigned.body).toEqual([{ userId: supervisor.id, assignments: ['Division A', 'Medical Group'] }]);
    await w.screenshot('roll-call-incident-rules');
    expect(await w.overflowingElements()).toEqual([]);
    expect(w.unexpectedProblems()).toEqual([]);
  });
});
