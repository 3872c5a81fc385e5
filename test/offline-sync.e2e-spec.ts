import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { TestStation } from './support/offline-station';
import { bearer } from './support/test-app';
import { createIncident, staffFor, startWorld, type IncidentFixture, type World } from './support/world';

jest.setTimeout(180_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface EntryResult {
  seq: number;
  scanId: string | null;
  status: string;
  outcome?: string;
  onlineDecision?: string | null;
  code?: string;
  message?: string;
  flags?: string[];
}

/**
 * Sync of offline stations' logs (docs/offline.md): chain and signature checks, re-verification of every offline scan
 * through the check-in use case, the conflict rules, and faults (tampered, truncated or replayed logs, revoked keys).
 */
describe('offline: device logs synced and re-verified online', () => {
  let world: World;
  let pg: Client;
  let incident: IncidentFixture;
  let checkin: { id: string; token: string };
  let commander: { id: string; token: string };

  const issue = async (slug: string, qualification: string, name: string) =>
    world.issuer.board(slug).issue({ format: 'vc+jwt', qualification, subject: { name } });
  const roster = async (incidentId = incident.id) =>
    (
      await request(world.http)
        .get(`/incidents/${incidentId}/roster`)
        .set(...bearer(world.adminToken))
        .expect(200)
    ).body.entries as Array<{ id: string; responder: { name: string } }>;
  const station = (incidentId = incident.id, token = checkin.token, userId = checkin.id) => TestStation.register(world.http, token, incidentId, userId);
  const attempts = async (scanIds: string[]) =>
    Number((await pg.query<{ n: string }>(`SELECT count(*) AS n FROM check_in_attempt WHERE idempotency_key = ANY($1)`, [scanIds])).rows[0].n);

  beforeAll(async () => {
    world = await startWorld('offline-sync');
    pg = new Client({ connectionString: world.env.env.DATABASE_URL });
    await pg.connect();
    incident = await createIncident(world.http, world.adminToken);
    checkin = await staffFor(world.http, world.adminToken, incident.id, 'checkin');
    commander = await staffFor(world.http, world.adminToken, incident.id, 'commander');
  });
  afterAll(async () => {
    await pg.end();
    await world.close();
  });

  it('valid, revoked-in-pack and revoked-after-pack badges: reconfirmed, reconfirmed denied, and changed with an alert', async () => {
    const s = await station();
    const packTime = new Date(Date.now() - 3600_000).toISOString();
    const valid = await issue('fl-nursing', 'RN', 'Vera Valid');
    const revokedBefore = await issue('fl-nursing', 'RN', 'Rita RevokedInPack');
    const revokedAfter = await issue('fl-ems', 'PARAMEDIC', 'Ray RevokedAfterPack');
    world.issuer.board('fl-nursing').revoke(revokedBefore.statusIndex);
    const scannedAt = new Date(Date.now() - 60_000);
    const a = await s.scan(valid.jws, 'admitted', { packTime, scannedAt });
    const b = await s.scan(revokedBefore.jws, 'denied', { packTime, scannedAt, reasons: [{ code: 'revoked', message: 'revoked (pack)' }] });
    const c = await s.scan(revokedAfter.jws, 'admitted', { packTime, scannedAt });
    world.issuer.board('fl-ems').revoke(revokedAfter.statusIndex);
    await sleep(1200); // the test issuer's lists live 1 s

    const res = await s.sync(world.http, checkin.token).expect(200);
    const results = res.body.results as EntryResult[];
    expect(results.map((r) => [r.seq, r.status, r.outcome, r.onlineDecision])).toEqual([
      [1, 'accepted', 'reconfirmed', 'admitted'],
      [2, 'accepted', 'reconfirmed', 'denied'],
      [3, 'accepted', 'changed', 'denied'],
    ]);
    expect(res.body.head).toEqual({ seq: 3, hash: c.hash });

    // Server state: one deployment (the valid badge); the revoked-after-pack responder is not deployed.
    expect((await roster()).map((d) => d.responder.name)).toEqual(['Vera Valid']);

    // "verified offline at T with the pack of T0, reconfirmed online at T1", with both times, in the audit chain.
    const audit = await pg.query<{ action: string; payload: { offline?: Record<string, unknown> }; occurred_at: Date }>(
      `SELECT action, payload, occurred_at FROM audit_entry WHERE incident_id = $1 AND payload ? 'offline' ORDER BY seq`,
      [incident.id],
    );
    const admitted = audit.rows.find((r) => r.action === 'checkin.admitted' && r.payload.offline?.scanId === a.scanId);
    expect(admitted?.payload.offline).toMatchObject({
      deviceId: s.deviceId,
      seq: 1,
      hash: a.hash,
      signature: a.signature,
      deviceScannedAt: scannedAt.toISOString(),
      scannedAt: scannedAt.toISOString(),
      packTime,
      offlineDecision: 'admitted',
      reconfirmedAt: expect.any(String),
      receivedAt: res.body.receivedAt,
    });
    expect(audit.rows.some((r) => r.action === 'checkin.denied' && r.payload.offline?.scanId === b.scanId)).toBe(true);
    const flagged = audit.rows.find((r) => r.action === 'credential.flagged');
    expect(flagged?.payload.offline).toMatchObject({ scanId: c.scanId, offlineDecision: 'admitted', onlineDecision: 'denied', packTime });

    // The board's alert: credential.flagged with the offline context.
    const events = await pg.query<{ name: string; payload: Record<string, unknown> }>(
      `SELECT name, payload FROM outbox_event WHERE incident_id = $1 AND name = 'credential.flagged'`,
      [incident.id],
    );
    expect(events.rows).toEqual([
      {
        name: 'credential.flagged',
        payload: expect.objectContaining({
          deploymentId: null,
          name: 'Ray RevokedAfterPack',
          flag: expect.objectContaining({ code: 'changed_since_offline' }),
          offline: expect.objectContaining({ scanId: c.scanId, deviceId: s.deviceId, onlineDecision: 'denied' }),
        }),
      },
    ]);

    const scans = (
      await request(world.http)
        .get(`/incidents/${incident.id}/offline-scans`)
        .set(...bearer(commander.token))
        .expect(200)
    ).body as Array<{ scanId: string; outcome: string; scannedAt: string; receivedAt: string; packTime: string }>;
    expect(scans.filter((x) => [a.scanId, b.scanId, c.scanId].includes(x.scanId)).map((x) => x.outcome)).toEqual(['reconfirmed', 'reconfirmed', 'changed']);
    expect(scans[0]).toMatchObject({ scannedAt: scannedAt.toISOString(), receivedAt: res.body.receivedAt, packTime });
  });

  it('a replayed batch, or one cut off and sent again, records every scan exactly once', async () => {
    const s = await station();
    const scans = [];
    for (let i = 0; i < 6; i++) scans.push(await s.scan((await issue('fl-medicine', 'MD', `Doc ${i}`)).jws, 'admitted'));
    // The connection drops after the server committed the first half; the station does not know and sends it all.
    await s.sync(world.http, checkin.token, s.entries.slice(0, 3)).expect(200);
    const again = await s.sync(world.http, checkin.token).expect(200);
    expect((again.body.results as EntryResult[]).map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate', 'accepted', 'accepted', 'accepted']);
    const replay = await s.sync(world.http, checkin.token).expect(200);
    expect((replay.body.results as EntryResult[]).every((r) => r.status === 'duplicate' && r.outcome === 'reconfirmed')).toBe(true);
    expect(await attempts(scans.map((x) => x.scanId))).toBe(6);
    const names = (await roster()).map((d) => d.responder.name);
    for (let i = 0; i < 6; i++) expect(names.filter((n) => n === `Doc ${i}`)).toHaveLength(1);
  });

  it('a tampered log is rejected entry by entry with a clear message; nothing else in the batch is lost', async () => {
    const s = await station();
    const denied = await issue('ga-nursing', 'RN', 'Gail Denied');
    const ok1 = await s.scan((await issue('fl-nursing', 'RN', 'Tia Before')).jws, 'admitted');
    await s.scan(denied.jws, 'denied', { reasons: [{ code: 'issuer_not_trusted_here', message: 'not trusted here' }] });
    const ok3 = await s.scan((await issue('fl-nursing', 'RN', 'Tom After')).jws, 'admitted');
    // Someone edits entry 2 on the device to "admitted" (the hash and signature no longer match it).
    const entries = s.entries.map((e) => ({ ...e }));
    entries[1].record = entries[1].record.replace('"decision":"denied"', '"decision":"admitted"');
    const res = await s.sync(world.http, checkin.token, entries).expect(200);
    const results = res.body.results as EntryResult[];
    expect(results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'accepted']);
    expect(results[1]).toMatchObject({ code: 'device_log_edited', message: expect.stringContaining('changed on the device') });
    expect(await attempts([ok1.scanId, ok3.scanId])).toBe(2);
    // A forged signature on an otherwise valid entry is refused too.
    const forged = await s.scan((await issue('fl-nursing', 'RN', 'Fay Forged')).jws, 'admitted');
    const { scanId: _forgedId, ...forgedEntry } = forged;
    const bad = { ...forgedEntry, signature: s.entries[0].signature };
    const res2 = await s.sync(world.http, checkin.token, [bad]).expect(200);
    expect(res2.body.results[0]).toMatchObject({ status: 'rejected', code: 'device_signature_invalid' });
    // The entry synced before cannot be replaced by an edited copy.
    const edited = { ...s.entries[0], record: s.entries[0].record.replace('Tia', 'Tix'), hash: s.entries[1].hash };
    const res3 = await s.sync(world.http, checkin.token, [edited]).expect(200);
    expect(res3.body.results[0]).toMatchObject({ status: 'rejected', code: 'device_log_edited' });
  });

  it('a truncated log: the entries after the gap are kept and flagged; the missing one is accepted when it comes', async () => {
    const s = await station();
    for (const n of ['Gap A', 'Gap B', 'Gap C']) await s.scan((await issue('fl-nursing', 'RN', n)).jws, 'admitted');
    const res = await s.sync(world.http, checkin.token, [s.entries[0], s.entries[2]]).expect(200);
    expect((res.body.results as EntryResult[]).map((r) => [r.status, r.flags])).toEqual([
      ['accepted', []],
      ['accepted', ['chain_gap']],
    ]);
    const later = await s.sync(world.http, checkin.token).expect(200);
    expect((later.body.results as EntryResult[]).map((r) => r.status)).toEqual(['duplicate', 'accepted', 'duplicate']);
    // The evidence rows of a batch are written together: each keeps its own seq, chain link and flags.
    const stored = await pg.query<{ seq: number; prev_hash: string; flags: string[] }>(
      `SELECT seq, prev_hash, flags FROM offline_scan WHERE device_id = $1 ORDER BY seq`,
      [s.deviceId],
    );
    expect(stored.rows.map((r) => [r.seq, r.prev_hash, r.flags])).toEqual([
      [1, s.entries[0].prevHash, []],
      [2, s.entries[1].prevHash, []],
      [3, s.entries[2].prevHash, ['chain_gap']],
    ]);
  });

  it('a revoked device key: its batch is refused (403 device_revoked); what it synced before stays', async () => {
    const s = await station();
    const first = await s.scan((await issue('fl-nursing', 'RN', 'Kept Kim')).jws, 'admitted');
    await s.sync(world.http, checkin.token).expect(200);
    await request(world.http)
      .post(`/incidents/${incident.id}/devices/${s.deviceId}/revoke`)
      .set(...bearer(commander.token))
      .expect(200);
    await s.scan((await issue('fl-nursing', 'RN', 'Late Lou')).jws, 'admitted');
    const res = await s.sync(world.http, checkin.token).expect(403);
    expect(res.body).toMatchObject({ code: 'device_revoked', detail: expect.stringContaining('revoked') });
    expect(await attempts([first.scanId])).toBe(1);
    expect((await roster()).map((d) => d.responder.name)).toContain('Kept Kim');
    expect((await roster()).map((d) => d.responder.name)).not.toContain('Late Lou');
  });

  describe('conflict rules', () => {
    it('the same person scanned at two offline stations: one deployment, both scans kept', async () => {
      const one = await station();
      const two = await station();
      const badge = await issue('fema-usar', 'USAR_TECH', 'Sam TwoStations');
      const a = await one.scan(badge.jws, 'admitted');
      const b = await two.scan(badge.jws, 'admitted');
      const r1 = await one.sync(world.http, checkin.token).expect(200);
      const r2 = await two.sync(world.http, checkin.token).expect(200);
      expect(r1.body.results[0]).toMatchObject({ status: 'accepted', outcome: 'reconfirmed', onlineDecision: 'admitted' });
      expect(r2.body.results[0]).toMatchObject({ status: 'accepted', outcome: 'reconfirmed', onlineDecision: 'admitted' });
      expect((await roster()).filter((d) => d.responder.name === 'Sam TwoStations')).toHaveLength(1);
      const kept = await pg.query(`SELECT scan_id FROM offline_scan WHERE scan_id = ANY($1)`, [[a.scanId, b.scanId]]);
      expect(kept.rowCount).toBe(2);
      const repeated = await pg.query<{ action: string }>(`SELECT action FROM audit_entry WHERE payload->'offline'->>'scanId' = $1`, [b.scanId]);
      expect(repeated.rows.map((r) => r.action)).toEqual(['checkin.repeated']);
    });

    it('the same person twice in one batch (re-verified together): one deployment, both scans kept', async () => {
      const s = await station();
      const badge = await issue('fl-nursing', 'RN', 'Dora Twice');
      await s.scan(badge.jws, 'admitted');
      await s.scan(badge.jws, 'admitted');
      const res = await s.sync(world.http, checkin.token).expect(200);
      expect((res.body.results as EntryResult[]).map((r) => [r.status, r.onlineDecision])).toEqual([
        ['accepted', 'admitted'],
        ['accepted', 'admitted'],
      ]);
      expect((await roster()).filter((d) => d.responder.name === 'Dora Twice')).toHaveLength(1);
    });

    it('a check-out online after the person was scanned in offline: the scan opens no deployment', async () => {
      const badge = await issue('fl-nursing', 'RN', 'Olive Out');
      const online = await request(world.http)
        .post(`/incidents/${incident.id}/check-ins`)
        .set(...bearer(checkin.token))
        .set('Idempotency-Key', randomUUID())
        .send({ credential: badge.jws })
        .expect(201);
      const s = await station();
      const scan = await s.scan(badge.jws, 'admitted', { scannedAt: new Date(Date.now() - 30_000) });
      await request(world.http)
        .post(`/incidents/${incident.id}/deployments/${online.body.deployment.id}/check-out`)
        .set(...bearer(commander.token))
        .send({})
        .expect(200);
      const res = await s.sync(world.http, checkin.token).expect(200);
      expect(res.body.results[0]).toMatchObject({ scanId: scan.scanId, status: 'accepted', onlineDecision: 'denied', code: 'checked_out_since' });
      expect((await roster()).map((d) => d.responder.name)).not.toContain('Olive Out');
    });

    it('a check-out made offline: applied at sync and audited with its offline context; a second one of the same deployment is refused', async () => {
      const badge = await issue('fl-nursing', 'RN', 'Otto Offline-Out');
      const online = await request(world.http)
        .post(`/incidents/${incident.id}/check-ins`)
        .set(...bearer(checkin.token))
        .set('Idempotency-Key', randomUUID())
        .send({ credential: badge.jws })
        .expect(201);
      const deploymentId = online.body.deployment.id as string;
      const one = await station();
      const two = await station();
      const out = await one.checkOut(deploymentId);
      await two.checkOut(deploymentId);
      const r1 = await one.sync(world.http, checkin.token).expect(200);
      expect(r1.body.results[0]).toMatchObject({ scanId: out.scanId, status: 'accepted', outcome: 'reconfirmed', onlineDecision: 'checked_out' });
      expect((await roster()).map((d) => d.responder.name)).not.toContain('Otto Offline-Out');
      const audit = await pg.query<{ payload: { offline?: { scanId: string; deviceScannedAt: string } } }>(
        `SELECT payload FROM audit_entry WHERE action = 'deployment.checked_out' AND target_id = $1`,
        [deploymentId],
      );
      expect(audit.rows.map((r) => r.payload.offline?.scanId)).toEqual([out.scanId]);
      const r2 = await two.sync(world.http, checkin.token).expect(200);
      expect(r2.body.results[0]).toMatchObject({ status: 'accepted', outcome: 'refused', code: 'deployment_not_active' });
    });

    it('a scan after the incident closed: refused (incident_closed), kept and audited', async () => {
      const closing = await createIncident(world.http, world.adminToken, { name: 'Closing incident' });
      const staff = await staffFor(world.http, world.adminToken, closing.id, 'checkin');
      const s = await station(closing.id, staff.token, staff.id);
      await request(world.http)
        .post(`/incidents/${closing.id}/close`)
        .set(...bearer(world.adminToken))
        .expect(200);
      const scan = await s.scan((await issue('fl-nursing', 'RN', 'Clara Closed')).jws, 'admitted', { scannedAt: new Date() });
      const res = await s.sync(world.http, staff.token).expect(200);
      expect(res.body.results[0]).toMatchObject({
        scanId: scan.scanId,
        status: 'accepted',
        outcome: 'refused',
        code: 'incident_closed',
        flags: ['after_close'],
      });
      const audit = await pg.query<{ action: string }>(`SELECT action FROM audit_entry WHERE incident_id = $1 AND target_id = $2`, [closing.id, scan.scanId]);
      expect(audit.rows.map((r) => r.action).sort()).toEqual(['checkin.offline_refused', 'credential.flagged']);
      expect((await roster(closing.id)).length).toBe(0);
    });

    it('a device clock a day behind: the scan time is corrected by the measured skew and flagged', async () => {
      const s = await station();
      const dayMs = 86_400_000;
      const deviceNow = new Date(Date.now() - dayMs);
      const scan = await s.scan((await issue('fl-nursing', 'RN', 'Skewed Sue')).jws, 'admitted', { scannedAt: new Date(deviceNow.getTime() - 120_000) });
      const res = await s.sync(world.http, checkin.token, s.entries, deviceNow).expect(200);
      expect(Math.abs(res.body.clockSkewSeconds - 86_400)).toBeLessThan(30);
      expect(res.body.results[0]).toMatchObject({ status: 'accepted', outcome: 'reconfirmed', flags: ['clock_skew'] });
      const row = (
        await pg.query<{ device_scanned_at: Date; scanned_at: Date; received_at: Date }>(
          `SELECT device_scanned_at, scanned_at, received_at FROM offline_scan WHERE scan_id = $1`,
          [scan.scanId],
        )
      ).rows[0];
      expect(row.device_scanned_at.getTime()).toBe(deviceNow.getTime() - 120_000);
      const lag = row.received_at.getTime() - row.scanned_at.getTime();
      expect(lag).toBeGreaterThan(100_000);
      expect(lag).toBeLessThan(150_000);
    });
  });

  it('refuses a station of another user, and malformed batches with 400', async () => {
    const s = await station();
    await s.scan((await issue('fl-nursing', 'RN', 'Other User')).jws, 'admitted');
    await s.sync(world.http, commander.token).expect(403);
    await request(world.http)
      .post(`/incidents/${incident.id}/devices/${s.deviceId}/sync`)
      .set(...bearer(checkin.token))
      .send({ sentAt: 'yesterday', entries: [] })
      .expect(400);
    await request(world.http)
      .post(`/incidents/${incident.id}/devices`)
      .set(...bearer(checkin.token))
      .send({ label: 'x', publicKey: { kty: 'EC', crv: 'P-256', x: 'A'.repeat(43), y: 'B'.repeat(43) } })
      .expect(422);
  });
});
