import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { describeQualification, vctOf } from '../apps/issuer/src';
import { checkInMany } from './support/accountability';
import { bearer } from './support/test-app';
import { buildWebApp, launchChromium, openSignedIn, signInThroughUi, TABLET, WatchedPage } from './support/web-browser';
import { createIncident, staffFor, startWorld, type IncidentFixture, type World } from './support/world';

jest.setTimeout(240_000);

/**
 * The offline station in a real browser (docs/offline.md): installed (service worker, manifest), prepared online,
 * reloaded with the browser context offline, badges verified on the device from the pack and logged in IndexedDB,
 * then synced when the network returns, with a log entry edited on the device refused and nothing else lost.
 */
describe('offline station in the browser', () => {
  let world: World;
  let web: { dir: string; remove(): Promise<void> };
  let browser: Browser;
  let pg: Client;
  let incident: IncidentFixture;
  let base: string;
  let checkin: { id: string; email: string; token: string };
  let station: WatchedPage;
  const badges = {} as Record<'valid' | 'revokedInPack' | 'revokedAfterPack' | 'sdJwt' | 'dataIntegrity', { jws: string; statusIndex: number }>;

  beforeAll(async () => {
    web = await buildWebApp();
    world = await startWorld('offline-web', { listen: true, env: { WEB_DIR: web.dir } });
    base = world.api.url!;
    pg = new Client({ connectionString: world.env.env.DATABASE_URL });
    await pg.connect();
    incident = await createIncident(world.http, world.adminToken);
    checkin = await staffFor(world.http, world.adminToken, incident.id, 'checkin');
    // An SD-JWT VC names its qualification by vct alone: the registry learns the RN vct of the demo boards.
    const list = await request(world.http)
      .get('/trust/list')
      .set(...bearer(world.adminToken))
      .expect(200);
    const rnVct = vctOf(describeQualification('RN', 'state-board').name);
    await request(world.http)
      .put('/trust/list')
      .set(...bearer(world.adminToken))
      .send({
        ...list.body,
        qualifications: (list.body.qualifications as Array<{ code: string; rules: unknown[] }>).map((q) =>
          q.code === 'RN' ? { ...q, rules: [...q.rules, { vct: rnVct }] } : q,
        ),
      })
      .expect(200);
    // Two responders checked in online: their boards' status lists are in use, so the pack carries them.
    // An SD-JWT VC checked in online too: its board's Token Status List is then in the pack.
    for (const [slug, qualification, name, format] of [
      ['fl-nursing', 'RN', 'Olga Online', 'vc+jwt'],
      ['fl-ems', 'PARAMEDIC', 'Omar Online', 'vc+jwt'],
      ['fl-nursing', 'RN', 'Sam SdOnline', 'dc+sd-jwt'],
    ] as const) {
      const { jws } = await world.issuer.board(slug).issue({ format, qualification, subject: { name } });
      await request(world.http)
        .post(`/incidents/${incident.id}/check-ins`)
        .set(...bearer(checkin.token))
        .set('Idempotency-Key', randomUUID())
        .send({ credential: jws })
        .expect(201);
    }
    badges.valid = await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Vera Offline' } });
    badges.revokedInPack = await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Rita InPack' } });
    badges.revokedAfterPack = await world.issuer.board('fl-ems').issue({ format: 'ob3-jwt', qualification: 'PARAMEDIC', subject: { name: 'Ray AfterPack' } });
    // An SD-JWT VC and a Data Integrity credential, verified on the device with the engine's own code for them.
    badges.sdJwt = await world.issuer.board('fl-nursing').issue({ format: 'dc+sd-jwt', qualification: 'RN', subject: { name: 'Sadie SdOffline' } });
    badges.dataIntegrity = await world.issuer.board('fl-ems').issue({ format: 'ldp-vc', qualification: 'PARAMEDIC', subject: { name: 'Dion LdOffline' } });
    world.issuer.board('fl-nursing').revoke(badges.revokedInPack.statusIndex);
    await new Promise((r) => setTimeout(r, 1200)); // the test issuer's lists live 1 s
    browser = await launchChromium();
  });

  afterAll(async () => {
    await station?.close().catch(() => undefined);
    await browser?.close();
    await pg?.end();
    await world?.close();
    await web?.remove();
  });

  it('installs: manifest and service worker served under the CSP', async () => {
    const manifest = await request(world.http).get('/app/manifest.webmanifest').expect(200);
    expect(JSON.parse(manifest.text)).toMatchObject({ name: 'Responder Check-in', display: 'standalone' });
    const sw = await request(world.http).get('/app/sw.js').expect(200);
    expect(sw.headers['content-type']).toMatch(/javascript/);
    expect(sw.headers['cache-control']).toBe('no-cache');
    const index = await request(world.http).get('/app/').expect(200);
    expect(index.text).toContain('rel="manifest"');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('is prepared online, reloaded offline, and verifies valid, revoked-in-pack and revoked-after-pack badges, an SD-JWT VC and a Data Integrity credential on the device', async () => {
    station = await WatchedPage.open(browser, TABLET);
    const { page, context } = station;
    await signInThroughUi(station, base, checkin.email, 'checkin-password-123');
    await openSignedIn(station, `${base}/app/#/offline?incident=${incident.id}`);
    await page.getByRole('heading', { name: 'Offline station' }).waitFor();
    await page.getByRole('button', { name: 'Prepare for offline use' }).click();
    await page.getByTestId('offline-message').filter({ hasText: 'Ready for offline use.' }).waitFor();
    await page.getByTestId('pack-age').filter({ hasText: 'incident pack 0 min old' }).waitFor();
    expect(await page.evaluate(async () => Boolean(await navigator.serviceWorker.ready))).toBe(true);
    // The device key never leaves the device: the stored key is non-extractable.
    expect(
      await page.evaluate(
        () =>
          new Promise<boolean>((resolve) => {
            const req = indexedDB.open('responder-checkin-offline');
            req.onsuccess = () => {
              const get = req.result.transaction('stations').objectStore('stations').getAll();
              get.onsuccess = () => resolve((get.result as Array<{ privateKey: CryptoKey }>)[0].privateKey.extractable);
            };
          }),
      ),
    ).toBe(false);

    // Revoked after the pack was made: the station cannot know.
    world.issuer.board('fl-ems').revoke(badges.revokedAfterPack.statusIndex);

    await context.setOffline(true);
    await page.reload();
    await page.getByRole('heading', { name: 'Offline station' }).waitFor();
    await page.getByTestId('connection').filter({ hasText: 'Offline' }).waitFor();
    await page.getByTestId('pack-age').filter({ hasText: 'incident pack' }).waitFor();

    const scan = async (jws: string, expected: string): Promise<string> => {
      await page.getByLabel('Badge').fill(jws);
      await page.getByRole('button', { name: 'Check' }).click();
      const result = page.getByTestId('offline-result');
      await result.filter({ hasText: expected }).waitFor();
      return (await result.textContent()) ?? '';
    };
    expect(await scan(badges.valid.jws, 'Vera Offline')).toMatch(/^ADMITTED Vera Offline \(RN\)/);
    const denied = await scan(badges.revokedInPack.jws, 'Rita InPack');
    expect(denied).toMatch(/^DENIED/);
    expect(await page.getByTestId('offline-result').locator('li[data-code="revoked"]').count()).toBe(1);
    expect(await scan(badges.revokedAfterPack.jws, 'Ray AfterPack')).toMatch(/^ADMITTED Ray AfterPack \(PARAMEDIC\)/);
    expect(await scan(badges.sdJwt.jws, 'Sadie SdOffline')).toMatch(/^ADMITTED Sadie SdOffline \(RN\)/);
    // The Data Integrity verifier is a chunk of its own, loaded now from the service worker's cache.
    expect(await scan(badges.dataIntegrity.jws, 'Dion LdOffline')).toMatch(/^ADMITTED Dion LdOffline \(PARAMEDIC\)/);
    // A check-out made offline, of someone on the pack's roster.
    await page.getByText("Check out someone on the pack's roster").click();
    await page.getByRole('listitem').filter({ hasText: 'Olga Online' }).getByRole('button', { name: 'Check out' }).click();
    await page.getByTestId('offline-message').filter({ hasText: 'Olga Online: check-out kept on this device until sync.' }).waitFor();
    await page.getByTestId('pack-age').filter({ hasText: '6 scan(s) not synced' }).waitFor();
    // Nothing reached the server while offline.
    const before = await pg.query(`SELECT 1 FROM offline_scan WHERE incident_id = $1`, [incident.id]);
    expect(before.rowCount).toBe(0);
  });

  it('back online: syncs; server state, alert and audit trail are right; an entry edited on the device is refused and nothing else is lost', async () => {
    const { page, context } = station;
    // Someone edits the log on the device: the revoked-in-pack scan (entry 2) made to look admitted.
    const edited = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('responder-checkin-offline');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(new Error('no database'));
      });
      const store = db.transaction('log', 'readwrite').objectStore('log');
      const rows = await new Promise<Array<{ seq: number; entry: { record: string } }>>((resolve) => {
        const all = store.getAll();
        all.onsuccess = () => resolve(all.result as Array<{ seq: number; entry: { record: string } }>);
      });
      const row = rows.find((r) => r.seq === 2)!;
      row.entry.record = row.entry.record.replace('"decision":"denied"', '"decision":"admitted"');
      await new Promise<void>((resolve) => {
        store.put(row).onsuccess = () => resolve();
      });
      db.close();
      return row.entry.record.includes('"decision":"admitted"');
    });
    expect(edited).toBe(true);
    await context.setOffline(false);
    const message = page.getByTestId('offline-message');
    await message.filter({ hasText: 'scan(s) synced' }).waitFor();
    const text = (await message.textContent()) ?? '';
    expect(text).toContain('6 scan(s) synced.');
    expect(text).toContain('Scan 2 rejected: Entry 2 does not match its hash: it was changed on the device after it was written.');
    expect(text).toMatch(/Scan 3 \(Ray AfterPack\): changed online, denied/);
    await page.getByTestId('connection').filter({ hasText: 'Online' }).waitFor();

    // Server: the valid badge deployed, the revoked-after-pack one not; the edited entry not recorded.
    const roster = await request(world.http)
      .get(`/incidents/${incident.id}/roster`)
      .set(...bearer(world.adminToken))
      .expect(200);
    expect((roster.body.entries as Array<{ responder: { name: string } }>).map((e) => e.responder.name).sort()).toEqual([
      'Dion LdOffline',
      'Omar Online',
      'Sadie SdOffline',
      'Sam SdOnline',
      'Vera Offline',
    ]);
    const scans = await pg.query<{ seq: number; outcome: string; online_decision: string }>(
      `SELECT seq, outcome, online_decision FROM offline_scan WHERE incident_id = $1 ORDER BY seq`,
      [incident.id],
    );
    expect(scans.rows).toEqual([
      { seq: 1, outcome: 'reconfirmed', online_decision: 'admitted' },
      { seq: 3, outcome: 'changed', online_decision: 'denied' },
      { seq: 4, outcome: 'reconfirmed', online_decision: 'admitted' },
      { seq: 5, outcome: 'reconfirmed', online_decision: 'admitted' },
      { seq: 6, outcome: 'reconfirmed', online_decision: 'checked_out' },
    ]);
    // The alert on the board, with the offline context, and the audit trail with both times.
    const alert = await pg.query<{ payload: { name: string; offline: { offlineDecision: string; packTime: string } } }>(
      `SELECT payload FROM outbox_event WHERE incident_id = $1 AND name = 'credential.flagged'`,
      [incident.id],
    );
    expect(alert.rows).toHaveLength(1);
    expect(alert.rows[0].payload).toMatchObject({ name: 'Ray AfterPack', offline: { offlineDecision: 'admitted', packTime: expect.any(String) } });
    const audit = await pg.query<{ action: string; scanned: string; received: string }>(
      `SELECT action, payload->'offline'->>'scannedAt' AS scanned, payload->'offline'->>'receivedAt' AS received
         FROM audit_entry WHERE incident_id = $1 AND payload ? 'offline' ORDER BY seq`,
      [incident.id],
    );
    expect(audit.rows.map((r) => r.action).sort()).toEqual([
      'checkin.admitted',
      'checkin.admitted',
      'checkin.admitted',
      'checkin.denied',
      'credential.flagged',
      'deployment.checked_out',
    ]);
    expect(Date.parse(audit.rows[0].received)).toBeGreaterThan(Date.parse(audit.rows[0].scanned));
    const chain = await request(world.http)
      .get('/audit/verify')
      .query({ incidentId: incident.id })
      .set(...bearer(world.adminToken))
      .expect(200);
    expect(chain.body).toMatchObject({ ok: true, entries: expect.any(Number) });
    // While offline, the station fails to reach the server by design (the probe, the pack, the incident list).
    expect(station.unexpectedProblems([/\/app\//, /\/incidents/, /\/auth\//, /\/health\/live/])).toEqual([]);
  });

  it('refreshes its pack when the network returns: a new offline limit set meanwhile reaches the station (ETag)', async () => {
    const { page, context } = station;
    await page.getByTestId('pack-age').filter({ hasText: 'offline limit 24 h' }).waitFor();
    await context.setOffline(true);
    await page.getByTestId('connection').filter({ hasText: 'Offline' }).waitFor();
    await request(world.http)
      .patch(`/incidents/${incident.id}`)
      .set(...bearer(world.adminToken))
      .send({ offlineStatusMaxAgeHours: 6 })
      .expect(200);
    await context.setOffline(false);
    await page.getByTestId('connection').filter({ hasText: 'Online' }).waitFor();
    await page.getByTestId('pack-age').filter({ hasText: 'offline limit 6 h' }).waitFor({ timeout: 20_000 });
    // Stored on the device, signed: what the station verifies with after the next reload offline.
    const stored = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const req = indexedDB.open('responder-checkin-offline');
          req.onsuccess = () => {
            const get = req.result.transaction('stations').objectStore('stations').getAll();
            get.onsuccess = () => resolve((get.result as Array<{ signedPack: { payload: string } }>)[0].signedPack.payload);
          };
        }),
    );
    expect(JSON.parse(stored).policy.offlineStatusMaxAgeSeconds).toBe(6 * 3600);
  });

  it('the commander board keeps its last state across a reload with no network, marked offline as of its time', async () => {
    const commander = await staffFor(world.http, world.adminToken, incident.id, 'commander');
    const board = await WatchedPage.open(browser, TABLET);
    try {
      const { page, context } = board;
      await signInThroughUi(board, base, commander.email, 'commander-password-123');
      await openSignedIn(board, `${base}/app/#/board?incident=${incident.id}`);
      await page.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
      const roster = page.getByTestId('roster');
      await roster.filter({ hasText: 'Omar Online' }).waitFor();
      expect(await page.getByTestId('board-as-of').count()).toBe(0);
      // The board is stored on the device shortly after it changes.
      const stored = async (): Promise<number> =>
        page.evaluate(
          () =>
            new Promise<number>((resolve) => {
              const req = indexedDB.open('responder-checkin-offline');
              req.onsuccess = () => {
                if (!req.result.objectStoreNames.contains('boards')) return resolve(-1);
                const count = req.result.transaction('boards').objectStore('boards').count();
                count.onsuccess = () => resolve(count.result);
              };
              req.onerror = () => resolve(-2);
            }),
        );
      const deadline = Date.now() + 10_000;
      while ((await stored()) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      expect(await stored()).toBe(1);

      await context.setOffline(true);
      await page.reload();
      await page.getByRole('heading', { name: 'Commander board' }).waitFor();
      const asOf = page.getByTestId('board-as-of');
      await asOf.filter({ hasText: 'Offline, as of' }).waitFor();
      await roster.filter({ hasText: 'Omar Online' }).waitFor();
      await page.getByTestId('counts').filter({ hasText: 'as of the last update' }).waitFor();

      // Back online: the live snapshot replaces the stored board.
      await context.setOffline(false);
      await page.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 30_000 });
      await asOf.waitFor({ state: 'detached' });
      await roster.filter({ hasText: 'Omar Online' }).waitFor();
    } finally {
      await board.close();
    }
  });
  it('a commander on a tablet offline queues a status change and a PAR acknowledgement; both are applied when the network returns', async () => {
    const queued = await createIncident(world.http, world.adminToken, { name: 'Queued offline' });
    const commander = await staffFor(world.http, world.adminToken, queued.id, 'commander');
    const [assignee, acknowledged] = await checkInMany(world, queued.id, 2, 'Tablet');
    const par = await request(world.http)
      .post(`/incidents/${queued.id}/pars`)
      .set(...bearer(world.adminToken))
      .send({ reason: 'collapse' })
      .expect(201);
    const tablet = await WatchedPage.open(browser, TABLET);
    try {
      const { page, context } = tablet;
      await signInThroughUi(tablet, base, commander.email, 'commander-password-123');
      await openSignedIn(tablet, `${base}/app/#/offline?incident=${queued.id}`);
      await page.getByRole('button', { name: 'Prepare for offline use' }).click();
      await page.getByTestId('offline-message').filter({ hasText: 'Ready for offline use.' }).waitFor();

      await context.setOffline(true);
      await page.reload();
      await page.getByTestId('connection').filter({ hasText: 'Offline' }).waitFor();
      await page.getByText("Change the status of someone on the pack's roster").click();
      const row = page.getByTestId('offline-status').getByRole('listitem').filter({ hasText: 'Tablet 1' });
      await row.getByLabel('New status of Tablet 1').selectOption('assigned');
      await row.getByLabel('Assignment of Tablet 1').fill('Division A');
      await row.getByRole('button', { name: 'Queue status' }).click();
      await page.getByTestId('offline-message').filter({ hasText: 'Tablet 1: Assigned queued on this device until sync.' }).waitFor();
      const parList = page.getByTestId('offline-par');
      await parList.getByRole('listitem').filter({ hasText: 'Tablet 2' }).getByRole('button', { name: 'Acknowledge' }).click();
      await parList.getByRole('listitem').filter({ hasText: 'Tablet 2' }).filter({ hasText: 'queued' }).waitFor();
      const log = page.getByTestId('offline-log');
      await log.filter({ hasText: 'queued: Assigned (Division A)' }).waitFor();
      await log.filter({ hasText: 'queued: PAR acknowledgement' }).waitFor();
      expect((await pg.query(`SELECT 1 FROM offline_scan WHERE incident_id = $1`, [queued.id])).rowCount).toBe(0);

      // Back online: the station syncs by itself; the server applies both.
      await context.setOffline(false);
      await page.getByTestId('offline-message').filter({ hasText: '2 scan(s) synced.' }).waitFor({ timeout: 30_000 });
      const status = await pg.query<{ status: string; assignment: string }>(`SELECT status, assignment FROM deployment WHERE id = $1`, [assignee]);
      expect(status.rows[0]).toEqual({ status: 'assigned', assignment: 'Division A' });
      const member = await pg.query<{ state: string }>(`SELECT state FROM par_member WHERE par_id = $1 AND deployment_id = $2`, [par.body.id, acknowledged]);
      expect(member.rows[0].state).toBe('accounted');
      const audit = await pg.query<{ action: string }>(
        `SELECT action FROM audit_entry WHERE incident_id = $1 AND payload ? 'offline' AND action IN ('deployment.status_changed', 'par.acknowledged') ORDER BY seq`,
        [queued.id],
      );
      expect(audit.rows.map((r) => r.action)).toEqual(['deployment.status_changed', 'par.acknowledged']);
    } finally {
      await tablet.close();
    }
  });

  it('the commander board itself queues a status change made with no network on a prepared device, and applies it when the network returns', async () => {
    const queued = await createIncident(world.http, world.adminToken, { name: 'Board queued offline' });
    const commander = await staffFor(world.http, world.adminToken, queued.id, 'commander');
    const [assignee] = await checkInMany(world, queued.id, 1, 'Boardside');
    const tablet = await WatchedPage.open(browser, TABLET);
    try {
      const { page, context } = tablet;
      await signInThroughUi(tablet, base, commander.email, 'commander-password-123');
      await openSignedIn(tablet, `${base}/app/#/offline?incident=${queued.id}`);
      await page.getByRole('button', { name: 'Prepare for offline use' }).click();
      await page.getByTestId('offline-message').filter({ hasText: 'Ready for offline use.' }).waitFor();
      await page.goto(`${base}/app/#/board?incident=${queued.id}`);
      await page.reload();
      await page.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
      const card = page.locator(`[data-deployment="${assignee}"]`);
      await card.waitFor();

      await context.setOffline(true);
      await page.getByTestId('offline-banner').waitFor();
      await card.getByRole('button', { name: 'Change status' }).click();
      const form = card.getByRole('form', { name: 'Change status of Boardside 1' });
      await form.getByLabel('New status').selectOption('assigned');
      await form.getByLabel('Assignment (division, group, staging area)').fill('Division C');
      await form.getByRole('button', { name: 'Save status' }).click();
      const queue = page.getByTestId('queued-changes');
      await queue.filter({ hasText: 'Queued on this device until the network returns: Boardside 1 → Assigned' }).waitFor();
      expect((await pg.query<{ status: string }>(`SELECT status FROM deployment WHERE id = $1`, [assignee])).rows[0].status).not.toBe('assigned');

      await context.setOffline(false);
      await queue.filter({ hasText: '1 queued status change(s) applied.' }).waitFor({ timeout: 30_000 });
      const status = await pg.query<{ status: string; assignment: string }>(`SELECT status, assignment FROM deployment WHERE id = $1`, [assignee]);
      expect(status.rows[0]).toEqual({ status: 'assigned', assignment: 'Division C' });
      // The board, live again, shows the change as it shows any other.
      await page.getByRole('heading', { name: /Assigned – Division C/ }).waitFor({ timeout: 30_000 });
      const audit = await pg.query<{ action: string }>(
        `SELECT action FROM audit_entry WHERE incident_id = $1 AND payload ? 'offline' AND action = 'deployment.status_changed'`,
        [queued.id],
      );
      expect(audit.rowCount).toBe(1);
    } finally {
      await tablet.close();
    }
  });
});
