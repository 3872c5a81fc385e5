import { Client } from 'pg';
import request from 'supertest';
import { checkInMany } from './support/accountability';
import { TestStation } from './support/offline-station';
import { bearer } from './support/test-app';
import { createIncident, staffFor, startWorld, type IncidentFixture, type World } from './support/world';

jest.setTimeout(180_000);

interface EntryResult {
  seq: number;
  scanId: string | null;
  status: string;
  outcome?: string;
  onlineDecision?: string | null;
  code?: string;
  message?: string;
}

interface OfflineContext {
  deviceId: string;
  scanId: string;
  seq: number;
  hash: string;
  signature: string;
  deviceScannedAt: string;
  receivedAt: string;
  reconfirmedAt: string;
}

/**
 * Status changes and PAR acknowledgements made at an offline station (docs/offline.md): logged in the device chain
 * like scans, applied at sync through the same use cases as the online routes, in log order; refused with a reason
 * when the person checked out or the PAR ended meanwhile; never doubled by a replayed batch.
 */
describe('offline: status changes and PAR acknowledgements queued at a station', () => {
  let world: World;
  let pg: Client;
  let incident: IncidentFixture;
  let checkin: { id: string; token: string };
  let commander: { id: string; token: string };

  const auditOf = async (scanId: string) =>
    (
      await pg.query<{ action: string; payload: { offline?: OfflineContext; code?: string; to?: { status: string; assignment?: string } } }>(
        `SELECT action, payload FROM audit_entry WHERE payload->'offline'->>'scanId' = $1 ORDER BY seq`,
        [scanId],
      )
    ).rows;
  const statusOf = async (deploymentId: string) =>
    (await pg.query<{ status: string; assignment: string | null }>(`SELECT status, assignment FROM deployment WHERE id = $1`, [deploymentId])).rows[0];
  const addStaff = async (incidentId: string, userId: string) =>
    request(world.http)
      .post(`/incidents/${incidentId}/staff`)
      .set(...bearer(world.adminToken))
      .send({ userId })
      .expect(204);
  const startPar = async (incidentId: string) =>
    (
      await request(world.http)
        .post(`/incidents/${incidentId}/pars`)
        .set(...bearer(commander.token))
        .send({ reason: 'collapse' })
        .expect(201)
    ).body as { id: string };
  const members = async (incidentId: string, parId: string) =>
    (
      await request(world.http)
        .get(`/incidents/${incidentId}/pars/${parId}`)
        .set(...bearer(commander.token))
        .expect(200)
    ).body as { par: { state: string; counts: { accounted: number; expected: number } }; members: Array<{ deploymentId: string; state: string }> };

  beforeAll(async () => {
    world = await startWorld('offline-queue');
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

  describe('status changes', () => {
    it('are applied at sync in log order, each audited with both times and the device signature', async () => {
      const [deploymentId] = await checkInMany(world, incident.id, 1, 'Status Sam');
      const s = await TestStation.register(world.http, commander.token, incident.id, commander.id, 'Command tablet');
      const madeAt = new Date(Date.now() - 60_000);
      const first = await s.statusChange(deploymentId, { status: 'assigned', assignment: 'Division A' }, madeAt);
      const second = await s.statusChange(deploymentId, { status: 'out_of_service', reason: 'rest', note: 'end of shift' }, new Date(madeAt.getTime() + 1000));
      const res = await s.sync(world.http, commander.token).expect(200);
      expect((res.body.results as EntryResult[]).map((r) => [r.status, r.outcome, r.onlineDecision])).toEqual([
        ['accepted', 'reconfirmed', 'status_changed'],
        ['accepted', 'reconfirmed', 'status_changed'],
      ]);
      // The later change is the one standing: applied in the order they were made.
      expect(await statusOf(deploymentId)).toEqual({ status: 'out_of_service', assignment: null });
      const audit = await auditOf(first.scanId);
      expect(audit.map((a) => a.action)).toEqual(['deployment.status_changed']);
      expect(audit[0].payload.to).toMatchObject({ status: 'assigned', assignment: 'Division A' });
      expect(audit[0].payload.offline).toMatchObject({
        deviceId: s.deviceId,
        seq: 1,
        hash: first.hash,
        signature: first.signature,
        deviceScannedAt: madeAt.toISOString(),
        receivedAt: res.body.receivedAt,
        reconfirmedAt: expect.any(String),
      });
      expect((await auditOf(second.scanId)).map((a) => a.payload.to?.status)).toEqual(['out_of_service']);

      // Replayed: nothing applied twice.
      const replay = await s.sync(world.http, commander.token).expect(200);
      expect((replay.body.results as EntryResult[]).map((r) => [r.status, r.outcome])).toEqual([
        ['duplicate', 'reconfirmed'],
        ['duplicate', 'reconfirmed'],
      ]);
      const changes = await pg.query(`SELECT 1 FROM audit_entry WHERE action = 'deployment.status_changed' AND target_id = $1`, [deploymentId]);
      expect(changes.rowCount).toBe(2);
    });

    it('for someone who checked out meanwhile: refused (deployment_not_active), kept and audited; the rest of the batch applied', async () => {
      const [gone, staying] = await checkInMany(world, incident.id, 2, 'Checked Carl');
      const s = await TestStation.register(world.http, commander.token, incident.id, commander.id);
      const refused = await s.statusChange(gone, { status: 'assigned', assignment: 'Division B' });
      await s.statusChange(staying, { status: 'assigned', assignment: 'Division B' });
      await request(world.http)
        .post(`/incidents/${incident.id}/deployments/${gone}/check-out`)
        .set(...bearer(commander.token))
        .send({})
        .expect(200);
      const res = await s.sync(world.http, commander.token).expect(200);
      expect(res.body.results[0]).toMatchObject({ scanId: refused.scanId, status: 'accepted', outcome: 'refused', code: 'deployment_not_active' });
      expect(res.body.results[1]).toMatchObject({ status: 'accepted', outcome: 'reconfirmed', onlineDecision: 'status_changed' });
      expect(await statusOf(staying)).toEqual({ status: 'assigned', assignment: 'Division B' });
      const audit = await auditOf(refused.scanId);
      expect(audit.map((a) => [a.action, a.payload.code])).toEqual([['deployment.offline_status_refused', 'deployment_not_active']]);
      const kept = await pg.query<{ outcome: string; kind: string }>(`SELECT outcome, kind FROM offline_scan WHERE scan_id = $1`, [refused.scanId]);
      expect(kept.rows).toEqual([{ outcome: 'refused', kind: 'status_change' }]);
    });

    it('logged by check-in staff: refused (forbidden), as the status route refuses them online', async () => {
      const [deploymentId] = await checkInMany(world, incident.id, 1, 'Staff Stan');
      const s = await TestStation.register(world.http, checkin.token, incident.id, checkin.id);
      const before = await statusOf(deploymentId);
      await s.statusChange(deploymentId, { status: 'assigned', assignment: 'Division C' });
      const res = await s.sync(world.http, checkin.token).expect(200);
      expect(res.body.results[0]).toMatchObject({ status: 'accepted', outcome: 'refused', code: 'forbidden' });
      expect(await statusOf(deploymentId)).toEqual(before);
      expect(before.assignment).toBeNull();
    });

    it('a record without the fields the status requires is rejected as malformed', async () => {
      const [deploymentId] = await checkInMany(world, incident.id, 1, 'Malformed Mo');
      const s = await TestStation.register(world.http, commander.token, incident.id, commander.id);
      await s.statusChange(deploymentId, { status: 'out_of_service' });
      const res = await s.sync(world.http, commander.token).expect(200);
      expect(res.body.results[0]).toMatchObject({ status: 'rejected', code: 'device_log_malformed' });
    });
  });

  describe('PAR acknowledgements', () => {
    it('are applied at sync through the PAR, audited with the offline context, and not doubled by a replay', async () => {
      const parIncident = await createIncident(world.http, world.adminToken, { name: 'PAR offline' });
      const staff = await staffFor(world.http, world.adminToken, parIncident.id, 'checkin');
      const ids = await checkInMany(world, parIncident.id, 3, 'Roll Call');
      await addStaff(parIncident.id, commander.id);
      const par = await startPar(parIncident.id);
      const s = await TestStation.register(world.http, staff.token, parIncident.id, staff.id);
      const a = await s.parAck(par.id, ids[0]);
      await s.parAck(par.id, ids[1]);
      const res = await s.sync(world.http, staff.token).expect(200);
      expect((res.body.results as EntryResult[]).map((r) => [r.status, r.outcome, r.onlineDecision])).toEqual([
        ['accepted', 'reconfirmed', 'acknowledged'],
        ['accepted', 'reconfirmed', 'acknowledged'],
      ]);
      const after = await members(parIncident.id, par.id);
      expect(after.par.counts).toMatchObject({ accounted: 2, expected: 3 });
      expect(
        after.members
          .filter((m) => m.state === 'accounted')
          .map((m) => m.deploymentId)
          .sort(),
      ).toEqual([ids[0], ids[1]].sort());
      const audit = await auditOf(a.scanId);
      expect(audit.map((x) => x.action)).toEqual(['par.acknowledged']);
      expect(audit[0].payload.offline).toMatchObject({ deviceId: s.deviceId, seq: 1, hash: a.hash, signature: a.signature, receivedAt: res.body.receivedAt });

      const replay = await s.sync(world.http, staff.token).expect(200);
      expect((replay.body.results as EntryResult[]).every((r) => r.status === 'duplicate')).toBe(true);
      expect((await members(parIncident.id, par.id)).par.counts.accounted).toBe(2);
    });

    it('in a PAR that completed meanwhile, or of a person not on its list: refused with a reason, the others applied', async () => {
      const parIncident = await createIncident(world.http, world.adminToken, { name: 'PAR offline, completed' });
      const staff = await staffFor(world.http, world.adminToken, parIncident.id, 'checkin');
      await addStaff(parIncident.id, commander.id);
      const ids = await checkInMany(world, parIncident.id, 2, 'Roll Again');
      const first = await startPar(parIncident.id);
      const s = await TestStation.register(world.http, staff.token, parIncident.id, staff.id);
      const late = await s.parAck(first.id, ids[0]);
      await request(world.http)
        .post(`/incidents/${parIncident.id}/pars/${first.id}/complete`)
        .set(...bearer(commander.token))
        .expect((r) => expect([200, 201]).toContain(r.status));
      // A newcomer checked in after the second PAR started is not on its list.
      const second = await startPar(parIncident.id);
      const [newcomer] = await checkInMany(world, parIncident.id, 1, 'Newcomer');
      const outside = await s.parAck(second.id, newcomer);
      const fine = await s.parAck(second.id, ids[1]);
      const res = await s.sync(world.http, staff.token).expect(200);
      const bySeq = new Map((res.body.results as EntryResult[]).map((r) => [r.scanId, r]));
      expect(bySeq.get(late.scanId)).toMatchObject({ status: 'accepted', outcome: 'refused', code: 'par_not_running' });
      expect(bySeq.get(outside.scanId)).toMatchObject({ status: 'accepted', outcome: 'refused', code: 'par_not_in_scope' });
      expect(bySeq.get(fine.scanId)).toMatchObject({ status: 'accepted', outcome: 'reconfirmed', onlineDecision: 'acknowledged' });
      expect((await auditOf(late.scanId)).map((x) => [x.action, x.payload.code])).toEqual([['par.offline_acknowledgement_refused', 'par_not_running']]);
      expect((await members(parIncident.id, second.id)).par.counts.accounted).toBe(1);
      const kept = await pg.query(`SELECT 1 FROM offline_scan WHERE device_id = $1`, [s.deviceId]);
      expect(kept.rowCount).toBe(3);
    });
  });
});
