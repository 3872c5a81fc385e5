import request from 'supertest';
import { runCli } from '../apps/cli/src/cli';
import { generateKey, FixtureIssuerServer, trustListFor, type FixtureBoard } from './support/credential-fixtures';
import { CredentialVerifier } from '@app/credentials';
import { ADMIN, awayFromMinuteEdge, bearer, createTestEnv, createUser, signIn, startApi, type TestApi, type TestEnv } from './support/test-app';

/**
 * Every reason code through POST /credentials/verify, with issuers (did:web documents and status lists) served by a
 * local HTTP server, the trust registry in PostgreSQL and the status-list cache in Redis.
 */
describe('POST /credentials/verify', () => {
  let env: TestEnv;
  let api: TestApi;
  let issuer: FixtureIssuerServer;
  let token: string;
  const boards: Record<string, FixtureBoard> = {};

  const verify = (verifiableCredential: unknown, options: Record<string, unknown> = { jurisdiction: 'US-FL' }, http = api.http) =>
    request(http)
      .post('/credentials/verify')
      .set(...bearer(token))
      .send({ verifiableCredential, options });
  const check = (body: { checks: Array<{ id: string; status: string; code: string }> }, id: string) => body.checks.find((c) => c.id === id);

  beforeAll(async () => {
    issuer = await FixtureIssuerServer.start();
    for (const [slug, alg] of [
      ['fl-nursing', 'ES256'],
      ['fl-ems', 'EdDSA'],
      ['fl-rsa', 'RS256'],
      ['rsa-unlisted', 'RS256'],
      ['p521', 'ES512'],
      ['ga-nursing', 'ES384'],
      ['rogue', 'ES256'],
      ['gone', 'ES256'],
      ['retiring', 'ES256'],
      ['flip', 'ES256'],
      ['down', 'ES256'],
      ['tampered', 'ES256'],
      ['short', 'ES256'],
      ['expired-list', 'ES256'],
      ['foreign', 'ES256'],
      ['unsigned', 'ES256'],
    ] as const) {
      boards[slug] = issuer.board(slug, alg);
    }
    boards.gone.served = false;
    boards.flip.lists.revocation.ttlMs = 1000;
    boards.flip.lists.suspension.ttlMs = 1000;
    boards.down.lists.revocation.mode = 'down';
    boards.down.lists.suspension.mode = 'down';
    boards.tampered.lists.revocation.mode = 'tampered';
    boards.short.lists.revocation.mode = 'short';
    boards['expired-list'].lists.revocation.mode = 'expired';
    boards.foreign.lists.revocation.mode = 'foreign';
    boards.unsigned.lists.revocation.mode = 'unsigned';

    env = await createTestEnv('credentials');
    api = await startApi(env.env);
    const adminToken = await signIn(api.http, ADMIN.email, ADMIN.password);
    const trusted = (slug: string, name: string, extra: Record<string, unknown> = {}) => ({ board: boards[slug], name, ...extra });
    const list = trustListFor([
      trusted('fl-nursing', 'Florida Board of Nursing'),
      trusted('fl-ems', 'Florida Bureau of EMS', { qualifications: ['PARAMEDIC'] }),
      trusted('fl-rsa', 'Legacy RSA Board', { algorithms: ['RS256'] }),
      trusted('rsa-unlisted', 'RSA Board Without Opt-in'),
      trusted('p521', 'P-521 Board'),
      trusted('ga-nursing', 'Georgia Board of Nursing', { jurisdictions: ['US-GA'] }),
      trusted('gone', 'Vanished Board'),
      trusted('retiring', 'Retiring Board'),
      ...['flip', 'down', 'tampered', 'short', 'expired-list', 'foreign', 'unsigned'].map((slug) => trusted(slug, `Board ${slug}`)),
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

  it('200 for a trusted, valid licence, with the registry name, qualification and evidence', async () => {
    const jws = await boards['fl-nursing'].issue({ statusIndex: 7 });
    const res = await verify(jws).expect(200);
    expect(res.body).toMatchObject({ verified: true, errors: [], warnings: [] });
    expect(res.body.credential).toMatchObject({
      format: 'vc+jwt',
      issuer: { id: boards['fl-nursing'].did, registryName: 'Florida Board of Nursing', claimedName: 'Whatever The Credential Claims' },
      subject: { name: 'Dana Rivera' },
      qualification: 'RN',
      licenseNumber: 'RN9912345',
    });
    expect(res.body.evidence).toMatchObject({ algorithm: 'ES256', keyId: boards['fl-nursing'].kid, credentialHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(res.body.evidence.status).toEqual([
      { listUrl: boards['fl-nursing'].statusListUrl('revocation'), purpose: 'revocation', index: 7, value: 0, fetchedAt: expect.any(String) },
      { listUrl: boards['fl-nursing'].statusListUrl('suspension'), purpose: 'suspension', index: 7, value: 0, fetchedAt: expect.any(String) },
    ]);
  });

  it('accepts the VC-API envelope, a URL carrying the JWS, a bare text body, and Open Badges 3.0 VC-JWTs', async () => {
    const jws = await boards['fl-ems'].issue({ qualificationName: 'Paramedic', achievementType: 'Certification' });
    await verify({ type: 'EnvelopedVerifiableCredential', id: `data:application/vc+jwt,${jws}` }).expect(200);
    await verify(`https://badge.example.org/scan?vc=${jws}`).expect(200);
    const text = await request(api.http)
      .post('/credentials/verify?jurisdiction=US-FL')
      .set(...bearer(token))
      .set('content-type', 'text/plain')
      .send(` ${jws}\n`)
      .expect(200);
    expect(text.body.credential.qualification).toBe('PARAMEDIC');
    for (const format of ['ob3-jwt', 'jwt-vc'] as const) {
      const res = await verify(await boards['fl-nursing'].issue({ format })).expect(200);
      expect(res.body.credential.format).toBe(format);
    }
  });

  it('malformed and unsupported_format', async () => {
    for (const input of ['eyJhbGciOiJFUzI1NiJ9.!!.sig', 'eyJub3QganNvbg.eyJhIjoxfQ.c2ln', 'e30.e30.c2ln', '']) {
      const res = await verify(input).expect(400);
      expect(check(res.body, 'format')).toMatchObject({ status: 'fail', code: 'malformed' });
      expect(res.body.checks.slice(1).every((c: { status: string }) => c.status === 'skipped')).toBe(true);
    }
    for (const input of ['hello world', { '@context': ['https://www.w3.org/ns/credentials/v2'] }, 'https://example.org/?nothing=here']) {
      expect(check((await verify(input).expect(400)).body, 'format')).toMatchObject({ code: 'unsupported_format' });
    }
    const wrongTyp = await boards['fl-nursing'].issue({ header: { typ: 'at+jwt' } });
    expect(check((await verify(wrongTyp).expect(400)).body, 'format')).toMatchObject({ code: 'unsupported_format' });
    expect(check((await verify(undefined).expect(400)).body, 'format')).toMatchObject({ code: 'malformed' });
  });

  it('signature_invalid, and the rest is skipped', async () => {
    const jws = await boards['fl-nursing'].issue();
    const [h, p, s] = jws.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    payload.credentialSubject.name = 'Somebody Else';
    const res = await verify(`${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`).expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ id: 'signature', code: 'signature_invalid' })]);
    expect(res.body.checks.filter((c: { status: string }) => c.status === 'skipped')).toHaveLength(4);
  });

  it('alg_not_allowed: ES512 never, RS256 only for an issuer the registry marks', async () => {
    expect(check((await verify(await boards.p521.issue()).expect(400)).body, 'signature')).toMatchObject({ code: 'alg_not_allowed' });
    expect(check((await verify(await boards['rsa-unlisted'].issue()).expect(400)).body, 'signature')).toMatchObject({ code: 'alg_not_allowed' });
    await verify(await boards['fl-rsa'].issue()).expect(200);
    // HS256 with the public key as the secret is refused before any key is used.
    const hs = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'vc+jwt', kid: boards['fl-nursing'].kid })).toString('base64url')}.${(await boards['fl-nursing'].issue()).split('.')[1]}.AAAA`;
    expect(check((await verify(hs).expect(400)).body, 'signature')).toMatchObject({ code: 'alg_not_allowed' });
  });

  it('key_not_found: unknown kid, a kid of another DID, an embedded jwk that is not the issuer key', async () => {
    const fl = boards['fl-nursing'];
    expect(check((await verify(await fl.issue({ header: { kid: `${fl.did}#key-2` } })).expect(400)).body, 'signature')).toMatchObject({
      code: 'key_not_found',
    });
    const attacker = boards.rogue;
    const pointing = await fl.issue({ signWith: attacker.key.privateKey, header: { kid: attacker.kid } });
    expect(check((await verify(pointing).expect(400)).body, 'signature')).toMatchObject({ code: 'key_not_found' });
    const stranger = generateKey('ES256');
    const embedded = await fl.issue({ signWith: stranger.privateKey, header: { kid: undefined, jwk: stranger.publicJwk } });
    expect(check((await verify(embedded).expect(400)).body, 'signature')).toMatchObject({ code: 'key_not_found' });
  });

  it('did_unresolvable: the did:web document is not served', async () => {
    const res = await verify(await boards.gone.issue()).expect(400);
    expect(check(res.body, 'signature')).toMatchObject({ status: 'fail', code: 'did_unresolvable' });
  });

  it('untrusted_issuer: not in the registry, or retired (decided before anything is fetched, unless a full report is asked for)', async () => {
    const rogue = await boards.rogue.issue();
    const res = await verify(rogue).expect(400);
    expect(check(res.body, 'signature')?.status).toBe('skipped');
    expect(check(res.body, 'issuer_trust')).toMatchObject({ status: 'fail', code: 'untrusted_issuer' });
    expect(res.body.credential.issuer.registryName).toBeUndefined();
    const full = await verify(rogue, { jurisdiction: 'US-FL', fullReport: true }).expect(400);
    expect(check(full.body, 'signature')?.status).toBe('pass');
    expect(check(full.body, 'issuer_trust')).toMatchObject({ status: 'fail', code: 'untrusted_issuer' });

    const jws = await boards.retiring.issue();
    await verify(jws).expect(200);
    const adminToken = await signIn(api.http, ADMIN.email, ADMIN.password);
    await request(api.http)
      .post(`/trust/issuers/${encodeURIComponent(boards.retiring.did)}/retire`)
      .set(...bearer(adminToken))
      .send({ reason: 'test' })
      .expect(200);
    const after = await verify(jws).expect(400);
    expect(check(after.body, 'issuer_trust')).toMatchObject({ code: 'untrusted_issuer', message: expect.stringContaining('retired') });
  });

  it('issuer_not_authorized: other jurisdiction (unless mutual aid), or a qualification it may not certify', async () => {
    const ga = await boards['ga-nursing'].issue();
    expect(check((await verify(ga).expect(400)).body, 'issuer_trust')).toMatchObject({ code: 'issuer_not_authorized' });
    const aid = await verify(ga, { jurisdiction: 'US-FL', mutualAidJurisdictions: ['US-GA'] }).expect(200);
    expect(check(aid.body, 'issuer_trust')).toMatchObject({ status: 'pass', message: expect.stringContaining('mutual aid') });
    const md = await boards['fl-nursing'].issue({ qualificationName: 'Physician' });
    const res = await verify(md).expect(400);
    expect(check(res.body, 'issuer_trust')).toMatchObject({ code: 'issuer_not_authorized' });
    expect(res.body.credential.qualification).toBe('MD');
  });

  it('not_yet_valid and expired (instants compared with their offsets)', async () => {
    const future = await boards['fl-nursing'].issue({ validFrom: '2098-01-01T00:00:00-05:00' });
    expect(check((await verify(future).expect(400)).body, 'validity')).toMatchObject({ code: 'not_yet_valid' });
    const past = await boards['fl-nursing'].issue({ validFrom: '2020-01-01T00:00:00Z', validUntil: '2023-12-31T23:00:00-06:00' });
    expect(check((await verify(past).expect(400)).body, 'validity')).toMatchObject({
      code: 'expired',
      message: expect.stringContaining('2024-01-01T05:00:00'),
    });
  });

  it('data_model_invalid (in a full report: without a qualification the issuer is not authorized, which is known first)', async () => {
    const jws = await boards['fl-nursing'].issue({ credential: { credentialSubject: {} } });
    expect(check((await verify(jws).expect(400)).body, 'issuer_trust')).toMatchObject({ status: 'fail', code: 'issuer_not_authorized' });
    expect(check((await verify(jws, { jurisdiction: 'US-FL', fullReport: true }).expect(400)).body, 'data_model')).toMatchObject({
      status: 'fail',
      code: 'data_model_invalid',
    });
  });

  it('revoked and suspended, revocation outranking suspension, and a revocation seen after the list ttl', async () => {
    const flip = boards.flip;
    const jws = await flip.issue({ statusIndex: 42 });
    await verify(jws).expect(200);
    flip.lists.revocation.set.add(42);
    // Within the list's ttl (1 s) the cached list answers.
    await verify(jws).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const revoked = await verify(jws).expect(400);
    expect(check(revoked.body, 'status')).toMatchObject({ status: 'fail', code: 'revoked' });
    expect(revoked.body.evidence.status[0]).toMatchObject({ purpose: 'revocation', index: 42, value: 1 });

    const suspendedOnly = await flip.issue({ statusIndex: 43 });
    flip.lists.suspension.set.add(43);
    flip.lists.suspension.set.add(42);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(check((await verify(suspendedOnly).expect(400)).body, 'status')).toMatchObject({ code: 'suspended' });
    expect(check((await verify(jws).expect(400)).body, 'status')).toMatchObject({ code: 'revoked' });
    flip.lists.suspension.set.delete(43);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await verify(suspendedOnly).expect(200);
  });

  it('status_unavailable: the list is unreachable -> indeterminate (a warning), never "not revoked"', async () => {
    const res = await verify(await boards.down.issue({ statusIndex: 1 })).expect(400);
    expect(res.body.verified).toBe(false);
    expect(res.body.errors).toEqual([]);
    expect(res.body.warnings).toEqual([expect.objectContaining({ id: 'status', status: 'indeterminate', code: 'status_unavailable' })]);
    expect(check(res.body, 'issuer_trust')?.status).toBe('pass');
  });

  it('status_list_invalid: tampered, too short, expired, foreign, unsigned lists are indeterminate; an index outside the list fails', async () => {
    for (const slug of ['tampered', 'short', 'expired-list', 'foreign', 'unsigned']) {
      const res = await verify(await boards[slug].issue({ statusIndex: 3, statusPurposes: ['revocation'] })).expect(400);
      expect({ slug, status: check(res.body, 'status') }).toMatchObject({ slug, status: { status: 'indeterminate', code: 'status_list_invalid' } });
    }
    const outside = await verify(await boards['fl-nursing'].issue({ statusIndex: 131072 })).expect(400);
    expect(check(outside.body, 'status')).toMatchObject({ status: 'fail', code: 'status_list_invalid' });
  });

  it('shares fetched lists between api processes through Redis, and keeps working when Redis is down', async () => {
    const fl = boards['fl-nursing'];
    const jws = await fl.issue({ statusIndex: 9 });
    await verify(jws).expect(200);
    const hits = fl.lists.revocation.hits;
    const second = await startApi(env.env);
    try {
      await verify(jws, { jurisdiction: 'US-FL' }, second.http).expect(200);
      expect(fl.lists.revocation.hits).toBe(hits);
    } finally {
      await second.close();
    }
    const noRedis = await startApi({ ...env.env, REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const started = Date.now();
      await verify(jws, { jurisdiction: 'US-FL' }, noRedis.http).expect(200);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await noRedis.close();
    }
  });

  it('bad input never gives a 500 and always answers quickly', async () => {
    const started = Date.now();
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const deepRes = await request(api.http)
      .post('/credentials/verify')
      .set(...bearer(token))
      .set('content-type', 'application/json')
      .send(`{"verifiableCredential":${deep}}`);
    expect([400, 413]).toContain(deepRes.status);
    const huge = await request(api.http)
      .post('/credentials/verify')
      .set(...bearer(token))
      .send({ verifiableCredential: 'a'.repeat(10 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe('payload_too_large');
    const big = await verify('a'.repeat(100 * 1024)).expect(400);
    expect(check(big.body, 'format')).toMatchObject({ code: 'malformed' });
    const hugeHeader = `${Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'vc+jwt', x: 'y'.repeat(60000) })).toString('base64url')}.e30.c2ln`;
    expect((await verify(hugeHeader)).status).toBe(400);
    for (const input of [
      '\u0000\u202e\ufeff',
      'e\u0301yJ.e.e',
      '😀.😀.😀',
      Buffer.from([0xff, 0xfe, 0x00]).toString('latin1'),
      { type: 'EnvelopedVerifiableCredential', id: { nested: true } },
    ]) {
      const res = await verify(input);
      expect(res.status).toBe(400);
      // Either the engine's answer, or the API's own refusal of bodies with NUL / lone surrogates (problem+json).
      const code = res.body.errors ? res.body.errors[0].code : res.body.code;
      expect(code).toMatch(/^(malformed|unsupported_format|malformed_request)$/);
    }
    await request(api.http)
      .post('/credentials/verify')
      .set(...bearer(token))
      .send({ verifiableCredential: 'x', options: { jurisdiction: 'Florida' } })
      .expect(400);
    expect(Date.now() - started).toBeLessThan(15000);
  });

  it('the verify CLI reads the same registry from the database when no --trust file is given', async () => {
    const jws = await boards['fl-nursing'].issue();
    const out: string[] = [];
    const cliIo = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => undefined }, readStdin: async () => jws, env: env.env };
    expect(await runCli(['verify', '--jurisdiction', 'US-FL', '-'], cliIo)).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({ verified: true, credential: { issuer: { registryName: 'Florida Board of Nursing' } } });
    out.length = 0;
    cliIo.readStdin = async () => boards.rogue.issue();
    expect(await runCli(['verify', '--jurisdiction', 'US-FL'], cliIo)).toBe(1);
    expect(JSON.parse(out.join('')).errors[0].code).toBe('untrusted_issuer');
  });

  it('a burst from one user gets 429 past VERIFY_RATE_LIMIT_PER_MINUTE, before any verification work; other users go on', async () => {
    const limited = await startApi({ ...env.env, VERIFY_RATE_LIMIT_PER_MINUTE: '3' });
    const work = jest.spyOn(limited.app.get(CredentialVerifier), 'verify');
    try {
      const adminToken = await signIn(api.http, ADMIN.email, ADMIN.password);
      const [busy, other] = [(await createUser(api.http, adminToken, 'checkin')).token, (await createUser(api.http, adminToken, 'auditor')).token];
      const jws = await boards['fl-nursing'].issue();
      const verifyAs = (t: string) =>
        request(limited.http)
          .post('/credentials/verify')
          .set(...bearer(t))
          .send({ verifiableCredential: jws, options: { jurisdiction: 'US-FL' } });
      await awayFromMinuteEdge();
      const burst = await Promise.all(Array.from({ length: 8 }, () => verifyAs(busy)));
      expect(burst.map((r) => r.status).sort()).toEqual([200, 200, 200, 429, 429, 429, 429, 429]);
      const refused = burst.find((r) => r.status === 429)!;
      expect(refused.body.code).toBe('rate_limited');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(work).toHaveBeenCalledTimes(3);
      expect((await verifyAs(other)).status).toBe(200);
    } finally {
      work.mockRestore();
      await limited.close();
    }
  });

  it('requires a signed-in user', async () => {
    await request(api.http).post('/credentials/verify').send({ verifiableCredential: 'x' }).expect(401);
  });
});
