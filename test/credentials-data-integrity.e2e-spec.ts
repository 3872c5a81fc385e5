import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { Client } from 'pg';
import request from 'supertest';
import { runCli } from '../apps/cli/src/cli';
import { CONFORMANCE_CONTEXTS_DIR, didKey, signDataIntegrity } from './support/data-integrity-signer';
import { FixtureIssuerServer, trustListFor, type FixtureBoard } from './support/credential-fixtures';
import { REVERIFY_TEST_ENV, startWorker, sweepOnce } from './support/reverification';
import { ADMIN, bearer, createTestEnv, createUser, signIn, startApi, type TestApi, type TestEnv } from './support/test-app';
import { createIncident, staffFor } from './support/world';

/**
 * Open Badges 3.0 credentials secured with Data Integrity proofs through POST /credentials/verify and the CLI:
 * did:web issuers served by a local HTTP server, the trust registry in PostgreSQL, status lists (themselves
 * Data Integrity credentials) cached in Redis. The Open Badges contexts come from the conformance folder through
 * JSONLD_CONTEXTS_DIR, as an operator would configure them.
 */
describe('POST /credentials/verify with Data Integrity credentials', () => {
  let env: TestEnv;
  let api: TestApi;
  let issuer: FixtureIssuerServer;
  let token: string;
  let adminToken: string;
  const boards: Record<string, FixtureBoard> = {};

  const verify = (verifiableCredential: unknown, options: Record<string, unknown> = { jurisdiction: 'US-FL' }) =>
    request(api.http)
      .post('/credentials/verify')
      .set(...bearer(token))
      .send({ verifiableCredential, options });
  const check = (body: { checks: Array<{ id: string; status: string; code: string; message: string }> }, id: string) => body.checks.find((c) => c.id === id);

  beforeAll(async () => {
    issuer = await FixtureIssuerServer.start();
    for (const [slug, alg] of [
      ['fl-nursing', 'EdDSA'],
      ['fl-ems', 'ES256'],
      ['ga-nursing', 'ES384'],
      ['rogue', 'EdDSA'],
      ['fl-checkin', 'EdDSA'],
    ] as const) {
      boards[slug] = issuer.board(slug, alg);
    }
    for (const slug of ['fl-nursing', 'fl-checkin']) {
      boards[slug].lists.revocation.dataIntegrity = true;
      boards[slug].lists.suspension.dataIntegrity = true;
      boards[slug].lists.revocation.ttlMs = 1000;
    }

    env = await createTestEnv('credentials-di', { ...REVERIFY_TEST_ENV, JSONLD_CONTEXTS_DIR: CONFORMANCE_CONTEXTS_DIR });
    api = await startApi(env.env);
    adminToken = await signIn(api.http, ADMIN.email, ADMIN.password);
    const list = trustListFor([
      { board: boards['fl-nursing'], name: 'Florida Board of Nursing' },
      { board: boards['fl-checkin'], name: 'Florida Board of Nursing (check-in)' },
      { board: boards['fl-ems'], name: 'Florida Bureau of EMS' },
      { board: boards['ga-nursing'], name: 'Georgia Board of Nursing', jurisdictions: ['US-GA'] },
    ]);
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
  });

  it('200 for a trusted Open Badge with an eddsa-rdfc-2022 proof: registry name, qualification, evidence, status from a Data Integrity list', async () => {
    const board = boards['fl-nursing'];
    const credential = await board.issueDataIntegrity({ statusIndex: 7 });
    const res = await verify(credential).expect(200);
    expect(res.body).toMatchObject({ verified: true, errors: [], warnings: [] });
    expect(res.body.credential).toMatchObject({
      format: 'ldp-vc',
      issuer: { id: board.did, registryName: 'Florida Board of Nursing', claimedName: 'Whatever The Credential Claims' },
      qualification: 'RN',
      licenseNumber: 'RN9912345',
    });
    expect(res.body.evidence).toMatchObject({
      algorithm: 'eddsa-rdfc-2022',
      keyId: board.kid,
      credentialHash: createHash('sha256').update(canonicalize(credential)!).digest('hex'),
    });
    expect(res.body.evidence.status).toEqual([
      { listUrl: board.statusListUrl('revocation'), purpose: 'revocation', index: 7, value: 0, fetchedAt: expect.any(String) },
      { listUrl: board.statusListUrl('suspension'), purpose: 'suspension', index: 7, value: 0, fetchedAt: expect.any(String) },
    ]);
    expect(res.body.jws).toBeUndefined();
  });

  it('ecdsa-rdfc-2019 with P-256 and P-384 did:web keys (JWS status lists), and the JSON as a text body', async () => {
    const ems = await boards['fl-ems'].issueDataIntegrity({ statusIndex: 3 });
    expect((await verify(ems).expect(200)).body.evidence.algorithm).toBe('ecdsa-rdfc-2019');
    const ga = await boards['ga-nursing'].issueDataIntegrity();
    await verify(ga, { jurisdiction: 'US-GA' }).expect(200);
    const text = await request(api.http)
      .post('/credentials/verify?jurisdiction=US-FL')
      .set(...bearer(token))
      .set('content-type', 'text/plain')
      .send(JSON.stringify(ems, null, 2))
      .expect(200);
    expect(text.body.credential.format).toBe('ldp-vc');
  });

  it('revoked through a status list that is itself a Data Integrity credential; a tampered list is not believed', async () => {
    const board = boards['fl-nursing'];
    const credential = await board.issueDataIntegrity({ statusIndex: 42 });
    await verify(credential).expect(200);
    board.lists.revocation.set.add(42);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const revoked = await verify(credential).expect(400);
    expect(check(revoked.body, 'status')).toMatchObject({ status: 'fail', code: 'revoked' });
    board.lists.revocation.mode = 'tampered';
    try {
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const other = await board.issueDataIntegrity({ statusIndex: 5, statusPurposes: ['revocation'] });
      // The tampered copy sets bits 0-2 the issuer never signed; it is refused, and the last good copy is not fresh.
      const res = await verify(other).expect(400);
      expect(check(res.body, 'status')).toMatchObject({ status: 'indeterminate', code: 'status_list_invalid' });
    } finally {
      board.lists.revocation.mode = 'ok';
    }
  });

  it('signature_invalid for a tampered badge, another key, a proof swapped from another badge', async () => {
    const board = boards['fl-nursing'];
    const credential = await board.issueDataIntegrity();
    const tampered = { ...credential, validUntil: '2199-01-01T00:00:00Z' };
    const forged = await board.issueDataIntegrity({ signWith: boards.rogue.key.privateKey });
    const other = await board.issueDataIntegrity({ subjectName: 'Eve Intruder' });
    for (const input of [tampered, forged, { ...other, proof: credential.proof }]) {
      const res = await verify(input).expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ id: 'signature', code: 'signature_invalid' })]);
    }
  });

  it('untrusted_issuer: decided from the registry alone, the issuer DID is never resolved', async () => {
    const rogue = boards.rogue;
    const res = await verify(await rogue.issueDataIntegrity({ statusIndex: 1 })).expect(400);
    expect(check(res.body, 'issuer_trust')).toMatchObject({ status: 'fail', code: 'untrusted_issuer' });
    expect(check(res.body, 'signature')?.status).toBe('skipped');
    expect(rogue.didHits).toBe(0);
    expect(rogue.lists.revocation.hits).toBe(0);
  });

  it("key_not_found for a proof by a key outside the issuer's DID; unsupported_format for an unknown context or cryptosuite", async () => {
    const board = boards['fl-nursing'];
    const outside = await board.issueDataIntegrity({ signWith: boards.rogue.key.privateKey });
    (outside.proof as Record<string, unknown>).verificationMethod = boards.rogue.kid;
    expect(check((await verify(outside).expect(400)).body, 'signature')).toMatchObject({ code: 'key_not_found' });
    expect(boards.rogue.didHits).toBe(0);
    const unknownContext = {
      ...(await board.issueDataIntegrity()),
      '@context': ['https://www.w3.org/ns/credentials/v2', 'https://example.org/evil-context.json'],
    };
    expect(check((await verify(unknownContext).expect(400)).body, 'format')).toMatchObject({ code: 'unsupported_format' });
    const credential = await board.issueDataIntegrity();
    const unknownSuite = { ...credential, proof: { ...(credential.proof as object), cryptosuite: 'eddsa-rdfc-2099' } };
    expect(check((await verify(unknownSuite).expect(400)).body, 'format')).toMatchObject({ code: 'unsupported_format' });
  });

  it('JSON-LD bombs are refused fast, never a 500', async () => {
    const started = Date.now();
    let deep: Record<string, unknown> = { x: 1 };
    for (let i = 0; i < 2000; i++) deep = { a: deep };
    const credential = await boards['fl-nursing'].issueDataIntegrity();
    // As a request body the API refuses the nesting itself; as scanned JSON text the engine does.
    expect((await verify({ ...credential, credentialSubject: deep }).expect(400)).body.code).toBe('malformed_request');
    const deepText = await request(api.http)
      .post('/credentials/verify')
      .set(...bearer(token))
      .set('content-type', 'text/plain')
      .send(JSON.stringify({ ...credential, credentialSubject: deep }))
      .expect(400);
    expect(check(deepText.body, 'format')).toMatchObject({ code: 'malformed', message: expect.stringContaining('deeper than 32 levels') });
    const wide = await verify({ ...credential, evidence: Array.from({ length: 6000 }, (_, i) => i) });
    expect(check(wide.body, 'format')).toMatchObject({ code: 'malformed' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('fuzzed Data Integrity badges: never a 5xx, never verified unless unchanged', async () => {
    const board = boards['fl-nursing'];
    const original = await board.issueDataIntegrity();
    const other = await board.issueDataIntegrity({ subjectName: 'Somebody Else' });
    const text = (v: unknown) => JSON.stringify(v);
    // Paths to every value in the badge (proof included), to change or remove one.
    const paths: string[][] = [];
    const walk = (value: unknown, at: string[]): void => {
      if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...at, k]);
      if (at.length > 0) paths.push(at);
    };
    walk(original, []);
    const mutate = (path: string[], op: 'change' | 'remove' | 'retype', replacement: string): unknown => {
      const copy = JSON.parse(text(original)) as Record<string, unknown>;
      let parent: Record<string, unknown> = copy;
      for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
      const last = path[path.length - 1];
      if (op === 'remove') {
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else delete parent[last];
      } else if (op === 'retype') parent[last] = typeof parent[last] === 'string' ? 42 : replacement;
      else parent[last] = typeof parent[last] === 'string' && parent[last] !== replacement ? replacement : `${text(parent[last])}x`;
      return copy;
    };
    const cases = fc.sample(
      fc.oneof(
        {
          weight: 8,
          arbitrary: fc
            .tuple(
              fc.constantFrom(...paths),
              fc.constantFrom('change', 'remove', 'retype') as fc.Arbitrary<'change' | 'remove' | 'retype'>,
              fc.string({ maxLength: 8 }),
            )
            .map(([p, op, r]) => ({ what: `${op} ${p.join('.')}`, body: mutate(p, op, r), mayVerify: false })),
        },
        { weight: 1, arbitrary: fc.constant({ what: 'swap proofs', body: { ...other, proof: original.proof } as unknown, mayVerify: false }) },
        { weight: 1, arbitrary: fc.constant({ what: 'unchanged', body: original as unknown, mayVerify: true }) },
      ),
      { numRuns: 300, seed: 20261205 },
    );
    let verified = 0;
    for (const c of cases) {
      const res = await verify(c.body);
      expect({ what: c.what, status: res.status }).toEqual({ what: c.what, status: res.body.verified ? 200 : 400 });
      if (res.body.verified) {
        expect({ what: c.what, mayVerify: c.mayVerify }).toEqual({ what: c.what, mayVerify: true });
        verified++;
      }
    }
    expect(verified).toBe(cases.filter((c) => c.mayVerify).length);
    expect(verified).toBeGreaterThan(0);
  });

  it('check-in admits a Data Integrity badge scanned as JSON, and a reverification sweep flags it once revoked', async () => {
    const board = boards['fl-checkin'];
    // Started before the check-in, so its start-up sweep has nothing to read: only the sweep below reads the list.
    const worker = await startWorker(env.env);
    try {
      const incident = await createIncident(api.http, adminToken);
      const staff = await staffFor(api.http, adminToken, incident.id, 'checkin');
      const credential = await board.issueDataIntegrity({ statusIndex: 11, subjectName: 'Dee Eye' });
      const scanned = await request(api.http)
        .post(`/incidents/${incident.id}/check-ins`)
        .set(...bearer(staff.token))
        .set('Idempotency-Key', 'di-check-in-1')
        .send({ credential: JSON.stringify(credential), positionId: incident.positions['Triage Nurse'] })
        .expect(201);
      expect(scanned.body).toMatchObject({
        decision: 'admitted',
        responder: { name: 'Dee Eye', qualifications: ['RN'] },
        deployment: { credential: { qualification: 'RN', issuerName: 'Florida Board of Nursing (check-in)' } },
      });
      board.lists.revocation.set.add(11);
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const sweep = await sweepOnce(api.http, adminToken);
      expect(sweep.result).toMatchObject({ flagged: 1, byFlag: { revoked: 1 } });
      const deployment = await request(api.http)
        .get(`/incidents/${incident.id}/deployments/${scanned.body.deployment.id}`)
        .set(...bearer(adminToken))
        .expect(200);
      expect(deployment.body).toMatchObject({ status: 'out_of_service', credentialFlag: { code: 'revoked' } });
    } finally {
      await worker.close();
    }
  });

  describe('JSON-LD presentations enclosing Data Integrity badges', () => {
    const holderKey = generateKeyPairSync('ed25519');
    const holder = didKey(holderKey.publicKey);
    const vpOf = (...verifiableCredential: unknown[]) => ({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiablePresentation'],
      holder: holder.did,
      verifiableCredential,
    });
    const present = (vp: Record<string, unknown>, proof: Record<string, unknown> = {}) =>
      signDataIntegrity(vp, {
        suite: 'eddsa-rdfc-2022',
        privateKey: holderKey.privateKey,
        verificationMethod: holder.verificationMethod,
        proofPurpose: 'authentication',
        proof,
      });

    it('200 for a holder-signed presentation with the challenge asked for, and for one without a holder proof', async () => {
      const badge = await boards['fl-nursing'].issueDataIntegrity({ statusIndex: 8 });
      const vp = await present(vpOf(badge), { challenge: 'c-123', domain: 'https://checkin.example.org' });
      const res = await verify(vp, { jurisdiction: 'US-FL', challenge: 'c-123', domain: 'https://checkin.example.org' }).expect(200);
      expect(res.body).toMatchObject({ verified: true, credential: { format: 'ldp-vc', qualification: 'RN' }, evidence: { keyId: holder.verificationMethod } });
      expect(res.body.credentials).toHaveLength(1);
      expect(check(res.body, 'signature')?.message).toContain("holder's key");
      // Another challenge: a replay.
      expect(check((await verify(vp, { jurisdiction: 'US-FL', challenge: 'c-456' }).expect(400)).body, 'signature')).toMatchObject({
        code: 'signature_invalid',
      });
      await verify(vpOf(badge)).expect(200);
      expect(check((await verify(vpOf(badge), { jurisdiction: 'US-FL', challenge: 'c-123' }).expect(400)).body, 'signature')).toMatchObject({
        code: 'signature_invalid',
      });
    });

    it('400 for a tampered badge or presentation, a swapped proof, an untrusted issuer (nothing fetched for it)', async () => {
      const board = boards['fl-nursing'];
      const badge = await board.issueDataIntegrity();
      const other = await board.issueDataIntegrity({ subjectName: 'Eve Intruder' });
      const signed = await present(vpOf(badge));
      for (const input of [
        vpOf({ ...badge, validUntil: '2199-01-01T00:00:00Z' }),
        vpOf({ ...other, proof: badge.proof }),
        { ...signed, verifiableCredential: [other] },
        { ...(await present(vpOf(other))), proof: signed.proof },
      ]) {
        const res = await verify(input).expect(400);
        expect(res.body.errors).toEqual([expect.objectContaining({ id: 'signature', code: 'signature_invalid' })]);
      }
      const rogue = boards.rogue;
      const res = await verify(await present(vpOf(await rogue.issueDataIntegrity({ statusIndex: 2 })))).expect(400);
      expect(check(res.body, 'issuer_trust')).toMatchObject({ status: 'fail', code: 'untrusted_issuer' });
      expect(rogue.didHits).toBe(0);
      expect(rogue.lists.revocation.hits).toBe(0);
    });

    it('check-in admits a presentation scanned as JSON and keeps the enclosed badge for reverification', async () => {
      const incident = await createIncident(api.http, adminToken);
      const staff = await staffFor(api.http, adminToken, incident.id, 'checkin');
      const badge = await boards['fl-nursing'].issueDataIntegrity({ statusIndex: 12, subjectName: 'Vi Presenter' });
      const scanned = await request(api.http)
        .post(`/incidents/${incident.id}/check-ins`)
        .set(...bearer(staff.token))
        .set('Idempotency-Key', 'di-vp-check-in-1')
        .send({ credential: JSON.stringify(await present(vpOf(badge))), positionId: incident.positions['Triage Nurse'] })
        .expect(201);
      expect(scanned.body).toMatchObject({ decision: 'admitted', responder: { name: 'Vi Presenter', qualifications: ['RN'] } });
      const db = new Client({ connectionString: env.dbUrl });
      await db.connect();
      try {
        const { rows } = await db.query(`SELECT c.jws FROM deployment d JOIN presented_credential c ON c.id = d.credential_id WHERE d.id = $1`, [
          scanned.body.deployment.id,
        ]);
        expect(rows[0].jws).toBe(canonicalize(badge));
      } finally {
        await db.end();
      }
    });
  });

  it('the verify CLI reads a JSON credential file (offline trust list, bundled contexts or JSONLD_CONTEXTS_DIR)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'verify-di-'));
    try {
      const board = boards['fl-ems'];
      const trustFile = path.join(dir, 'trust.json');
      writeFileSync(trustFile, JSON.stringify(trustListFor([{ board, name: 'Florida Bureau of EMS' }])));
      const file = path.join(dir, 'badge.json');
      writeFileSync(file, `${JSON.stringify(await board.issueDataIntegrity(), null, 2)}\n`);
      const out: string[] = [];
      const cliIo = (cliEnv: Record<string, string>) => ({
        stdout: { write: (t: string) => out.push(t) },
        stderr: { write: () => undefined },
        readStdin: async () => '',
        env: cliEnv,
      });
      const fetchEnv = { FETCH_INSECURE_HOSTS: '127.0.0.1', FETCH_ALLOW_PRIVATE_NETWORK: 'true' };
      expect(
        await runCli(['verify', '--trust', trustFile, '--jurisdiction', 'US-FL', file], cliIo({ ...fetchEnv, JSONLD_CONTEXTS_DIR: CONFORMANCE_CONTEXTS_DIR })),
      ).toBe(0);
      expect(JSON.parse(out.join(''))).toMatchObject({
        verified: true,
        credential: { format: 'ldp-vc', qualification: 'RN', issuer: { registryName: 'Florida Bureau of EMS' } },
      });
      out.length = 0;
      // A JSON-LD presentation of it, with the holder proof the challenge asks for; without one, the challenge fails it.
      const holderKey = generateKeyPairSync('ed25519');
      const holder = didKey(holderKey.publicKey);
      const vp = {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiablePresentation'],
        holder: holder.did,
        verifiableCredential: [JSON.parse(readFileSync(file, 'utf8'))],
      };
      const vpFile = path.join(dir, 'presentation.json');
      writeFileSync(
        vpFile,
        JSON.stringify(
          await signDataIntegrity(vp, {
            suite: 'eddsa-rdfc-2022',
            privateKey: holderKey.privateKey,
            verificationMethod: holder.verificationMethod,
            proofPurpose: 'authentication',
            proof: { challenge: 'n-1' },
          }),
        ),
      );
      const withContexts = cliIo({ ...fetchEnv, JSONLD_CONTEXTS_DIR: CONFORMANCE_CONTEXTS_DIR });
      out.length = 0;
      expect(await runCli(['verify', '--trust', trustFile, '--jurisdiction', 'US-FL', '--challenge', 'n-1', vpFile], withContexts)).toBe(0);
      expect(JSON.parse(out.join(''))).toMatchObject({ verified: true, credentials: [expect.objectContaining({ verified: true })] });
      writeFileSync(vpFile, JSON.stringify(vp));
      out.length = 0;
      expect(await runCli(['verify', '--trust', trustFile, '--jurisdiction', 'US-FL', '--challenge', 'n-1', vpFile], withContexts)).toBe(1);
      expect(JSON.parse(out.join('')).errors[0]).toMatchObject({ id: 'signature', code: 'signature_invalid' });
      out.length = 0;
      // Without the configured folder the bundled Open Badges contexts answer; a context nobody pinned is refused, never fetched.
      expect(await runCli(['verify', '--trust', trustFile, '--jurisdiction', 'US-FL', file], cliIo(fetchEnv))).toBe(0);
      out.length = 0;
      const unknown = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      writeFileSync(
        file,
        JSON.stringify({ ...unknown, '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.9.json'] }),
      );
      expect(await runCli(['verify', '--trust', trustFile, '--jurisdiction', 'US-FL', file], cliIo(fetchEnv))).toBe(1);
      expect(JSON.parse(out.join('')).errors[0]).toMatchObject({ id: 'format', code: 'unsupported_format' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
