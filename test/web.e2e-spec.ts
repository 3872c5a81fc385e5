import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { bearer, createUser, freePort } from './support/test-app';
import { REVERIFY_TEST_ENV, startWorker, type TestWorker } from './support/reverification';
import { createIncident, startWorld, type IncidentFixture, type World } from './support/world';
import { buildWebApp, launchChromium, NetworkCable, signInThroughUi, TABLET, WatchedPage, writeQrVideo } from './support/web-browser';
import type { Browser } from 'playwright-core';
import { describeQualification, vctOf } from '../apps/issuer/src';

/**
 * The web app in a real browser (headless chromium, chosen by chromiumExecutable): sign-in, the check-in station
 * through the scanner field, the commander board live over the websocket (including a network drop), the verify,
 * audit and admin pages, at laptop and 768 px tablet sizes, with no console errors. Screenshots go to
 * test-artifacts/web/.
 */
jest.setTimeout(90_000);
describe('web app in a browser', () => {
  let world: World;
  let worker: TestWorker;
  let web: { dir: string; remove(): Promise<void> };
  let browser: Browser;
  let incident: IncidentFixture;
  let base: string;
  const users: Record<'checkin' | 'commander' | 'auditor' | 'admin', { email: string; password: string }> = {
    checkin: { email: '', password: 'checkin-password-123' },
    commander: { email: '', password: 'commander-password-123' },
    auditor: { email: '', password: 'auditor-password-123' },
    admin: { email: 'admin@test.example', password: 'admin-password-123' },
  };
  const credentials: Record<'ana' | 'ben' | 'rev', { jws: string; statusIndex: number }> = {} as never;
  const pages: WatchedPage[] = [];
  let station: WatchedPage;
  let board: WatchedPage;

  const openPage = async (viewport?: { width: number; height: number }): Promise<WatchedPage> => {
    const page = await WatchedPage.open(browser, viewport);
    pages.push(page);
    return page;
  };

  beforeAll(async () => {
    web = await buildWebApp();
    // The agency issues deployment records; its did:web is this api, so the port is chosen first.
    const port = await freePort();
    world = await startWorld('web', {
      listen: true,
      port,
      env: { ...REVERIFY_TEST_ENV, WEB_DIR: web.dir, RECORDS_ISSUER_DID: `did:web:127.0.0.1%3A${port}`, RECORDS_ISSUER_JURISDICTION: 'US-FL' },
      trust: [],
    });
    worker = await startWorker(world.env.env);
    base = world.api.url!;
    // The trust registry, seeded through its admin API: Florida's nursing and EMS boards, and the national registry.
    for (const [slug, qualifications] of [
      ['fl-nursing', ['RN', 'LPN', 'APRN']],
      ['fl-ems', ['PARAMEDIC', 'EMT']],
      ['nremt', ['PARAMEDIC', 'EMT']],
    ] as const) {
      const b = world.issuer.board(slug);
      await request(world.http)
        .post('/trust/issuers')
        .set(...bearer(world.adminToken))
        .send({ id: b.did, name: b.name, jurisdictions: ['US-FL'], qualifications })
        .expect(201);
    }
    // An SD-JWT VC names its qualification by vct alone: the registry learns the EMT vct of the demo boards.
    const list = await request(world.http)
      .get('/trust/list')
      .set(...bearer(world.adminToken))
      .expect(200);
    const emtVct = vctOf(describeQualification('EMT', 'state-board').name);
    const qualifications = (list.body.qualifications as Array<{ code: string; rules: unknown[] }>).map((q) =>
      q.code === 'EMT' ? { ...q, rules: [...q.rules, { vct: emtVct }] } : q,
    );
    await request(world.http)
      .put('/trust/list')
      .set(...bearer(world.adminToken))
      .send({ ...list.body, qualifications })
      .expect(200);
    incident = await createIncident(world.http, world.adminToken, { name: 'Surfside Building Collapse' });
    for (const role of ['checkin', 'commander'] as const) {
      const user = await createUser(world.http, world.adminToken, role);
      await request(world.http)
        .post(`/incidents/${incident.id}/staff`)
        .set(...bearer(world.adminToken))
        .send({ userId: user.id })
        .expect(204);
      users[role].email = user.email;
    }
    const auditor = await createUser(world.http, world.adminToken, 'auditor', { jurisdictions: ['US-FL'] });
    users.auditor.email = auditor.email;

    const nursing = world.issuer.board('fl-nursing');
    credentials.ana = await nursing.issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Ana Diaz' } });
    credentials.ben = await world.issuer.board('fl-ems').issue({ format: 'ob3-jwt', qualification: 'PARAMEDIC', subject: { name: 'Ben Okafor' } });
    credentials.rev = await nursing.issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Rita Revoked' } });
    // Revoked before anything reads the list, so no cached copy can predate the revocation.
    nursing.revoke(credentials.rev.statusIndex);

    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const p of pages) await p.close().catch(() => undefined);
    await browser?.close();
    await worker?.close();
    await world?.close();
    await web?.remove();
  });

  /** Every page must have run without console errors (expected HTTP failures named per page). */
  const expectClean = (page: WatchedPage, expectedFailures: RegExp[] = []): void => {
    expect(page.unexpectedProblems(expectedFailures)).toEqual([]);
    page.clearProblems();
  };

  it('serves the app under /app/ with the strict CSP, and sends / there', async () => {
    const root = await request(world.http).get('/').expect(302);
    expect(root.headers.location).toBe('/app/');
    const index = await request(world.http).get('/app/').expect(200);
    expect(index.headers['content-type']).toMatch(/text\/html/);
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    const script = /src="([^"]+\.js)"/.exec(index.text)![1];
    const asset = await request(world.http).get(`/app/${script}`).expect(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    // API routes stay behind the deny-by-default guard.
    await request(world.http).get('/users').expect(401);
  });

  it('signs in and opens the check-in station for check-in staff', async () => {
    station = await openPage();
    const { page } = station;
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await station.screenshot('sign-in');
    await page.getByLabel('E-mail').fill(users.checkin.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Sign-in failed' }).waitFor();
    await page.getByLabel('Password').fill(users.checkin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Check-in station' }).waitFor();
    expect(page.url()).toContain('#/check-in');
    // The only incident is chosen; the scanner field has the focus, ready for a handheld scanner.
    await page.getByText('Ready to scan').waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('scan-input');
    await station.screenshot('check-in-ready');
    expectClean(station, [/\/auth\/token$/]);
  });

  it('a commander opens the live board on another device', async () => {
    board = await openPage();
    await signInThroughUi(board, base, users.commander.email, users.commander.password);
    const { page } = board;
    await page.getByRole('heading', { name: 'Commander board' }).waitFor();
    await page.locator('[data-testid="connection"][data-state="online"]').waitFor();
    await page.getByText('Nobody is checked in yet.').waitFor();
    expectClean(board);
  });

  it('a valid badge typed in by the scanner is ADMITTED, and the board shows the responder without reloading', async () => {
    const { page } = station;
    // A handheld scanner types the badge's content into the focused field and presses Enter.
    await page.getByLabel('Position for the next scans').selectOption({ label: 'Triage Nurse – needs RN or APRN' });
    // It "types" into whatever has the focus: the station keeps it on the scanner field. (Most characters are
    // inserted at once to keep the test quick; the last ones are real key presses, then Enter.)
    await page.locator('body').click({ position: { x: 5, y: 5 } }); // focus elsewhere: typing must still land in the field
    const jws = credentials.ana.jws;
    await page.keyboard.type(jws.slice(0, 1));
    await page.keyboard.insertText(jws.slice(1, -20));
    await page.keyboard.type(jws.slice(-20));
    await page.keyboard.press('Enter');
    const result = page.locator('[data-testid="scan-result"][data-decision="admitted"]');
    await result.waitFor();
    expect((await result.locator('#result-word').textContent())?.trim()).toBe('✔ ADMITTED');
    expect(await result.getByTestId('result-name').textContent()).toBe('Ana Diaz');
    const text = await result.textContent();
    expect(text).toContain('RN');
    expect(text).toContain(world.issuer.board('fl-nursing').name); // the registry's name for the issuer
    expect(text).toContain('Triage Nurse');
    // Announced for screen readers, and the field is ready for the next badge.
    expect(await page.locator('#announcer').textContent()).toContain('ADMITTED: Ana Diaz');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('scan-input');
    await page.getByTestId('recent-scans').getByText('Ana Diaz').waitFor();
    await station.screenshot('check-in-admitted');

    // The board was opened before the check-in and is not reloaded.
    await board.page.getByTestId('roster').getByText('Ana Diaz').waitFor();
    expect(await board.page.locator('[data-qualification="RN"]').textContent()).toBe('RN: 1');
    await board.screenshot('board-one-responder');
    expectClean(station);
    expectClean(board);
  });

  it('a revoked badge is DENIED with the reason in plain words', async () => {
    const { page } = station;
    await page.getByLabel('Position for the next scans').selectOption({ label: 'Any (by qualification)' });
    await page.locator('#scan-input').fill(credentials.rev.jws);
    await page.locator('#scan-input').press('Enter');
    const result = page.locator('[data-testid="scan-result"][data-decision="denied"]');
    await result.waitFor();
    expect(await result.locator('#result-word').textContent()).toContain('DENIED');
    expect(await result.getByTestId('result-name').textContent()).toBe('Rita Revoked');
    const reasons = result.getByTestId('result-reasons');
    expect(await reasons.locator('[data-code="revoked"]').count()).toBe(1);
    expect((await reasons.textContent())?.toLowerCase()).toContain('revoked');
    await station.screenshot('check-in-denied');
    // The board hears about denials too.
    await board.page.getByText('Denied at check-in').waitFor();
    expectClean(station);
  });

  it('the check-in station works with the keyboard alone', async () => {
    const { page } = station;
    const kira = await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Kira Keys' } });
    /** Presses Tab (or Shift+Tab) until the element with this id has the focus. */
    const tabTo = async (id: string, back = false): Promise<void> => {
      for (let i = 0; i < 40; i++) {
        if ((await page.evaluate(() => document.activeElement?.id)) === id) return;
        await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
      }
      throw new Error(`Tab never reached #${id}`);
    };
    await page.locator('#scan-input').focus();
    await tabTo('station-position', true);
    await page.keyboard.press('T'); // a closed select jumps to the option starting with T: Triage Nurse
    expect(await page.locator('#station-position option:checked').textContent()).toContain('Triage Nurse');
    await tabTo('scan-input');
    await page.keyboard.insertText(kira.jws);
    await page.keyboard.press('Enter');
    const result = page.locator('[data-testid="scan-result"][data-decision="admitted"]');
    await result.getByTestId('result-name').filter({ hasText: 'Kira Keys' }).waitFor();
    expect(await result.textContent()).toContain('Triage Nurse');
    // On to the ICS 211 details of the person just admitted, type the order number, Enter saves.
    await tabTo('dep-order');
    await page.keyboard.type('ORD-2026-0042');
    await page.keyboard.press('Enter');
    await result.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const deployments = await request(world.http)
      .get(`/incidents/${incident.id}/deployments`)
      .set(...bearer(world.adminToken))
      .expect(200);
    const kiras = (deployments.body as Array<{ responder: { name: string }; ics211: { orderRequestNumber?: string } }>).find(
      (d) => d.responder.name === 'Kira Keys',
    );
    expect(kiras?.ics211.orderRequestNumber).toBe('ORD-2026-0042');
    await page.getByLabel('Position for the next scans').selectOption({ label: 'Any (by qualification)' });
    expectClean(station);
  });

  // The shape of what is scanned: each format as the issuer hands it out (vc+jwt and ob3-jwt are scanned above).
  const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;
  const SD_JWT = /^[\w-]+\.[\w-]+\.[\w-]+(~[\w-]+)+~$/;
  const proofOf = (suite: string) => (text: string) =>
    expect(JSON.parse(text)).toMatchObject({ type: ['VerifiableCredential', 'OpenBadgeCredential'], proof: { cryptosuite: suite } });
  it.each([
    ['a VC-JWT 1.1 (credential in the vc claim)', 'jwt-vc', 'fl-nursing', 'RN', 'Lena Vogt', (t: string) => expect(t).toMatch(JWT)],
    ['a Data Integrity credential (JSON, eddsa-rdfc-2022)', 'ldp-vc', 'nremt', 'PARAMEDIC', 'Dev Mistry', proofOf('eddsa-rdfc-2022')],
    ['a Data Integrity credential (JSON, ecdsa-rdfc-2019)', 'ldp-vc', 'fl-ems', 'PARAMEDIC', 'Ines Carvalho', proofOf('ecdsa-rdfc-2019')],
    [
      'a JSON-LD presentation by its holder (eddsa-rdfc-2022, enclosing a Data Integrity credential)',
      'ldp-vp',
      'nremt',
      'EMT',
      'Tomas Herrera',
      (t: string) =>
        expect(JSON.parse(t)).toMatchObject({
          type: ['VerifiablePresentation'],
          holder: expect.stringMatching(/^did:key:/),
          proof: { proofPurpose: 'authentication', cryptosuite: 'eddsa-rdfc-2022' },
          verifiableCredential: [{ proof: { proofPurpose: 'assertionMethod', cryptosuite: 'eddsa-rdfc-2022' } }],
        }),
    ],
    ['an SD-JWT VC (with its Disclosures)', 'dc+sd-jwt', 'fl-ems', 'EMT', 'Sol Ferreira', (t: string) => expect(t).toMatch(SD_JWT)],
    [
      'an SD-JWT VC in the JSON serialization (flattened, its Disclosures in the unprotected header)',
      'dc+sd-jwt-json',
      'fl-ems',
      'EMT',
      'Rui Almeida',
      (t: string) =>
        expect(JSON.parse(t)).toEqual({
          protected: expect.stringMatching(/^[\w-]+$/),
          payload: expect.stringMatching(/^[\w-]+$/),
          signature: expect.stringMatching(/^[\w-]+$/),
          header: { disclosures: [expect.stringMatching(/^[\w-]+$/), expect.stringMatching(/^[\w-]+$/)] },
        }),
    ],
  ] as const)('%s typed or pasted into the scan field is ADMITTED', async (_what, format, slug, qualification, name, shape) => {
    const { page } = station;
    const issuer = world.issuer.board(slug);
    const badge = await issuer.issue({ format, qualification, subject: { name } });
    shape(badge.jws);
    // Typed in as it is, with the focus elsewhere: the JSON text (braces, quotes, spaces) or the SD-JWT with its
    // ~-separated Disclosures. The first key moves the focus to the scan field, which takes the rest.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.type(badge.jws.slice(0, 1));
    await page.keyboard.insertText(badge.jws.slice(1));
    expect(await page.locator('#scan-input').inputValue()).toBe(badge.jws);
    await page.keyboard.press('Enter');
    const result = page.locator('[data-testid="scan-result"][data-decision="admitted"]');
    await result.getByTestId('result-name').filter({ hasText: name }).waitFor();
    const text = await result.textContent();
    expect(text).toContain(qualification);
    expect(text).toContain(issuer.name);
    await board.page.getByTestId('roster').getByText(name).waitFor();
    const scans = await request(world.http)
      .get(`/incidents/${incident.id}/check-ins?limit=50`)
      .set(...bearer(world.adminToken))
      .expect(200);
    expect((scans.body as Array<{ name: string | null; decision: string }>).filter((s) => s.name === name).map((s) => s.decision)).toEqual(['admitted']);
    expectClean(station);
  });

  it('the board reconnects after a network drop and catches up on what it missed', async () => {
    // A second board reached through a TCP proxy that the test can cut: a real network drop for this page only.
    const cable = new NetworkCable(Number(new URL(base).port));
    const proxied = await cable.plugIn();
    const remote = await openPage(TABLET);
    try {
      await signInThroughUi(remote, proxied, users.commander.email, users.commander.password);
      await remote.page.locator('[data-testid="connection"][data-state="online"]').waitFor();
      await remote.page.getByTestId('roster').getByText('Ana Diaz').waitFor();

      await cable.cut();
      await remote.page.getByTestId('offline-banner').waitFor();
      await remote.screenshot('board-offline-tablet');

      // While it is offline, Ben checks in at the station.
      await station.page.locator('#scan-input').fill(credentials.ben.jws);
      await station.page.locator('#scan-input').press('Enter');
      await station.page
        .locator('[data-testid="scan-result"][data-decision="admitted"]')
        .getByTestId('result-name')
        .filter({ hasText: 'Ben Okafor' })
        .waitFor();

      await cable.plugIn();
      await remote.page.locator('[data-testid="connection"][data-state="online"]').waitFor({ timeout: 30_000 });
      await remote.page.getByTestId('roster').getByText('Ben Okafor').waitFor();
      expect(await remote.page.getByTestId('offline-banner').count()).toBe(0);
      // The dropped connection's failed requests are the only errors this page may show.
      expect(remote.unexpectedProblems().filter((p) => !/ERR_CONNECTION|socket\.io|WebSocket/i.test(p.text))).toEqual([]);
    } finally {
      await cable.cut();
    }
  });

  it('commanders change a status and check a responder out from the board', async () => {
    const { page } = board;
    const card = page.locator('.card', { hasText: 'Ana Diaz' });
    await card.getByRole('button', { name: 'Change status' }).click();
    await card.getByLabel('New status').selectOption('assigned');
    await card.getByLabel('Assignment (division, group, staging area)').fill('Division A');
    await card.getByRole('button', { name: 'Save status' }).click();
    await page.getByRole('heading', { name: /Assigned – Division A/ }).waitFor();
    await card.getByRole('button', { name: 'History' }).click();
    await card
      .locator('.history')
      .getByText(/Available → Assigned \(Division A\)/)
      .waitFor();
    await board.screenshot('board-assigned');

    // Check-out from the board: the card leaves the roster (on every board) once confirmed.
    const kira = page.locator('.card', { hasText: 'Kira Keys' });
    await kira.getByRole('button', { name: 'Check out' }).click();
    await kira.getByLabel('Check-out note (optional)').fill('End of shift');
    await kira.getByRole('button', { name: 'Confirm check-out of Kira Keys' }).click();
    await kira.waitFor({ state: 'detached' });
    expect(await page.getByTestId('counts').textContent()).toContain('8 on scene'); // Ana, Ben, and one per format scanned above
    // The commander hands over Kira's deployment record from the board.
    const released = page.getByTestId('released');
    await released.getByTestId('deployment-record').locator('svg').waitFor();
    expect(await released.getByTestId('record-download-jwt').count()).toBe(1);
    await released.getByRole('button', { name: 'Close' }).click();
    await released.waitFor({ state: 'detached' });
    expectClean(board);
  });

  it('a commander finds a responder by name, qualification or assignment, accents and case aside', async () => {
    const { page } = board;
    const cards = page.getByTestId('roster').locator('li.card');
    const names = async (): Promise<string[]> => (await cards.locator('.card-name').allTextContents()).map((n) => n.trim()).sort();
    const everyone = await cards.count();
    expect(everyone).toBe(8);

    const search = page.getByLabel('Find a responder');
    await search.fill('DÍAZ');
    await page.getByTestId('roster-shown').filter({ hasText: 'Showing 1 of 8.' }).waitFor();
    expect(await names()).toEqual(['Ana Diaz']);
    await search.fill('division a');
    await page.getByTestId('roster-shown').filter({ hasText: 'Showing 1 of 8.' }).waitFor();
    expect(await names()).toEqual(['Ana Diaz']);
    await search.fill('no such person');
    await page.getByText('Nobody on this board matches.').waitFor();

    // A qualification's count is a filter too; the search narrows within it.
    await search.fill('');
    const paramedics = page.getByTestId('counts-by-qualification').locator('[data-qualification="PARAMEDIC"]').getByRole('button');
    const n = Number(await paramedics.locator('strong').textContent());
    expect(n).toBeGreaterThan(0);
    await paramedics.click();
    expect(await paramedics.getAttribute('aria-pressed')).toBe('true');
    await page
      .getByTestId('roster-shown')
      .filter({ hasText: `Showing ${n} of 8.` })
      .waitFor();
    for (const line of await cards.locator('.card-line strong').allTextContents()) expect(line).toContain('PARAMEDIC');
    await search.fill('okafor');
    await page.getByTestId('roster-shown').filter({ hasText: 'Showing 1 of 8.' }).waitFor();
    expect(await names()).toEqual(['Ben Okafor']);
    expect(await board.overflowingElements()).toEqual([]);

    await page.getByRole('button', { name: 'Show everyone' }).click();
    await page.getByTestId('roster-shown').waitFor({ state: 'detached' });
    expect(await cards.count()).toBe(everyone);
    expect(await search.inputValue()).toBe('');
    expectClean(board);
  });

  it('check-out at the station hands over the deployment record; scanned later, it shows prior deployments and admits no one', async () => {
    const { page } = station;
    const rosa = await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Rosa Record' } });
    await page.getByLabel('Position for the next scans').selectOption({ label: 'Any (by qualification)' });
    await page.locator('#scan-input').fill(rosa.jws);
    await page.locator('#scan-input').press('Enter');
    const admitted = page.locator('[data-testid="scan-result"][data-decision="admitted"]', { hasText: 'Rosa Record' });
    await admitted.waitFor();
    await admitted.getByRole('button', { name: 'Check out' }).click();
    const record = page.getByTestId('deployment-record');
    await record.locator('svg').waitFor();
    expect(await record.getByRole('img', { name: 'QR code of the deployment record' }).count()).toBe(1);
    expect(await page.getByTestId('record-download-json').getAttribute('download')).toMatch(/^deployment-record-.+\.json$/);
    expect(await page.getByTestId('record-download-jwt').getAttribute('download')).toMatch(/\.jwt$/);
    // The download is what the responder keeps: the signed record.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('record-download-jwt').click()]);
    const jwt = (await readFile(await download.path(), 'utf8')).trim();
    expect(jwt.split('.')).toHaveLength(3);
    await station.screenshot('check-out-record');

    await page.locator('#scan-input').fill(jwt);
    await page.locator('#scan-input').press('Enter');
    const denied = page.locator('[data-testid="scan-result"][data-decision="denied"]');
    await denied.waitFor();
    expect(await denied.getByTestId('result-reasons').locator('[data-code="deployment_record"]').count()).toBe(1);
    expect(await denied.getByTestId('deployment-history-summary').textContent()).toContain('Rosa Record: 1 deployment, 1 day in total.');
    await station.screenshot('record-history');
    expectClean(station);
  });

  it('a revocation picked up by reverification shows the flag on the board, with an alert', async () => {
    const { page } = board;
    world.issuer.board('fl-nursing').revoke(credentials.ana.statusIndex);
    await new Promise((r) => setTimeout(r, 1100)); // past the demo issuer's status list ttl (1 s)
    await page.getByRole('button', { name: 'Reverify now' }).click();
    // The run is followed on the board (GET /jobs/:id and reverify.progress)...
    await page.getByTestId('reverify-status').filter({ hasText: 'Reverification finished' }).waitFor({ timeout: 30_000 });
    // ...and the flag arrives over the websocket: an alert on top, the card marked, the responder out of service.
    const alert = page.getByTestId('alerts').getByRole('alert');
    await alert.locator('[data-code="revoked"]').filter({ hasText: 'Ana Diaz' }).waitFor();
    expect(await alert.textContent()).toMatch(/Credential problems \(1\)/);
    // Audible too: the commander has used the page (browsers allow sound only then), so the beep played.
    expect(Number(await page.getByTestId('alerts').getAttribute('data-sounded'))).toBe(1);
    const card = page.locator('.card', { hasText: 'Ana Diaz' });
    await card.locator('.flag-badge').waitFor();
    expect(await card.getAttribute('data-status')).toBe('out_of_service');
    expect(await card.locator('.status-pill').textContent()).toBe('Out of service – Credential problem');
    expect(await page.locator('.card-flagged').count()).toBe(1); // Ben is untouched
    await board.screenshot('board-flagged');
    expectClean(board);
  });

  it('the verify page shows every check of a credential', async () => {
    const verify = await openPage();
    await signInThroughUi(verify, base, users.checkin.email, users.checkin.password);
    const { page } = verify;
    await page.getByRole('link', { name: 'Verify' }).click();
    await page.getByLabel('Credential (compact JWS, or a link carrying one)').fill(credentials.ben.jws);
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    const result = page.getByTestId('verify-result');
    await result.waitFor();
    expect(await result.getAttribute('data-verified')).toBe('true');
    for (const check of ['signature', 'status', 'issuer_trust']) {
      expect(await result.locator(`[data-check="${check}"]`).getAttribute('data-status')).toBe('pass');
    }
    await verify.screenshot('verify-verified');

    await page.getByLabel('Credential (compact JWS, or a link carrying one)').fill(credentials.rev.jws);
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.locator('[data-testid="verify-result"][data-verified="false"]').waitFor();
    expect(await page.locator('[data-check="status"]').getAttribute('data-status')).toBe('fail');
    expect(await page.locator('[data-check="status"]').textContent()).toMatch(/revoked/i);
    await verify.screenshot('verify-revoked');
    expectClean(verify, [/\/credentials\/verify$/]); // "not verified" is a 400 with the result
  });

  it('the auditor sees the audit log, an intact chain and the deployment report', async () => {
    const audit = await openPage();
    await signInThroughUi(audit, base, users.auditor.email, users.auditor.password);
    const { page } = audit;
    await page.getByRole('heading', { name: 'Audit', exact: true }).waitFor();
    await page.locator('[data-testid="chain-status"] [data-ok="true"]').waitFor();
    await page.getByTestId('audit-entries').getByText('checkin.admitted').first().waitFor();
    await page.getByTestId('report-deployments').getByText('Ana Diaz').waitFor();
    await page.getByLabel('Action').fill('checkin.denied');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('audit-entries').getByText('checkin.admitted').first().waitFor({ state: 'detached' });
    const actions = await page.getByTestId('audit-entries').locator('tbody td:nth-child(3)').allTextContents();
    expect(actions.length).toBeGreaterThan(0);
    expect(new Set(actions)).toEqual(new Set(['checkin.denied']));
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: /Audit export bundle/ }).click();
    expect((await download).suggestedFilename()).toMatch(/^audit-.*\.json$/);
    await audit.screenshot('audit');
    expectClean(audit);
  });

  it('the admin manages incidents, users and the trust registry', async () => {
    const admin = await openPage();
    await signInThroughUi(admin, base, users.admin.email, users.admin.password);
    const { page } = admin;
    await page.getByRole('heading', { name: 'Administration' }).waitFor();
    await page.getByTestId('incidents').getByText('Surfside Building Collapse').waitFor();
    await admin.screenshot('admin-incidents');

    await page.getByRole('link', { name: 'Users and roles' }).click();
    await page.getByText('Add a user').click();
    await page.getByLabel('E-mail').fill('new.commander@test.example');
    await page.getByLabel('Display name').fill('Nia Commander');
    await page.getByLabel('Password (12+ characters)').fill('a-long-enough-password');
    await page.getByLabel('Role', { exact: true }).selectOption('commander');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByTestId('users').getByText('new.commander@test.example').waitFor();
    await admin.screenshot('admin-users');

    await page.getByRole('link', { name: 'Trust registry' }).click();
    await page.getByTestId('issuers').getByText(world.issuer.board('fl-nursing').name).waitFor();
    const download = page.waitForEvent('download');
    await page.getByText('Import or export the trust list').click();
    await page.getByRole('button', { name: /Export trust list/ }).click();
    expect((await download).suggestedFilename()).toBe('trust-list.json');
    await admin.screenshot('admin-trust');
    expectClean(admin);
  });

  it('the camera reads a QR badge and checks the holder in', async () => {
    const badge = await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Cam Reyes' } });
    const video = join(tmpdir(), `badge-${process.pid}-${Date.now()}.y4m`);
    await writeQrVideo(badge.jws, video);
    // A browser whose camera shows the badge (chromium's fake capture device, permission granted).
    const cameraBrowser = await launchChromium({ fakeCamera: video });
    try {
      const tablet = await WatchedPage.open(cameraBrowser, TABLET);
      await signInThroughUi(tablet, base, users.checkin.email, users.checkin.password);
      await tablet.page.getByRole('button', { name: 'Scan with camera' }).click();
      await tablet.page
        .locator('[data-testid="scan-result"][data-decision="admitted"]')
        .getByTestId('result-name')
        .filter({ hasText: 'Cam Reyes' })
        .waitFor({ timeout: 30_000 });
      // Chromium on Linux has no BarcodeDetector: the JavaScript decoder (a chunk loaded on demand) read it.
      expect(await tablet.page.locator('.camera-view figcaption').textContent()).toMatch(/reader: (jsQR|native)/);
      await tablet.screenshot('check-in-camera-tablet');
      // Held in front of the camera, the badge is submitted once, not once per frame.
      await new Promise((r) => setTimeout(r, 1500));
      const scans = await request(world.http)
        .get(`/incidents/${incident.id}/check-ins?limit=50`)
        .set(...bearer(world.adminToken))
        .expect(200);
      expect((scans.body as Array<{ name: string | null }>).filter((s) => s.name === 'Cam Reyes')).toHaveLength(1);
      expectClean(tablet);
      await tablet.close();
    } finally {
      await cameraBrowser.close();
      await rm(video, { force: true });
    }
  });

  it('a user with a temporary password must choose a new one before any page opens', async () => {
    const user = await createUser(world.http, world.adminToken, 'checkin');
    await request(world.http)
      .post(`/incidents/${incident.id}/staff`)
      .set(...bearer(world.adminToken))
      .send({ userId: user.id })
      .expect(204);
    // As the first admin is created (BOOTSTRAP_ADMIN_MUST_CHANGE_PASSWORD): the password is temporary.
    const pg = new Client({ connectionString: world.env.dbUrl });
    await pg.connect();
    await pg.query(`UPDATE app_user SET must_change_password = true WHERE id = $1`, [user.id]);
    await pg.end();

    const w = await openPage(TABLET);
    const { page } = w;
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('E-mail').fill(user.email);
    await page.getByLabel('Password').fill(users.checkin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    await w.screenshot('change-password');
    await page.getByLabel('Current password').fill(users.checkin.password);
    await page.getByLabel('New password (at least 12 characters)').fill('a-brand-new-password-1');
    await page.getByLabel('New password again').fill('a-brand-new-password-2');
    await page.getByRole('button', { name: 'Save the new password' }).click();
    await page.getByText('The two new passwords differ.').waitFor();
    await page.getByLabel('New password again').fill('a-brand-new-password-1');
    await page.getByRole('button', { name: 'Save the new password' }).click();
    await page.getByRole('heading', { name: 'Check-in station' }).waitFor();
    await request(world.http).post('/auth/token').send({ email: user.email, password: 'a-brand-new-password-1' }).expect(200);
    expectClean(w);
    await w.close();
  });

  it('every page works at 768 px wide without sideways scrolling', async () => {
    // [page, screenshot name, who, what shows that the page has its content]
    const shots: Array<[string, string, keyof typeof users, string]> = [
      ['check-in', 'check-in', 'checkin', '[data-testid="recent-scans"]'],
      ['board', 'board', 'commander', '[data-testid="roster"] .card'],
      ['verify', 'verify', 'checkin', '#verify-input'],
      ['audit', 'audit', 'auditor', '[data-testid="report-deployments"]'],
      ['admin/incidents', 'admin-incidents', 'admin', '[data-testid="incidents"]'],
      ['admin/users', 'admin-users', 'admin', '[data-testid="users"]'],
      ['admin/trust', 'admin-trust', 'admin', '[data-testid="issuers"]'],
    ];
    const signedIn = new Map<string, WatchedPage>();
    for (const [path, name, role, ready] of shots) {
      let tablet = signedIn.get(role);
      if (!tablet) {
        tablet = await openPage(TABLET);
        await signInThroughUi(tablet, base, users[role].email, users[role].password);
        signedIn.set(role, tablet);
      }
      await tablet.page.goto(`${base}/app/#/${path}?incident=${incident.id}`);
      await tablet.page.locator(ready).first().waitFor();
      await tablet.page.waitForLoadState('networkidle');
      expect({ page: path, overflowing: await tablet.overflowingElements() }).toEqual({ page: path, overflowing: [] });
      await tablet.screenshot(`${name}-tablet`);
    }
    for (const tablet of signedIn.values()) expectClean(tablet);
  });
});
