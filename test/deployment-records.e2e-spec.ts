import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import request from 'supertest';
import { runCli } from '../apps/cli/src/cli';
import { ContractVerifier } from '@app/credentials';
import { type LogRecordMailer, RecordMailer } from '@app/deployment-records';
import { ADMIN, bearer, freePort, signIn, startApi } from './support/test-app';
import { createIncident, staffFor, startWorld, type IncidentFixture, type World } from './support/world';

const decode = (jwt: string): Record<string, any> => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));

describe('deployment records: issued at check-out, verified, revoked', () => {
  let world: World;
  let did: string;
  let incident: IncidentFixture;
  let later: IncidentFixture;
  let checkin: { id: string; token: string };
  let commander: { id: string; token: string };
  let laterCheckin: { id: string; token: string };
  let record: { id: string; jwt: string; credential: Record<string, any> };
  let admittingHash: string;

  const cli = async (args: string[], stdin = ''): Promise<{ code: number; out: string }> => {
    const out: string[] = [];
    const code = await runCli(args, {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: () => undefined },
      readStdin: async () => stdin,
      env: world.env.env,
    });
    return { code, out: out.join('') };
  };
  const verify = (jwt: string) =>
    request(world.http)
      .post('/credentials/verify')
      .set(...bearer(commander.token))
      .send({ verifiableCredential: jwt, options: { jurisdiction: 'US-FL' } });
  const scan = (credential: string, at: IncidentFixture, token: string, extra: Record<string, unknown> = {}) =>
    request(world.http)
      .post(`/incidents/${at.id}/check-ins`)
      .set(...bearer(token))
      .set('Idempotency-Key', randomUUID())
      .send({ credential, ...extra });
  const checkOut = (at: IncidentFixture, deploymentId: string, token: string) =>
    request(world.http)
      .post(`/incidents/${at.id}/deployments/${deploymentId}/check-out`)
      .set(...bearer(token))
      .send({});
  const getRecord = (at: IncidentFixture, deploymentId: string, token: string) =>
    request(world.http)
      .get(`/incidents/${at.id}/deployments/${deploymentId}/record`)
      .set(...bearer(token));

  beforeAll(async () => {
    const port = await freePort();
    did = `did:web:127.0.0.1%3A${port}`;
    world = await startWorld('records', {
      listen: true,
      port,
      env: { RECORDS_ISSUER_DID: did, RECORDS_ISSUER_NAME: 'Florida Division of Emergency Management', RECORDS_ISSUER_JURISDICTION: 'US-FL' },
    });
    incident = await createIncident(world.http, world.adminToken, { name: 'Surfside Building Collapse', type: 'Structural collapse' });
    later = await createIncident(world.http, world.adminToken, { name: 'Hurricane Ian Shelters', type: 'Hurricane' });
    checkin = await staffFor(world.http, world.adminToken, incident.id, 'checkin');
    commander = await staffFor(world.http, world.adminToken, incident.id, 'commander');
    laterCheckin = await staffFor(world.http, world.adminToken, later.id, 'checkin');
  });
  afterAll(async () => world?.close());

  it('issues an Open Badges 3.0 AchievementCredential (vc+jwt) at check-out, naming the kind the agency defined', async () => {
    await request(world.http)
      .put('/deployment-records/kinds')
      .set(...bearer(world.adminToken))
      .send({ incidentType: 'Structural collapse', name: 'Disaster Deployment: Structural Collapse, Medical Unit' })
      .expect(200);
    await request(world.http)
      .put('/deployment-records/kinds')
      .set(...bearer(commander.token))
      .send({ incidentType: 'Hurricane', name: 'Not allowed' })
      .expect(403);

    const { jws } = await world.issuer
      .board('fl-nursing')
      .issue({ format: 'vc+jwt', qualification: 'RN', subject: { id: 'did:example:ana-diaz', name: 'Ana Diaz', email: 'ana@example.org' } });
    const admitted = await scan(jws, incident, checkin.token, { positionId: incident.positions['Triage Nurse'] }).expect(201);
    expect(admitted.body.decision).toBe('admitted');
    admittingHash = admitted.body.verification.evidence.credentialHash;
    expect(admittingHash).toMatch(/^[0-9a-f]{64}$/);
    const deploymentId: string = admitted.body.deployment.id;
    await request(world.http)
      .post(`/incidents/${incident.id}/deployments/${deploymentId}/status`)
      .set(...bearer(commander.token))
      .send({ status: 'assigned', assignment: 'Division A' })
      .expect(200);
    // No record before check-out.
    await getRecord(incident, deploymentId, checkin.token).expect(404);
    await checkOut(incident, deploymentId, checkin.token).expect(200);

    const res = await getRecord(incident, deploymentId, checkin.token).expect(200);
    expect(res.body.state).toBe('issued');
    record = res.body;
    expect(decodeProtectedHeader(record.jwt)).toMatchObject({ alg: 'EdDSA', typ: 'vc+jwt' });
    expect(String(decodeProtectedHeader(record.jwt).kid)).toMatch(new RegExp(`^${did}#`));
    expect(decode(record.jwt)).toEqual(record.credential);
    expect(record.credential).toMatchObject({
      '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
      type: ['VerifiableCredential', 'AchievementCredential', 'DeploymentRecordCredential'],
      id: `urn:uuid:${record.id}`,
      issuer: { id: did, name: 'Florida Division of Emergency Management' },
      name: 'Disaster Deployment: Structural Collapse, Medical Unit',
      credentialSubject: {
        id: 'did:example:ana-diaz',
        type: ['AchievementSubject'],
        identifier: [{ identityType: 'name', identityHash: 'Ana Diaz' }],
        achievement: { type: ['Achievement'], name: 'Disaster Deployment: Structural Collapse, Medical Unit' },
        role: 'Triage Nurse',
        deployment: {
          incident: { name: 'Surfside Building Collapse', type: 'Structural collapse', jurisdiction: 'US-FL' },
          positions: ['Triage Nurse'],
          assignments: ['Division A'],
          days: 1,
          admittedBy: { credentialHash: admittingHash, qualification: 'RN', issuer: world.issuer.board('fl-nursing').did },
        },
      },
      credentialStatus: {
        type: 'BitstringStatusListEntry',
        statusPurpose: 'revocation',
        statusListCredential: `http://127.0.0.1:${did.split('%3A')[1]}/deployment-records/status/1`,
      },
    });
    expect(record.credential.credentialSubject.activityEndDate).toBe(
      record.credential.validFrom.slice(0, 10) + record.credential.credentialSubject.activityEndDate.slice(10),
    );
    expect(record.credential.credentialSubject.deployment.legalBasis).toMatch(/trusted for RN in US-FL/);
    expect(typeof record.credential.credentialSubject.deployment.hoursOnDuty).toBe('number');
    // The admitting credential by hash only, never a copy.
    // It fits one QR code (byte mode, level L: 2,953 bytes).
    expect(record.jwt.length).toBeLessThan(2953);
    expect(JSON.stringify(record.credential)).not.toContain(jws.split('.')[2]);
    // Delivery: a QR code of the JWT and the e-mail hook (a log sender here).
    expect(res.body.qrSvg).toMatch(/^<svg/);
    const mailer = world.api.app.get(RecordMailer) as LogRecordMailer;
    expect(mailer.sent).toContainEqual({ recordId: record.id, to: 'ana@example.org' });
  });

  it('publishes the issuer key in its did:web document and the status list, without sign-in', async () => {
    const doc = await request(world.http).get('/.well-known/did.json').expect(200);
    const kid = String(decodeProtectedHeader(record.jwt).kid);
    expect(doc.body).toMatchObject({ id: did, assertionMethod: [kid] });
    expect(doc.body.verificationMethod[0]).toMatchObject({ id: kid, type: 'JsonWebKey', controller: did, publicKeyJwk: { kty: 'OKP', crv: 'Ed25519' } });
    expect(doc.body.verificationMethod[0].publicKeyJwk.d).toBeUndefined();
    const list = await request(world.http).get('/deployment-records/status/1').expect(200);
    expect(list.headers['content-type']).toMatch(/application\/vc\+jwt/);
    expect(decode(list.text)).toMatchObject({ type: ['VerifiableCredential', 'BitstringStatusListCredential'], issuer: did });
    await request(world.http).get('/deployment-records/status/abc').expect(400);
  });

  it('the verifier accepts it: POST /credentials/verify, the CLI and the vc-jose-cose suite contract', async () => {
    const res = await verify(record.jwt).expect(200);
    expect(res.body).toMatchObject({
      verified: true,
      credential: { qualification: 'DEPLOYMENT_RECORD', issuer: { id: did, registryName: 'Florida Division of Emergency Management' } },
    });
    expect(res.body.checks.find((c: { id: string }) => c.id === 'status')).toMatchObject({ status: 'pass' });

    const viaCli = await cli(['verify', '--jurisdiction', 'US-FL', '-'], record.jwt);
    expect(viaCli.code).toBe(0);
    expect(JSON.parse(viaCli.out)).toMatchObject({ verified: true, credential: { qualification: 'DEPLOYMENT_RECORD' } });

    const doc = (await request(world.http).get('/.well-known/did.json').expect(200)).body;
    const method = doc.verificationMethod[0];
    const contract = await new ContractVerifier({ clockSkewSeconds: 60 }).verify(record.jwt, method, 'credential_jose');
    expect(contract.result).toBe('success');
    const dir = await mkdtemp(join(tmpdir(), 'record-contract-'));
    await writeFile(join(dir, 'input.jwt'), record.jwt);
    await writeFile(join(dir, 'key.json'), JSON.stringify(method));
    const run = await cli([
      'verify',
      '--input',
      join(dir, 'input.jwt'),
      '--key',
      join(dir, 'key.json'),
      '--feature',
      'credential_jose',
      '--output',
      join(dir, 'out.json'),
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'out.json'), 'utf8'))).toMatchObject({ result: 'success' });
    // A tampered record fails the same contract.
    const [h, p, s] = record.jwt.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...decode(record.jwt), name: 'Forged' })).toString('base64url')}.${s}`;
    expect(p).not.toBe(forged.split('.')[1]);
    expect((await new ContractVerifier({ clockSkewSeconds: 60 }).verify(forged, method, 'credential_jose')).result).toBe('failure');
  });

  it('at a later incident the record shows the deployment history, and is no licence: check-in still needs one', async () => {
    const denied = await scan(record.jwt, later, laterCheckin.token).expect(201);
    expect(denied.body.decision).toBe('denied');
    expect(denied.body.reasons).toEqual([expect.objectContaining({ code: 'deployment_record' })]);
    const shown = await request(world.http)
      .post('/deployment-records/presented')
      .set(...bearer(laterCheckin.token))
      .send({ verifiableCredential: record.jwt })
      .expect(200);
    expect(shown.body).toMatchObject({ verified: true, subjectId: 'did:example:ana-diaz', name: 'Ana Diaz', history: { deployments: 1, totalDays: 1 } });
    expect(shown.body.history.items[0]).toMatchObject({ recordId: record.id, incident: 'Surfside Building Collapse' });
    // A licence is not a record.
    const { jws } = await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Bo Lee' } });
    const notRecord = await request(world.http)
      .post('/deployment-records/presented')
      .set(...bearer(laterCheckin.token))
      .send({ verifiableCredential: jws })
      .expect(200);
    expect(notRecord.body).toMatchObject({ verified: false, history: null });
  });

  it('a registry entry for the agency DID cannot make its key vouch for a licence', async () => {
    await request(world.http)
      .post('/trust/issuers')
      .set(...bearer(world.adminToken))
      .send({ id: did, name: 'Spoofed', jurisdictions: ['US'], qualifications: ['RN'] })
      .expect(201);
    const res = await verify(record.jwt).expect(200);
    expect(res.body.credential).toMatchObject({ qualification: 'DEPLOYMENT_RECORD', issuer: { registryName: 'Florida Division of Emergency Management' } });
    const denied = await scan(record.jwt, later, laterCheckin.token, { positionId: later.positions['Triage Nurse'] }).expect(201);
    expect(denied.body.decision).toBe('denied');
  });

  it('an admin revokes a record issued in error (audited); every verifier then refuses it', async () => {
    await request(world.http)
      .post(`/deployment-records/${record.id}/revoke`)
      .set(...bearer(commander.token))
      .send({ reason: 'Issued in error' })
      .expect(403);
    await request(world.http)
      .post(`/deployment-records/${record.id}/revoke`)
      .set(...bearer(world.adminToken))
      .send({})
      .expect(400);
    const revoked = await request(world.http)
      .post(`/deployment-records/${record.id}/revoke`)
      .set(...bearer(world.adminToken))
      .send({ reason: 'Issued in error' })
      .expect(200);
    expect(revoked.body).toMatchObject({ state: 'revoked', revokeReason: 'Issued in error' });
    await request(world.http)
      .post(`/deployment-records/${record.id}/revoke`)
      .set(...bearer(world.adminToken))
      .send({ reason: 'again' })
      .expect(409);
    await request(world.http)
      .post(`/deployment-records/${randomUUID()}/revoke`)
      .set(...bearer(world.adminToken))
      .send({ reason: 'unknown' })
      .expect(404);

    const refused = await verify(record.jwt);
    expect(refused.body).toMatchObject({ verified: false });
    expect(refused.body.errors.map((e: { code: string }) => e.code)).toContain('revoked');
    const viaCli = await cli(['verify', '--jurisdiction', 'US-FL', '-'], record.jwt);
    expect(viaCli.code).toBe(1);
    expect(JSON.parse(viaCli.out).errors[0].code).toBe('revoked');
    const shown = await request(world.http)
      .post('/deployment-records/presented')
      .set(...bearer(laterCheckin.token))
      .send({ verifiableCredential: record.jwt })
      .expect(200);
    expect(shown.body).toMatchObject({ verified: false, history: null });

    const audit = await request(world.http)
      .get('/audit/entries')
      .query({ action: 'deployment_record.*', incidentId: incident.id })
      .set(...bearer(world.adminToken))
      .expect(200);
    const actions = (audit.body.entries ?? audit.body.items ?? audit.body).map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['deployment_record.issued', 'deployment_record.revoked']));
  });
  it('rotates the issuer key: published first, signing from its activation; older keys stay published', async () => {
    const oldKid = String(decodeProtectedHeader(record.jwt).kid);
    await request(world.http)
      .post('/deployment-records/issuer-keys/rotate')
      .set(...bearer(commander.token))
      .send({})
      .expect(403);
    await request(world.http)
      .post('/deployment-records/issuer-keys/rotate')
      .set(...bearer(world.adminToken))
      .send({ activateInSeconds: -1 })
      .expect(400);
    const announced = await request(world.http)
      .post('/deployment-records/issuer-keys/rotate')
      .set(...bearer(world.adminToken))
      .send({})
      .expect(200);
    expect(announced.body.verificationMethod).toBe(`${did}#${announced.body.kid}`);
    expect(Date.parse(announced.body.activatesAt) - Date.now()).toBeGreaterThan(500_000);
    const doc = await request(world.http).get('/.well-known/did.json').expect(200);
    expect(doc.body.assertionMethod).toEqual(expect.arrayContaining([oldKid, announced.body.verificationMethod]));

    const release = async (name: string) => {
      const { jws } = await world.issuer.board('fl-ems').issue({ format: 'vc+jwt', qualification: 'PARAMEDIC', subject: { name } });
      const admitted = await scan(jws, incident, checkin.token).expect(201);
      await checkOut(incident, admitted.body.deployment.id, checkin.token).expect(200);
      return (await getRecord(incident, admitted.body.deployment.id, commander.token).expect(200)).body;
    };
    // Announced, not active: records are still signed with the old key, which every verifier's cached document has.
    const before = await release('Cy Park');
    expect(decodeProtectedHeader(before.jwt).kid).toBe(oldKid);
    expect((await verify(before.jwt)).body).toMatchObject({ verified: true });

    // At once (the old key must stop): the next records carry the new kid; a verifier that reads the document now accepts them.
    const urgent = await request(world.http)
      .post('/deployment-records/issuer-keys/rotate')
      .set(...bearer(world.adminToken))
      .send({ activateInSeconds: 0 })
      .expect(200);
    const after = await release('Di Quinn');
    expect(decodeProtectedHeader(after.jwt).kid).toBe(urgent.body.verificationMethod);
    const fresh = await startApi(world.env.env);
    try {
      const token = await signIn(fresh.http, ADMIN.email, ADMIN.password);
      for (const jwt of [after.jwt, before.jwt]) {
        const res = await request(fresh.http)
          .post('/credentials/verify')
          .set(...bearer(token))
          .send({ verifiableCredential: jwt, options: { jurisdiction: 'US-FL' } });
        expect(res.body).toMatchObject({ verified: true, warnings: [] });
      }
    } finally {
      await fresh.close();
    }
  });
});

describe('deployment records: off unless RECORDS_ISSUER_DID is set', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld('records-off');
  });
  afterAll(async () => world?.close());

  it('check-out works as before; no record, no DID document', async () => {
    const incident = await createIncident(world.http, world.adminToken);
    const checkin = await staffFor(world.http, world.adminToken, incident.id, 'checkin');
    const { jws } = await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Di Off' } });
    const admitted = await request(world.http)
      .post(`/incidents/${incident.id}/check-ins`)
      .set(...bearer(checkin.token))
      .set('Idempotency-Key', randomUUID())
      .send({ credential: jws })
      .expect(201);
    await request(world.http)
      .post(`/incidents/${incident.id}/deployments/${admitted.body.deployment.id}/check-out`)
      .set(...bearer(checkin.token))
      .send({})
      .expect(200);
    await request(world.http)
      .get(`/incidents/${incident.id}/deployments/${admitted.body.deployment.id}/record`)
      .set(...bearer(checkin.token))
      .expect(404);
    await request(world.http).get('/.well-known/did.json').expect(404);
  });
});
