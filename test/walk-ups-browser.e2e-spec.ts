import request from 'supertest';
import type { Browser } from 'playwright-core';
import { GENERAL_SUPPORT } from '@app/incidents';
import { bearer, createUser } from './support/test-app';
import { createIncident, startWorld, type IncidentFixture, type World } from './support/world';
import { buildWebApp, launchChromium, signInThroughUi, TABLET, WatchedPage } from './support/web-browser';

/**
 * The walk-up desk on the check-in station in a real browser: intake of a volunteer without a badge, the
 * pending-verification marker on the commander's board, the printable temporary badge scanned back at the station,
 * and the volunteer verified in place by a credential.
 */
jest.setTimeout(120_000);
describe('walk-up desk in a browser', () => {
  let world: World;
  let web: { dir: string; remove(): Promise<void> };
  let browser: Browser;
  let incident: IncidentFixture;
  let base: string;
  const pages: WatchedPage[] = [];
  const users = { checkin: { email: '', password: 'checkin-password-123' }, commander: { email: '', password: 'commander-password-123' } };

  beforeAll(async () => {
    web = await buildWebApp();
    world = await startWorld('walkupweb', {
      listen: true,
      env: { WEB_DIR: web.dir },
      trust: [{ slug: 'fl-nursing', jurisdictions: ['US-FL'], qualifications: ['RN'] }],
    });
    base = world.api.url!;
    incident = await createIncident(world.http, world.adminToken, {
      name: 'Tampa Bay Flooding',
      positions: [
        { name: 'Shelter Support', requiredQualifications: [GENERAL_SUPPORT] },
        { name: 'Triage Nurse', requiredQualifications: ['RN'] },
      ],
    });
    for (const role of ['checkin', 'commander'] as const) {
      const user = await createUser(world.http, world.adminToken, role);
      await request(world.http)
        .post(`/incidents/${incident.id}/staff`)
        .set(...bearer(world.adminToken))
        .send({ userId: user.id })
        .expect(204);
      users[role].email = user.email;
    }
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const p of pages) await p.close().catch(() => undefined);
    await browser?.close();
    await world?.close();
    await web?.remove();
  });

  it('takes a walk-up in, prints their temporary badge, admits it at the scanner and verifies them in place', async () => {
    const board = await WatchedPage.open(browser, TABLET);
    pages.push(board);
    await signInThroughUi(board, base, users.commander.email, users.commander.password);
    await board.page.locator('[data-testid="connection"][data-state="online"]').waitFor();

    const station = await WatchedPage.open(browser);
    pages.push(station);
    await signInThroughUi(station, base, users.checkin.email, users.checkin.password);
    const { page } = station;
    await page.getByRole('heading', { name: 'Check-in station' }).waitFor();
    await page.getByText('No walk-ups at this incident.').waitFor();

    await page.getByText('Take in a walk-up volunteer (no badge)').click();
    await page.getByLabel('Full name').fill('Sam Rivera');
    await page.getByLabel('Phone or e-mail').fill('+1 813 555 0199');
    await page.getByLabel('Qualifications they claim (e.g. RN, EMT)').fill('rn');
    await page.getByLabel('ID seen').selectOption('Driver licence');
    await page.getByLabel('What you checked (your statement)').fill('Photo and name match the form.');
    await page.getByLabel('General-support position').selectOption({ label: 'Shelter Support' });
    // Only general-support positions are offered.
    expect(await page.locator('#wu-position option').allTextContents()).toEqual(['None yet', 'Shelter Support']);
    await page.getByRole('button', { name: 'Check in as walk-up' }).click();
    await page.getByText('Sam Rivera is checked in, pending verification.').waitFor();
    const item = page.locator('[data-testid="walk-up"]').filter({ hasText: 'Sam Rivera' });
    await item.waitFor();
    expect(await item.getAttribute('data-status')).toBe('pending_verification');
    expect(await item.textContent()).toContain('Claims RN');

    // The board shows the volunteer live, marked pending verification, without their contact.
    const card = board.page.locator('li.card').filter({ hasText: 'Sam Rivera' });
    await card.locator('[data-testid="pending-verification"]').waitFor();
    expect(await card.textContent()).toContain('Shelter Support');
    expect(await card.textContent()).not.toContain('555 0199');

    await item.getByRole('button', { name: 'Print temporary badge' }).click();
    const badge = page.locator('[data-testid="walk-up-badge"]');
    await badge.waitFor();
    expect(await badge.textContent()).toContain('TEMPORARY INCIDENT BADGE');
    expect(await badge.textContent()).toContain('Tampa Bay Flooding');
    expect(await badge.locator('svg').count()).toBe(1);
    await station.screenshot('walk-up-badge');

    // The badge as the scanner reads it (the same JWS the QR code holds): admitted, pending verification.
    const walkUps = await request(world.http)
      .get(`/incidents/${incident.id}/walk-ups`)
      .set(...bearer(world.adminToken))
      .expect(200);
    const issued = await request(world.http)
      .post(`/incidents/${incident.id}/walk-ups/${walkUps.body[0].id}/badge`)
      .set(...bearer(world.adminToken))
      .send({})
      .expect(200);
    await page.locator('#scan-input').fill(issued.body.token);
    await page.locator('#scan-input').press('Enter');
    const result = page.locator('[data-testid="scan-result"][data-decision="admitted_with_warnings"]');
    await result.waitFor();
    expect(await result.locator('[data-testid="result-name"]').textContent()).toBe('Sam Rivera');
    expect(await result.locator('[data-code="walk_up_pending_verification"]').count()).toBe(1);

    // Verified in place by a credential: the same person, no marker on the board any more.
    const { jws } = await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Sam Rivera' } });
    await item.getByPlaceholder('Scan their credential to verify').fill(jws);
    await item.getByRole('button', { name: 'Verify by credential' }).click();
    await page.locator('[data-testid="walk-up"][data-status="verified"]').filter({ hasText: 'Verified: RN' }).waitFor();
    await card.locator('[data-testid="pending-verification"]').waitFor({ state: 'detached' });
    expect(await card.textContent()).toContain('RN');
    await station.screenshot('walk-up-verified');

    expect(station.unexpectedProblems()).toEqual([]);
    expect(board.unexpectedProblems()).toEqual([]);
  });
});
