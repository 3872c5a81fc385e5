import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader, SignJWT } from 'jose';
import { Client } from 'pg';
import request from 'supertest';
import { GENERAL_SUPPORT, WalkUpBadges } from '@app/incidents';
import { bearer } from './support/test-app';
import { createIncident, staffFor, startWorld, type IncidentFixture, type World } from './support/world';

/** Walk-up volunteers (docs/walk-ups.md): intake, the general-support rule, temporary badges, upgrade in place. */
describe('walk-up volunteers', () => {
  let world: World;
  let incident: IncidentFixture;
  let other: IncidentFixture;
  let checkin: { id: string; token: string };
  let commander: { id: string; token: string };
  let pg: Client;

  const positions = [
    { name: 'Shelter Support', requiredQualifications: [GENERAL_SUPPORT] },
    { name: 'Triage Nurse', requiredQualifications: ['RN', 'APRN'] },
    { name: 'Paramedic', requiredQualifications: ['PARAMEDIC'] },
  ];

  const intake = (body: Record<string, unknown> = {}, token = checkin.token, incidentId = incident.id) =>
    request(world.http)
      .post(`/incidents/${incidentId}/walk-ups`)
      .set(...bearer(token))
      .send({
        name: 'Sam Rivera',
        contact: '+1 305 555 0142',
        claimedQualifications: ['RN'],
        idSeen: { type: 'driver licence', statement: 'Photo and name match.' },
        ...body,
      });

  const scan = (credential: string, extra: Record<string, unknown> = {}, incidentId = incident.id) =>
    request(world.http)
      .post(`/incidents/${incidentId}/check-ins`)
      .set(...bearer(checkin.token))
      .send({ credential, ...extra });

  const badgeFor = async (walkUpId: string, incidentId = incident.id, token = checkin.token): Promise<string> => {
    const res = await request(world.http)
      .post(`/incidents/${incidentId}/walk-ups/${walkUpId}/badge`)
      .set(...bearer(token))
      .send({ validHours: 12 })
      .expect(200);
    return res.body.token as string;
  };

  const auditActions = async (incidentId: string, walkUpId: string): Promise<string[]> => {
    const { rows } = await pg.query<{ action: string }>(
      `SELECT action FROM audit_entry WHERE incident_id = $1 AND (target_id = $2 OR payload->>'walkUpId' = $2) ORDER BY seq`,
      [incidentId, walkUpId],
    );
    return rows.map((r) => r.action);
  };

  beforeAll(async () => {
    world = await startWorld('walkups');
    incident = await createIncident(world.http, world.adminToken, { positions });
    other = await createIncident(world.http, world.adminToken, { positions });
    checkin = await staffFor(world.http, world.adminToken, incident.id, 'checkin');
    commander = await staffFor(world.http, world.adminToken, incident.id, 'commander');
    await request(world.http)
      .post(`/incidents/${other.id}/staff`)
      .set(...bearer(world.adminToken))
      .send({ userId: checkin.id })
      .expect(204);
    pg = new Client({ connectionString: world.env.dbUrl });
    await pg.connect();
  });
  afterAll(async () => {
    await pg?.end();
    await world?.close();
  });

  it('takes in a walk-up pending verification: on the board with the marker, audited, the contact kept off the board and the trail', async () => {
    const res = await intake({ positionId: incident.positions['Shelter Support'], agency: 'Red Cross South Florida', homeState: 'FL' }).expect(201);
    expect(res.body).toMatchObject({
      name: 'Sam Rivera',
      contact: '+1 305 555 0142',
      claimedQualifications: ['RN'],
      idSeen: { type: 'driver licence', statement: 'Photo and name match.', recordedBy: checkin.id },
      status: 'pending_verification',
      verifiedQualifications: [],
      deployment: {
        position: { name: 'Shelter Support' },
        responder: { name: 'Sam Rivera' },
        credential: { qualification: null },
        walkUp: { id: res.body.id, status: 'pending_verification' },
        ics211: { agency: 'Red Cross South Florida', resourceName: 'Sam Rivera' },
      },
    });
    const roster = await request(world.http)
      .get(`/incidents/${incident.id}/deployments`)
      .set(...bearer(commander.token))
      .expect(200);
    const onBoard = roster.body.find((d: { id: string }) => d.id === res.body.deployment.id);
    expect(onBoard.walkUp).toEqual({ id: res.body.id, status: 'pending_verification' });

    const { rows: events } = await pg.query<{ name: string; payload: Record<string, unknown> }>(
      `SELECT name, payload FROM outbox_event WHERE incident_id = $1 AND payload->'deployment'->>'deploymentId' = $2`,
      [incident.id, res.body.deployment.id],
    );
    expect(events.map((e) => e.name)).toEqual(['deployment.checked_in']);
    expect(events[0].payload.deployment).toMatchObject({ name: 'Sam Rivera', pendingVerification: true, qualifications: [] });
    expect(JSON.stringify(events[0].payload)).not.toContain('555 0142');

    const { rows: audit } = await pg.query<{ action: string; payload: Record<string, unknown> }>(
      `SELECT action, payload FROM audit_entry WHERE incident_id = $1 AND target_id = $2`,
      [incident.id, res.body.id],
    );
    expect(audit.map((a) => a.action)).toEqual(['walk_up.registered']);
    expect(audit[0].payload).toMatchObject({ claimedQualifications: ['RN'], contactRecorded: true, idSeen: { type: 'driver licence' } });
    expect(JSON.stringify(audit[0].payload)).not.toContain('555 0142');

    const list = await request(world.http)
      .get(`/incidents/${incident.id}/walk-ups`)
      .set(...bearer(checkin.token))
      .expect(200);
    expect(list.body.map((w: { id: string }) => w.id)).toContain(res.body.id);
  });

  it('refuses a walk-up on a clinical position (422 walk_up_not_verified), at intake and when assigned', async () => {
    const refused = await intake({ positionId: incident.positions['Triage Nurse'] }).expect(422);
    expect(refused.body.code).toBe('walk_up_not_verified');

    const w = (await intake({ name: 'Jo Park' }).expect(201)).body;
    const assign = (positionId: string | null) =>
      request(world.http)
        .post(`/incidents/${incident.id}/walk-ups/${w.id}/position`)
        .set(...bearer(checkin.token))
        .send({ positionId });
    expect((await assign(incident.positions['Paramedic']).expect(422)).body.code).toBe('walk_up_not_verified');
    const moved = await assign(incident.positions['Shelter Support']).expect(200);
    expect(moved.body.deployment.position).toEqual({ id: incident.positions['Shelter Support'], name: 'Shelter Support' });
    expect(await auditActions(incident.id, w.id)).toEqual(['walk_up.registered', 'walk_up.position_assigned']);
  });

  it('admits a temporary badge like any other scan, at its incident, for general support only', async () => {
    const w = (await intake({ name: 'Lee Chen' }).expect(201)).body;
    const token = await badgeFor(w.id);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', typ: 'walk-up-badge+jwt' });
    const keys = await request(world.http)
      .get(`/incidents/${incident.id}/walk-up-badge-keys`)
      .set(...bearer(commander.token))
      .expect(200);
    expect(keys.body.keys.map((k: { kid: string }) => k.kid)).toEqual([decodeProtectedHeader(token).kid]);

    const again = await scan(token).expect(201);
    expect(again.body).toMatchObject({
      decision: 'admitted_with_warnings',
      reasons: [{ code: 'walk_up_pending_verification' }],
      alreadyCheckedIn: true,
      deployment: { id: w.deployment.id, walkUp: { status: 'pending_verification' } },
    });
    const clinical = await scan(token, { positionId: incident.positions['Triage Nurse'] }).expect(201);
    expect(clinical.body).toMatchObject({ decision: 'denied', reasons: [{ code: 'walk_up_not_verified' }], deployment: null });

    // Checked out, then back with the badge: a new deployment for the same person, pending verification.
    await request(world.http)
      .post(`/incidents/${incident.id}/deployments/${w.deployment.id}/check-out`)
      .set(...bearer(checkin.token))
      .send({})
      .expect(200);
    const back = await scan(token, { positionId: incident.positions['Shelter Support'] }).expect(201);
    expect(back.body).toMatchObject({
      decision: 'admitted_with_warnings',
      alreadyCheckedIn: false,
      responder: { id: w.deployment.responder.id, name: 'Lee Chen' },
      deployment: { position: { name: 'Shelter Support' }, walkUp: { id: w.id, status: 'pending_verification' } },
    });
    expect(back.body.deployment.id).not.toBe(w.deployment.id);
    expect(await auditActions(incident.id, w.id)).toEqual(['walk_up.registered', 'walk_up.badge_repeated', 'walk_up.badge_denied', 'walk_up.badge_admitted']);
  });

  it('denies an expired, forged, tampered or other-incident badge with its reason code', async () => {
    const w = (await intake({ name: 'Ari Stone' }).expect(201)).body;
    const badges = world.api.app.get(WalkUpBadges, { strict: false });
    const expired = (await badges.issue(incident.id, w, 1, new Date(Date.now() - 2 * 3600_000))).token;

    const { privateKey } = generateKeyPairSync('ed25519');
    const genuine = await badgeFor(w.id);
    const forged = await new SignJWT({ incident: incident.id, name: 'Ari Stone', kind: 'walk_up' })
      .setProtectedHeader({ alg: 'EdDSA', kid: decodeProtectedHeader(genuine).kid, typ: 'walk-up-badge+jwt' })
      .setIssuer(`urn:uuid:${incident.id}`)
      .setSubject(w.id)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    const [h, p, s] = genuine.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, exp: Number(payload.exp) + 86400 * 30 })).toString('base64url')}.${s}`;
    const elsewhere = (await intake({ name: 'Ari Stone' }, checkin.token, other.id).expect(201)).body;
    const otherIncident = await badgeFor(elsewhere.id, other.id);

    const cases: Array<[string, string]> = [
      [expired, 'walk_up_badge_expired'],
      [forged, 'walk_up_badge_invalid'],
      [tampered, 'walk_up_badge_invalid'],
      [otherIncident, 'walk_up_badge_other_incident'],
    ];
    for (const [token, code] of cases) {
      const res = await scan(token).expect(201);
      expect({ code, body: res.body }).toMatchObject({ code, body: { decision: 'denied', reasons: [{ code }], deployment: null, responder: null } });
    }
    // The other incident's badge is good there.
    expect((await scan(otherIncident, {}, other.id).expect(201)).body).toMatchObject({ decision: 'admitted_with_warnings', alreadyCheckedIn: true });
  });

  it('upgrades a walk-up in place with a verified credential: same person and deployment, verified, clinical positions allowed', async () => {
    const w = (await intake({ name: 'Maria Lopez', positionId: incident.positions['Shelter Support'] }).expect(201)).body;
    const upgrade = (credential: string) =>
      request(world.http)
        .post(`/incidents/${incident.id}/walk-ups/${w.id}/upgrade`)
        .set(...bearer(checkin.token))
        .send({ credential });

    const untrusted = await world.issuer.board('rogue-board').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Maria Lopez' } });
    const refused = await upgrade(untrusted.jws).expect(422);
    expect(refused.body.code).toBe('walk_up_credential_refused');

    const { jws } = await world.issuer
      .board('fl-nursing')
      .issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Maria Lopez' }, licenseNumber: 'RN5550001' });
    const res = await upgrade(jws).expect(200);
    expect(res.body).toMatchObject({
      id: w.id,
      status: 'verified',
      verifiedQualifications: ['RN'],
      verification: { kind: 'credential', qualification: 'RN', licenseNumber: 'RN5550001' },
      deployment: {
        id: w.deployment.id,
        responder: { id: w.deployment.responder.id, name: 'Maria Lopez' },
        credential: { qualification: 'RN', licenseNumber: 'RN5550001', issuerName: 'Florida Board of Nursing' },
        walkUp: { id: w.id, status: 'verified' },
      },
    });
    expect((await upgrade(jws).expect(409)).body.code).toBe('walk_up_already_verified');

    const { rows: events } = await pg.query<{ name: string; payload: { deployment: Record<string, unknown>; change: string } }>(
      `SELECT name, payload FROM outbox_event WHERE incident_id = $1 AND name = 'deployment.updated' AND payload->'deployment'->>'deploymentId' = $2`,
      [incident.id, w.deployment.id],
    );
    expect(events).toHaveLength(1);
    expect(events[0].payload.change).toBe('verified');
    expect(events[0].payload.deployment).toMatchObject({ qualifications: ['RN'], responderId: w.deployment.responder.id });
    expect(events[0].payload.deployment.pendingVerification).toBeUndefined();

    const triage = await request(world.http)
      .post(`/incidents/${incident.id}/walk-ups/${w.id}/position`)
      .set(...bearer(checkin.token))
      .send({ positionId: incident.positions['Triage Nurse'] })
      .expect(200);
    expect(triage.body.deployment.position.name).toBe('Triage Nurse');
    const paramedic = await request(world.http)
      .post(`/incidents/${incident.id}/walk-ups/${w.id}/position`)
      .set(...bearer(checkin.token))
      .send({ positionId: incident.positions['Paramedic'] })
      .expect(422);
    expect(paramedic.body.code).toBe('walk_up_not_qualified');
    expect(await auditActions(incident.id, w.id)).toEqual(['walk_up.registered', 'walk_up.verified', 'walk_up.position_assigned']);
  });

  it('lets only check-in staff, commanders and admins take walk-ups in', async () => {
    const timekeeper = await staffFor(world.http, world.adminToken, incident.id, 'timekeeper');
    expect((await intake({}, timekeeper.token).expect(403)).body.code).toBe('forbidden');
    await request(world.http)
      .get(`/incidents/${incident.id}/walk-ups`)
      .set(...bearer(timekeeper.token))
      .expect(403);
    await intake({}, commander.token).expect(201);
  });
});
