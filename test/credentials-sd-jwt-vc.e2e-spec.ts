import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { presentSdJwt } from '@app/credentials';
import { runCli } from '../apps/cli/src/cli';
import { startIssuerServer, type IssuerServer } from '../apps/issuer/src';
import { FixtureIssuerServer, generateKey, RN_VCT, trustListFor, type FixtureBoard } from './support/credential-fixtures';
import { ADMIN, bearer, createTestEnv, createUser, signIn, startApi, type TestApi, type TestEnv } from './support/test-app';
import { REVERIFY_TEST_ENV, startWorker, sweepOnce } from './support/reverification';
import { createIncident, staffFor } from './support/world';

/**
 * SD-JWT VCs through POST /credentials/verify and the CLI: boards publishing their keys as JWT VC Issuer Metadata and
 * their revocations as a Token Status List on a local server, the trust registry (with a `vct` rule) in PostgreSQL,
 * the status-list cache in Redis.
 */
describe('SD-JWT VC through POST /credentials/verify', () => {
  let env: TestEnv;
  let api: TestApi;
  let issuer: FixtureIssuerServer;
  let demo: IssuerServer;
  let token: string;
  let adminToken: string;
  const boards: Record<string, FixtureBoard> = {};
  const holder = generateKey('ES256');
  const AUD = 'https://checkin.example.org';

  const verify = (verifiableCredential: unknown, options: Record<string, unknown> = { jurisdiction: 'US-FL' }) =>
    request(api.http)
      .post('/credentials/verify')
      .set(...bearer(token))
      .send({ verifiableCredential, options });
  const check = (body: { checks: Array<{ id: string; status: string; code: string }> }, id: string) => body.checks.find((c) => c.id === id);
  const present = (sdJwt: string, nonce = 'nonce-1', iat = Math.floor(Date.now() / 1000)) =>
    presentSdJwt(sdJwt, ['given_name', 'family_name', 'license_number'], { key: holder.privateKey, alg: 'ES256', aud: AUD, nonce, iat });

  beforeAll(async () => {
    issuer = await FixtureIssuerServer.start();
    for (const slug of ['fl-nursing-sd', 'rogue-sd']) boards[slug] = issuer.board(slug, 'ES256');
    demo = await startIssuerServer({ port: 0, statusListTtlMs: 1000 });
    env = await createTestEnv('sdjwtvc', REVERIFY_TEST_ENV);
    api = await startApi(env.env);
    adminToken = await signIn(api.http, ADMIN.email, ADMIN.password);
    const list = trustListFor([{ board: boards['fl-nursing-sd'], name: 'Florida Board of Nursing (SD-JWT)', asSdJwtIssuer: true }]) as { issuers: unknown[] };
    const demoNursing = demo.board('fl-nursing');
    list.issuers.push({ id: demoNursing.did, name: demoNursing.name, jurisdictions: ['US-FL'], qualifications: ['RN'] });
    await request(api.http)
      .put('/trust/list')
      .set(...bearer(adminToken))
      .send(list)
      .expect(200);
    token = (await createUser(api.http, adminToken, 'checkin')).token;
  });
  afterAll(async () => {
    await api?.close();
    await env?.drop();
    await issuer?.close();
    await demo?.close();
  });

  it('200 for a trusted SD-JWT VC with Key Binding and a Token Status List: registry name, vct qualification, evidence', async () => {
    const board = boards['fl-nursing-sd'];
    const sdJwt = present(board.issueSdJwtVc({ holderJwk: holder.publicJwk, statusIndex: 11 }), 'nonce-200');
    const res = await verify(sdJwt, { jurisdiction: 'US-FL', challenge: 'nonce-200', domain: AUD }).expect(200);
    expect(res.body).toMatchObject({ verified: true, errors: [], warnings: [] });
    expect(res.body.credential).toMatchObject({
      format: 'dc+sd-jwt',
      vct: RN_VCT,
      qualification: 'RN',
      issuer: { id: board.sdJwtIssuer, registryName: 'Florida Board of Nursing (SD-JWT)' },
      subject: { name: 'Dana Rivera', id: expect.stringMatching(/^urn:ietf:params:oauth:jwk-thumbprint:sha-256:/) },
      licenseNumber: 'RN9912345',
      validFrom: expect.any(String),
      validUntil: expect.any(String),
    });
    expect(res.body.evidence).toMatchObject({
      algorithm: 'ES256',
      keyId: `${board.sdJwtIssuer}#sd-jwt-key-1`,
      credentialHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(res.body.evidence.status).toEqual([
      { listUrl: board.tokenStatusListUrl(), purpose: 'status_list', index: 11, value: 0, fetchedAt: expect.any(String) },
    ]);
    expect(res.body.jws).toBeUndefined();
  });

  it('the JWS JSON serializations (RFC 9901 section 8): flattened as an object, general as text; a foreign Disclosure is refused', async () => {
    const board = boards['fl-nursing-sd'];
    const compact = present(board.issueSdJwtVc({ holderJwk: holder.publicJwk, statusIndex: 12 }), 'nonce-json');
    const parts = compact.split('~');
    const [protectedHeader, payload, signature] = parts[0].split('.');
    const header = { disclosures: parts.slice(1, -1), kb_jwt: parts[parts.length - 1] };
    const flattened = { payload, protected: protectedHeader, header, signature };
    const options = { jurisdiction: 'US-FL', challenge: 'nonce-json', domain: AUD };
    const flat = await verify(flattened, options).expect(200);
    expect(flat.body.credential).toMatchObject({ format: 'dc+sd-jwt', qualification: 'RN', subject: { name: 'Dana Rivera' } });
    expect(flat.body.evidence.credentialHash).toBe(createHash('sha256').update(compact).digest('hex'));
    const general = { payload, signatures: [{ protected: protectedHeader, header, signature }] };
    const text = await request(api.http)
      .post(`/credentials/verify?jurisdiction=US-FL`)
      .set(...bearer(token))
      .set('content-type', 'text/plain')
      .send(JSON.stringify(general))
      .expect(200);
    expect(text.body.evidence.credentialHash).toBe(flat.body.evidence.credentialHash);
    const changed = Buffer.from(JSON.stringify(['c2FsdA', 'given_name', 'Mallory'])).toString('base64url');
    const bad = await verify({ ...flattened, header: { ...header, disclosures: [changed, ...header.disclosures.slice(1)] } }, options).expect(400);
    expect(check(bad.body, 'signature')).toMatchObject({ status: 'fail', code: 'signature_invalid' });
    const broken = await verify({ ...flattened, header: { ...header, disclosures: 'x' } }, options).expect(400);
    expect(check(broken.body, 'format')).toMatchObject({ status: 'fail', code: 'malformed' });
  });

  it('the trust list exports the vct rule it was given', async () => {
    const res = await request(api.http)
      .get('/trust/list')
      .set(...bearer(adminToken))
      .expect(200);
    expect(res.body.qualifications.find((q: { code: string }) => q.code === 'RN').rules).toContainEqual({ vct: RN_VCT });
  });

  it('revoked and suspended through the Token Status List', async () => {
    const board = boards['fl-nursing-sd'];
    board.tokenStatus.set(21, 1);
    board.tokenStatus.set(22, 2);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the list's ttl is 1 s: the next read fetches it again
    const revoked = await verify(present(board.issueSdJwtVc({ holderJwk: holder.publicJwk, statusIndex: 21 }))).expect(400);
    expect(revoked.body.errors).toEqual([expect.objectContaining({ id: 'status', code: 'revoked' })]);
    const suspended = await verify(present(board.issueSdJwtVc({ holderJwk: holder.publicJwk, statusIndex: 22 }))).expect(400);
    expect(suspended.body.errors).toEqual([expect.objectContaining({ id: 'status', code: 'suspended' })]);
  });

  it('untrusted issuer: untrusted_issuer from the registry alone, nothing fetched from it', async () => {
    const rogue = boards['rogue-sd'];
    const res = await verify(present(rogue.issueSdJwtVc({ holderJwk: holder.publicJwk, statusIndex: 3 }))).expect(400);
    expect(check(res.body, 'issuer_trust')).toMatchObject({ status: 'fail', code: 'untrusted_issuer' });
    expect(res.body.checks.filter((c: { status: string }) => c.status === 'skipped')).toHaveLength(4);
    expect(rogue.sdJwtHits).toBe(0);
  });

  it('tampered Disclosure, wrong issuer key, bad Key Binding: 400 with the reason', async () => {
    const board = boards['fl-nursing-sd'];
    const [jwt, first, ...rest] = present(board.issueSdJwtVc({ holderJwk: holder.publicJwk })).split('~');
    const contents = JSON.parse(Buffer.from(first, 'base64url').toString()) as unknown[];
    contents[2] = 'Somebody Else';
    const tampered = [jwt, Buffer.from(JSON.stringify(contents)).toString('base64url'), ...rest].join('~');
    expect(check((await verify(tampered).expect(400)).body, 'signature')).toMatchObject({ code: 'signature_invalid' });

    const forged = present(board.issueSdJwtVc({ holderJwk: holder.publicJwk, signWith: generateKey('ES256').privateKey }));
    expect(check((await verify(forged).expect(400)).body, 'signature')).toMatchObject({ code: 'signature_invalid' });

    const thief = generateKey('ES256');
    const stolen = presentSdJwt(board.issueSdJwtVc({ holderJwk: holder.publicJwk }), ['given_name'], {
      key: thief.privateKey,
      alg: 'ES256',
      aud: AUD,
      nonce: 'n',
      iat: Math.floor(Date.now() / 1000),
    });
    expect(check((await verify(stolen).expect(400)).body, 'signature')).toMatchObject({ code: 'signature_invalid' });

    const stale = present(board.issueSdJwtVc({ holderJwk: holder.publicJwk }), 'n', Math.floor(Date.now() / 1000) - 3600);
    expect(check((await verify(stale).expect(400)).body, 'validity')).toMatchObject({ code: 'expired' });

    const other = await verify(present(board.issueSdJwtVc({ holderJwk: holder.publicJwk }), 'nonce-a'), { jurisdiction: 'US-FL', challenge: 'nonce-b' }).expect(
      400,
    );
    expect(check(other.body, 'signature')).toMatchObject({ code: 'signature_invalid' });
  });

  it('a disclosure flood and a broken SD-JWT are 400 malformed, never a 5xx', async () => {
    const issued = boards['fl-nursing-sd'].issueSdJwtVc();
    const [jwt, first] = issued.split('~');
    const flood = `${jwt}~${Array.from({ length: 200 }, () => first).join('~')}~`;
    expect(check((await verify(flood).expect(400)).body, 'format')).toMatchObject({ code: 'malformed' });
    for (const bad of [`${jwt}~!!~`, `${jwt}~${first}~${first}~`, `${jwt}~${first}~not-a-jwt`, `data:application/dc+sd-jwt,${jwt}`]) {
      expect(check((await verify(bad).expect(400)).body, 'format')).toMatchObject({ code: 'malformed' });
    }
    await request(api.http)
      .post('/credentials/verify')
      .set(...bearer(token))
      .send({ verifiableCredential: issued, options: { challenge: 42 } })
      .expect(400);
  });

  it('check-in admits a responder holding an SD-JWT VC, and keeps the presentation for reverification', async () => {
    const incident = await createIncident(api.http, adminToken);
    const staff = await staffFor(api.http, adminToken, incident.id, 'checkin');
    const sdJwt = present(boards['fl-nursing-sd'].issueSdJwtVc({ holderJwk: holder.publicJwk, statusIndex: 12 }));
    const res = await request(api.http)
      .post(`/incidents/${incident.id}/check-ins`)
      .set(...bearer(staff.token))
      .set('Idempotency-Key', `sd-jwt-${Date.now()}`)
      .send({ credential: sdJwt, positionId: incident.positions['Triage Nurse'] })
      .expect(201);
    expect(res.body).toMatchObject({
      decision: 'admitted',
      responder: { name: 'Dana Rivera', qualifications: ['RN'] },
      deployment: { credential: { qualification: 'RN', licenseNumber: 'RN9912345', issuerName: 'Florida Board of Nursing (SD-JWT)' } },
    });
    const db = new Client({ connectionString: env.dbUrl });
    await db.connect();
    try {
      const stored = await db.query(`SELECT jws, format, issuer_id FROM presented_credential WHERE jws = $1`, [sdJwt]);
      expect(stored.rows).toEqual([{ jws: sdJwt, format: 'dc+sd-jwt', issuer_id: boards['fl-nursing-sd'].sdJwtIssuer }]);
    } finally {
      await db.end();
    }
  });

  it("the demo issuer's dc+sd-jwt format: a did:web issuer, its vct mapped by the registry, revocation through its Token Status List", async () => {
    const board = demo.board('fl-nursing');
    const issued = await board.issue({
      format: 'dc+sd-jwt',
      qualification: 'RN',
      subject: { name: 'Ana Diaz', email: 'ana@example.org' },
      licenseNumber: 'RN7654321',
    });
    const res = await verify(issued.jws).expect(200);
    expect(res.body.credential).toMatchObject({
      format: 'dc+sd-jwt',
      vct: RN_VCT,
      qualification: 'RN',
      issuer: { id: board.did, registryName: board.name },
      subject: { name: 'Ana Diaz', email: 'ana@example.org' },
      licenseNumber: 'RN7654321',
    });
    expect(res.body.evidence).toMatchObject({ keyId: board.keyId, status: [{ listUrl: board.tokenStatusListUrl(), index: issued.statusIndex, value: 0 }] });
    // The holder shows only the licence number: the rest stays undisclosed, the credential still verifies.
    const partial = await verify(presentSdJwt(issued.jws, ['license_number'])).expect(200);
    expect(partial.body.credential.subject.name).toBeUndefined();
    board.suspend(issued.statusIndex);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await verify(issued.jws).expect(400)).body.errors).toEqual([expect.objectContaining({ id: 'status', code: 'suspended' })]);
    board.revoke(issued.statusIndex);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await verify(issued.jws).expect(400)).body.errors).toEqual([expect.objectContaining({ id: 'status', code: 'revoked' })]);
  });

  it("the incident pack carries an https issuer's JWT VC Issuer Metadata keys, for SD-JWT VCs verified offline", async () => {
    const incident = await createIncident(api.http, adminToken);
    const staff = await staffFor(api.http, adminToken, incident.id, 'checkin');
    const res = await request(api.http)
      .get(`/incidents/${incident.id}/pack`)
      .set(...bearer(staff.token))
      .expect(200);
    const pack = JSON.parse((res.body as { payload: string }).payload) as { keys: Array<{ issuer: string; method: string; keys: Array<{ id: string }> }> };
    const board = boards['fl-nursing-sd'];
    expect(pack.keys.filter((k) => k.issuer === board.sdJwtIssuer)).toEqual([
      expect.objectContaining({ method: 'jwt-vc-issuer', keys: [expect.objectContaining({ id: expect.stringContaining('sd-jwt-key-1') })] }),
    ]);
    // A DID issuer has one entry: its DID document.
    expect(pack.keys.filter((k) => k.issuer === demo.board('fl-nursing').did).map((k) => k.method)).toEqual(['did:web']);
  });

  it('reverification: a sweep reads the Token Status Lists and the issuer metadata keys, and flags a revoked SD-JWT VC', async () => {
    const worker = await startWorker(env.env);
    try {
      const incident = await createIncident(api.http, adminToken);
      const staff = await staffFor(api.http, adminToken, incident.id, 'checkin');
      const checkIn = async (credential: string): Promise<string> => {
        const res = await request(api.http)
          .post(`/incidents/${incident.id}/check-ins`)
          .set(...bearer(staff.token))
          .set('Idempotency-Key', `sd-jwt-reverify-${Math.random()}`)
          .send({ credential, positionId: incident.positions['Triage Nurse'] })
          .expect(201);
        expect(res.body.decision).toBe('admitted');
        return res.body.deployment.id as string;
      };
      const demoBoard = demo.board('fl-nursing');
      const doomed = await demoBoard.issue({ format: 'dc+sd-jwt', qualification: 'RN', subject: { name: 'Rita Revoked' } });
      const doomedDeployment = await checkIn(doomed.jws);
      const otherHolder = generateKey('ES256');
      const kept = boards['fl-nursing-sd'].issueSdJwtVc({ holderJwk: otherHolder.publicJwk, statusIndex: 31, claims: { given_name: 'Kim' } });
      const keptDeployment = await checkIn(
        presentSdJwt(kept, ['given_name', 'family_name'], {
          key: otherHolder.privateKey,
          alg: 'ES256',
          aud: AUD,
          nonce: 'n',
          iat: Math.floor(Date.now() / 1000),
        }),
      );

      demoBoard.revoke(doomed.statusIndex);
      await new Promise((resolve) => setTimeout(resolve, 1100)); // past the list's ttl
      const sweep = await sweepOnce(api.http, adminToken);
      expect(sweep.result).toMatchObject({ flagged: 1, byFlag: { revoked: 1 }, unavailable: 0 });
      const state = async (id: string) =>
        (
          await request(api.http)
            .get(`/incidents/${incident.id}/deployments/${id}`)
            .set(...bearer(adminToken))
            .expect(200)
        ).body;
      expect(await state(doomedDeployment)).toMatchObject({ status: 'out_of_service', credentialFlag: { code: 'revoked' } });
      expect(await state(keptDeployment)).toMatchObject({ status: 'available', credentialFlag: null });
    } finally {
      await worker.close();
    }
  });

  it('the verify CLI reads SD-JWT VCs too (trust-list file, Key Binding options)', async () => {
    const board = boards['fl-nursing-sd'];
    const dir = mkdtempSync(join(tmpdir(), 'sdjwt-cli-'));
    const trustFile = join(dir, 'trust.json');
    writeFileSync(trustFile, JSON.stringify(trustListFor([{ board, name: 'Florida Board of Nursing (SD-JWT)', asSdJwtIssuer: true }])));
    const sdJwt = present(board.issueSdJwtVc({ holderJwk: holder.publicJwk }), 'cli-nonce');
    const out: string[] = [];
    const io = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => undefined }, readStdin: async () => sdJwt, env: env.env };
    expect(await runCli(['verify', '--trust', trustFile, '--jurisdiction', 'US-FL', '--challenge', 'cli-nonce', '--domain', AUD, '-'], io)).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({ verified: true, credential: { format: 'dc+sd-jwt', qualification: 'RN' } });
    out.length = 0;
    expect(await runCli(['verify', '--trust', trustFile, '--jurisdiction', 'US-FL', '--challenge', 'other', '-'], io)).toBe(1);
    expect(JSON.parse(out.join('')).errors[0]).toMatchObject({ id: 'signature', code: 'signature_invalid' });
    rmSync(dir, { recursive: true, force: true });
  });
});
