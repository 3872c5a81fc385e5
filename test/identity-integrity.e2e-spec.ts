import { createHash, randomUUID } from 'node:crypto';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import { Client } from 'pg';
import request from 'supertest';
import { bearer } from './support/test-app';
import { createIncident, staffFor, startWorld, type IncidentFixture, type World } from './support/world';
import { matchingHashOf } from './support/matching';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Who a responder is comes only from credentials that verified and whose issuer the incident trusts: a badge that
 * fails (signed by a key nobody trusts, expired, from a board not trusted for it) is recorded as a denied attempt and
 * changes nobody; a trusted issuer that names a known responder differently renames them visibly (history and audit).
 */
describe('identity integrity at check-in', () => {
  let world: World;
  let incident: IncidentFixture;
  let checkin: { id: string; token: string };
  let commander: { id: string; token: string };
  let pg: Client;

  const scan = (credential: string, extra: Record<string, unknown> = {}) =>
    request(world.http)
      .post(`/incidents/${incident.id}/check-ins`)
      .set(...bearer(checkin.token))
      .set('Idempotency-Key', randomUUID())
      .send({ credential, ...extra });

  const issue = (slug: string, qualification: string, subject: { id: string; name: string; email?: string }, extra: Record<string, unknown> = {}) =>
    world.issuer.board(slug).issue({ format: 'vc+jwt', qualification, subject, ...extra });

  /** A badge shaped like a board's, signed by a key of the forger's own (a did:jwk no registry lists). */
  const selfSigned = async (subject: { id: string; name: string; email: string }): Promise<string> => {
    const { credential } = await issue('fl-medicine', 'MD', subject, { withStatus: false });
    const key = await generateKeyPair('ES256', { extractable: true });
    const did = `did:jwk:${Buffer.from(JSON.stringify(await exportJWK(key.publicKey))).toString('base64url')}`;
    const forged = { ...credential, issuer: { id: did, type: ['Profile'], name: 'Florida Board of Medicine' }, iss: did };
    return new CompactSign(new TextEncoder().encode(JSON.stringify(forged)))
      .setProtectedHeader({ alg: 'ES256', typ: 'vc+jwt', kid: `${did}#0` })
      .sign(key.privateKey);
  };

  /** Everything stored about a responder and their credentials, to compare before and after. */
  const storedIdentity = async (responderId: string) => {
    const { rows: responder } = await pg.query(`SELECT to_jsonb(r) AS row FROM responder r WHERE id = $1`, [responderId]);
    const { rows: credentials } = await pg.query(`SELECT to_jsonb(c) AS row FROM presented_credential c WHERE responder_id = $1 ORDER BY hash`, [responderId]);
    const { rows: verifications } = await pg.query(
      `SELECT count(*)::int AS n FROM verification v JOIN presented_credential c ON c.id = v.credential_id WHERE c.responder_id = $1`,
      [responderId],
    );
    return { responder: responder.map((r) => r.row), credentials: credentials.map((r) => r.row), verifications: verifications[0].n };
  };

  beforeAll(async () => {
    world = await startWorld('identity');
    incident = await createIncident(world.http, world.adminToken);
    checkin = await staffFor(world.http, world.adminToken, incident.id, 'checkin');
    commander = await staffFor(world.http, world.adminToken, incident.id, 'commander');
    pg = new Client({ connectionString: world.env.dbUrl });
    await pg.connect();
  });
  afterAll(async () => {
    await pg?.end();
    await world?.close();
  });

  it("a badge that does not verify for the incident, carrying a responder's subject id, is denied and changes nothing about them anywhere", async () => {
    const victim = { id: `did:example:${randomUUID()}`, name: 'Vic Timmons', email: 'vic.timmons@example.org' };
    const admitted = (
      await scan((await issue('fl-nursing', 'RN', victim, { licenseNumber: 'RN7000001' })).jws, { positionId: incident.positions['Triage Nurse'] }).expect(201)
    ).body;
    expect(admitted).toMatchObject({ decision: 'admitted', responder: { name: victim.name, qualifications: ['RN'] } });
    const victimId = admitted.responder.id as string;
    const before = await storedIdentity(victimId);
    const {
      rows: [{ n: respondersBefore }],
    } = await pg.query(`SELECT count(*)::int AS n FROM responder`);

    const impostor = { id: victim.id, name: 'Mallory Mask', email: 'mallory@example.net' };
    const badges: Array<[string, string]> = [
      [await selfSigned(impostor), 'untrusted_issuer'],
      // Signed by trusted boards, but not verified for this incident: outside the board's remit, expired, out of state.
      [(await issue('fl-nursing', 'MD', impostor)).jws, 'issuer_not_authorized'],
      [
        (await issue('fl-ems', 'PARAMEDIC', impostor, { validFrom: new Date(Date.now() - 400 * 86400e3), validUntil: new Date(Date.now() - 86400e3) })).jws,
        'expired',
      ],
      [(await issue('ga-nursing', 'RN', impostor)).jws, 'issuer_not_authorized'],
    ];
    for (const [jws, code] of badges) {
      const res = await scan(jws).expect(201);
      expect(res.body.decision).toBe('denied');
      expect(res.body.reasons.map((r: { code: string }) => r.code)).toContain(code);
      // Nothing about the person the subject id belongs to: not their responder id, not their qualifications.
      expect(res.body.responder).toBeNull();
      expect(res.text).not.toContain(victimId);

      const {
        rows: [attempt],
      } = await pg.query(`SELECT responder_id, verification_id, deployment_id, credential_hash, decision FROM check_in_attempt WHERE id = $1`, [
        res.body.attemptId,
      ]);
      expect(attempt).toEqual({ responder_id: null, verification_id: null, deployment_id: null, credential_hash: sha256(jws), decision: 'denied' });
      const { rows: kept } = await pg.query(`SELECT 1 FROM presented_credential WHERE hash = $1`, [sha256(jws)]);
      expect(kept).toEqual([]);
      const {
        rows: [event],
      } = await pg.query(`SELECT name, payload::text AS payload FROM outbox_event WHERE incident_id = $1 ORDER BY seq DESC LIMIT 1`, [incident.id]);
      expect(event.name).toBe('checkin.denied');
      expect(event.payload).not.toContain(victimId);
      // The denial is in the audit trail, about no responder.
      const audit = await request(world.http)
        .get(`/audit/entries?incidentId=${incident.id}&action=checkin.denied&limit=100`)
        .set(...bearer(world.adminToken))
        .expect(200);
      const entry = (audit.body.entries as Array<{ payload: { attemptId: string; responderId: string | null; reasons: Array<{ code: string }> } }>).find(
        (e) => e.payload.attemptId === res.body.attemptId,
      );
      expect(entry?.payload).toMatchObject({ responderId: null, reasons: expect.arrayContaining([expect.objectContaining({ code })]) });
    }

    // The responder row, their credentials and verifications are exactly as they were; nobody new was created.
    expect(await storedIdentity(victimId)).toEqual(before);
    const {
      rows: [{ n: respondersAfter }],
    } = await pg.query(`SELECT count(*)::int AS n FROM responder`);
    expect(respondersAfter).toBe(respondersBefore);
    const { rows: history } = await pg.query(`SELECT 1 FROM responder_identity_change WHERE responder_id = $1`, [victimId]);
    expect(history).toEqual([]);

    // Everywhere the responder is shown: the roster (the live board's snapshot), the deployment, the ICS 211, the state's report.
    const roster = await request(world.http)
      .get(`/incidents/${incident.id}/roster`)
      .set(...bearer(commander.token))
      .expect(200);
    const entry = (roster.body.entries as Array<{ id: string; responder: { id: string; name: string; email: string | null } }>).find(
      (e) => e.responder.id === victimId,
    );
    expect(entry?.responder).toEqual({ id: victimId, name: victim.name, email: victim.email });
    expect(roster.body.entries.map((e: { responder: { name: string } }) => e.responder.name)).not.toContain(impostor.name);
    const deployment = await request(world.http)
      .get(`/incidents/${incident.id}/deployments/${admitted.deployment.id}`)
      .set(...bearer(commander.token))
      .expect(200);
    expect(deployment.body).toMatchObject({ responder: { name: victim.name, email: victim.email }, credential: { qualification: 'RN' } });
    const csv = await request(world.http)
      .get(`/incidents/${incident.id}/ics211.csv`)
      .set(...bearer(commander.token))
      .expect(200);
    expect(csv.text).toContain(victim.name);
    expect(csv.text).not.toContain(impostor.name);
    const report = await request(world.http)
      .get(`/reports/incidents/${incident.id}/deployments`)
      .set(...bearer(world.adminToken))
      .expect(200);
    const row = (report.body.deployments as Array<{ responder: { id: string; name: string }; qualification: string }>).find((d) => d.responder.id === victimId);
    expect(row).toMatchObject({ responder: { name: victim.name }, qualification: 'RN' });
    expect(JSON.stringify(report.body)).not.toContain(impostor.name);

    // A later trusted scan of the victim still gets their own identity and qualifications.
    const again = (await scan((await issue('fl-nursing', 'RN', victim)).jws).expect(201)).body;
    expect(again).toMatchObject({ decision: 'admitted', alreadyCheckedIn: true, responder: { id: victimId, name: victim.name, qualifications: ['RN'] } });
  });

  it('a trusted issuer naming a known responder differently renames them visibly: a history row per field and an audit entry', async () => {
    const subject = `urn:uuid:${randomUUID()}`;
    const original = { id: subject, name: 'Lee Original', email: 'lee@old.example.org' };
    const first = (await scan((await issue('fl-nursing', 'RN', original)).jws).expect(201)).body;
    const responderId = first.responder.id as string;
    await request(world.http)
      .post(`/incidents/${incident.id}/deployments/${first.deployment.id}/check-out`)
      .set(...bearer(checkin.token))
      .send({})
      .expect(200);

    // Another board the incident trusts vouches for the same subject under another name and e-mail.
    const renamed = { id: subject, name: 'Lee Renamed', email: 'lee@new.example.org' };
    const badge = await issue('nremt', 'PARAMEDIC', renamed);
    const second = (await scan(badge.jws).expect(201)).body;
    expect(second).toMatchObject({ decision: 'admitted', responder: { id: responderId, name: renamed.name, qualifications: ['PARAMEDIC', 'RN'] } });

    const {
      rows: [stored],
    } = await pg.query(`SELECT name, email, subject_hash FROM responder WHERE id = $1`, [responderId]);
    expect(stored).toEqual({ name: renamed.name, email: renamed.email, subject_hash: matchingHashOf(subject) });
    const nremt = world.issuer.board('nremt').did;
    const { rows: changes } = await pg.query(
      `SELECT field, old_value, new_value, issuer_id, credential_hash, incident_id, attempt_id FROM responder_identity_change WHERE responder_id = $1 ORDER BY field`,
      [responderId],
    );
    const provenance = { issuer_id: nremt, credential_hash: sha256(badge.jws), incident_id: incident.id, attempt_id: second.attemptId };
    expect(changes).toEqual([
      { field: 'email', old_value: original.email, new_value: renamed.email, ...provenance },
      { field: 'name', old_value: original.name, new_value: renamed.name, ...provenance },
    ]);

    const history = await request(world.http)
      .get(`/incidents/${incident.id}/deployments/${second.deployment.id}/history`)
      .set(...bearer(commander.token))
      .expect(200);
    expect(history.body.identityChanges).toEqual([
      expect.objectContaining({
        field: 'email',
        from: original.email,
        to: renamed.email,
        issuerId: nremt,
        credentialHash: sha256(badge.jws),
        incidentId: incident.id,
      }),
      expect.objectContaining({
        field: 'name',
        from: original.name,
        to: renamed.name,
        issuerId: nremt,
        credentialHash: sha256(badge.jws),
        incidentId: incident.id,
      }),
    ]);

    const audit = await request(world.http)
      .get(`/audit/entries?incidentId=${incident.id}&action=responder.identity_changed&limit=100`)
      .set(...bearer(world.adminToken))
      .expect(200);
    const entries = (audit.body.entries as Array<{ payload: Record<string, unknown> }>).filter((e) => e.payload.responderId === responderId);
    expect(entries).toHaveLength(1);
    expect(entries[0].payload).toMatchObject({
      responderId,
      attemptId: second.attemptId,
      fields: ['email', 'name'],
      before: { name: original.name, email: original.email },
      after: { name: renamed.name, email: renamed.email },
      issuer: { id: nremt, registryName: expect.any(String) },
      credentialHash: sha256(badge.jws),
    });
    const chain = await request(world.http)
      .get(`/audit/verify?incidentId=${incident.id}`)
      .set(...bearer(world.adminToken))
      .expect(200);
    expect(chain.body).toMatchObject({ ok: true });

    // The same name again, or a badge that carries no e-mail, changes nothing and records nothing.
    await request(world.http)
      .post(`/incidents/${incident.id}/deployments/${second.deployment.id}/check-out`)
      .set(...bearer(checkin.token))
      .send({})
      .expect(200);
    const third = (await scan((await issue('fl-nursing', 'RN', { id: subject, name: renamed.name })).jws).expect(201)).body;
    expect(third).toMatchObject({ decision: 'admitted', responder: { id: responderId, name: renamed.name } });
    const {
      rows: [{ n }],
    } = await pg.query(`SELECT count(*)::int AS n FROM responder_identity_change WHERE responder_id = $1`, [responderId]);
    expect(n).toBe(2);
    const {
      rows: [after],
    } = await pg.query(`SELECT name, email FROM responder WHERE id = $1`, [responderId]);
    expect(after).toEqual({ name: renamed.name, email: renamed.email });
  });
});
