import { startLicenceBoard, type LicenceBoard } from '../apps/licence-board/src';
import { createUser, freePort } from './support/test-app';
import { buildWebApp, launchChromium, signInThroughUi, TABLET, WatchedPage } from './support/web-browser';
import { createIncident, startWorld, type World } from './support/world';
import request from 'supertest';
import type { Browser } from 'playwright-core';
import { bearer } from './support/test-app';

jest.setTimeout(180_000);

/** Licence-number check-in on the station page, in a real browser, against the simulated licence board. */
describe('licence-number check-in at the station (browser)', () => {
  let board: LicenceBoard;
  let world: World;
  let web: { dir: string; remove(): Promise<void> };
  let browser: Browser;
  let page: WatchedPage;
  let incidentId: string;

  beforeAll(async () => {
    web = await buildWebApp();
    board = await startLicenceBoard({ noticeSecret: 'browser-test-notice-secret', latencyMs: 5 });
    const port = await freePort();
    const sources = [
      { id: 'nursys', kind: 'nursys', name: 'Nurse licensure database', baseUrl: board.url, states: ['FL', 'GA', 'TX'], professions: ['RN', 'LPN', 'APRN'] },
    ];
    world = await startWorld('ps_browser', { listen: true, port, trust: [], env: { WEB_DIR: web.dir, PRIMARY_SOURCES: JSON.stringify(sources) } });
    const incident = await createIncident(world.http, world.adminToken);
    incidentId = incident.id;
    const staff = await createUser(world.http, world.adminToken, 'checkin');
    await request(world.http)
      .post(`/incidents/${incident.id}/staff`)
      .set(...bearer(world.adminToken))
      .send({ userId: staff.id })
      .expect(204);
    browser = await launchChromium();
    page = await WatchedPage.open(browser, TABLET);
    await signInThroughUi(page, world.api.url!, staff.email, 'checkin-password-123');
  });

  afterAll(async () => {
    await page?.close();
    await browser?.close();
    await world?.close();
    await board?.close();
    await web?.remove();
  });

  it('checks a nurse in by licence number with the two-IDs statement, and says it was verified with the primary source', async () => {
    const p = page.page;
    await p.getByRole('heading', { name: 'Check-in station' }).waitFor();
    await p.getByText('No badge? Check a licence number with the licensing board').click();
    const check = p.getByRole('button', { name: 'Check licence' });
    await p.getByLabel('Licence number', { exact: true }).fill('RN271828');
    await p.getByLabel('State (2 letters)').fill('ga');
    await p.getByLabel('Profession').selectOption('RN');
    // Without the staff member's statement the form cannot be sent.
    expect(await check.isDisabled()).toBe(true);
    await p.getByLabel(/I have seen two forms of ID/).check();
    await check.click();
    const result = p.getByTestId('scan-result');
    await result.waitFor();
    expect(await result.getAttribute('data-decision')).toBe('admitted');
    expect(await p.getByTestId('result-name').textContent()).toBe('Ellen Marsh');
    const primary = await p.getByTestId('result-primary-source').textContent();
    expect(primary).toMatch(/^Verified with the primary source \(Nurse licensure database\) at /);
    expect(primary).toContain('two forms of ID seen by staff');
    await page.screenshot('licence-check-in-admitted');

    // A suspended licence is refused, with the board's word for it.
    await p.getByLabel('Licence number', { exact: true }).fill('RN314159');
    await p.getByLabel(/I have seen two forms of ID/).check();
    await check.click();
    await p.locator('[data-testid="scan-result"][data-decision="denied"]').waitFor();
    expect(await p.getByTestId('result-reasons').textContent()).toContain('suspended');
    expect(page.unexpectedProblems()).toEqual([]);
  });

  it('verifies a pending walk-up volunteer in place by licence number from the walk-up desk', async () => {
    await request(world.http)
      .post(`/incidents/${incidentId}/walk-ups`)
      .set(...bearer(world.adminToken))
      .send({ name: 'Ana Torres', contact: '+1 404 555 0123', claimedQualifications: ['RN'], idSeen: { type: 'Passport', statement: 'Photo matches.' } })
      .expect(201);
    const p = page.page;
    await p.reload();
    const item = p.locator('[data-testid="walk-up"]').filter({ hasText: 'Ana Torres' });
    await item.waitFor();
    expect(await item.getAttribute('data-status')).toBe('pending_verification');
    const verify = item.getByRole('button', { name: 'Verify by licence' });
    await item.getByLabel('Ana Torres: licence number').fill('845120');
    await item.getByLabel('Ana Torres: licence state').fill('tx');
    await item.getByLabel('Ana Torres: profession').selectOption('RN');
    expect(await verify.isDisabled()).toBe(true);
    await item.getByLabel('Two forms of ID seen for Ana Torres').check();
    await verify.click();
    await p.locator('[data-testid="walk-up"][data-status="verified"]').filter({ hasText: 'Ana Torres' }).waitFor();
    expect(await p.locator('[data-testid="walk-up"]').filter({ hasText: 'Ana Torres' }).textContent()).toContain('Verified: RN');
    expect(page.unexpectedProblems()).toEqual([]);
  });
});
