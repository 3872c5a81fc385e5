import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CompactSign } from 'jose';
import { BoundedFetcher } from '../fetch/bounded-fetcher';
import { encodeList } from '../status/bitstring';
import { StaticTrustSource, TrustSource, type QualificationRule, type TrustedIssuer } from '../trust/trust-source';
import type { VerificationResult } from '../verification-result';
import { CredentialVerifier } from './credential-verifier';

type Alg = 'ES256' | 'EdDSA' | 'RS256' | 'ES512';
interface TestIssuer {
  did: string;
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
  alg: Alg;
}

function makeIssuer(alg: Alg = 'ES256'): TestIssuer {
  const pair =
    alg === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : alg === 'RS256'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ec', { namedCurve: alg === 'ES512' ? 'P-521' : 'P-256' });
  const publicJwk = pair.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  return { did: `did:jwk:${Buffer.from(JSON.stringify(publicJwk)).toString('base64url')}`, privateKey: pair.privateKey, publicJwk, alg };
}

const sign = (issuer: TestIssuer, payload: object, header: Record<string, unknown> = {}): Promise<string> =>
  new CompactSign(Buffer.from(JSON.stringify(payload)))
    .setProtectedHeader({ alg: issuer.alg, typ: 'vc+jwt', kid: `${issuer.did}#0`, ...header })
    .sign(issuer.privateKey);

function licence(issuer: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    id: 'urn:uuid:6a1c1c9e-0000-4000-8000-000000000001',
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: { id: issuer, type: ['Profile'], name: 'Totally The Real Board' },
    validFrom: '2024-01-01T00:00:00Z',
    validUntil: '2030-01-01T00:00:00Z',
    credentialSubject: {
      type: ['AchievementSubject'],
      name: 'Dana Rivera',
      licenseNumber: 'RN-123456',
      achievement: { id: 'urn:example:rn', type: ['Achievement'], name: 'Registered Nurse', achievementType: 'License', criteria: { narrative: 'Licensed' } },
    },
    ...overrides,
  };
}

const RULES: QualificationRule[] = [
  { qualification: 'RN', achievementTypes: ['License'], achievementName: 'Registered Nurse' },
  { qualification: 'EMT', achievementTypes: ['License', 'Certification'], achievementName: 'Emergency Medical Technician' },
];

function entry(issuer: TestIssuer, overrides: Partial<TrustedIssuer> = {}): TrustedIssuer {
  return {
    id: issuer.did,
    name: 'Florida Board of Nursing',
    jurisdictions: ['US-FL'],
    qualifications: ['RN'],
    algorithms: ['ES256', 'ES384', 'EdDSA'],
    ...overrides,
  };
}

function verifier(issuers: TrustedIssuer[], now = new Date('2025-06-01T12:00:00Z')): CredentialVerifier {
  return new CredentialVerifier({
    fetcher: new BoundedFetcher({ insecureHosts: [], allowPrivateNetwork: false, timeoutMs: 500, maxBytes: 65536, cacheTtlMs: 1000 }),
    trust: new StaticTrustSource(issuers, RULES),
    clock: { now: () => now },
    clockSkewSeconds: 60,
    statusListMinBits: 131072,
    cacheTtlMs: 1000,
  });
}

const check = (r: VerificationResult, id: string) => r.checks.find((c) => c.id === id)!;

describe('CredentialVerifier (offline issuers)', () => {
  const board = makeIssuer('ES256');

  it('verifies a trusted licence and shows the registry name, never the claimed one', async () => {
    const jws = await sign(board, licence(board.did));
    const result = await verifier([entry(board)]).verify(`  ${jws}\n`, { jurisdiction: 'US-FL' });
    expect(result.verified).toBe(true);
    expect(result.checks.map((c) => [c.id, c.status])).toEqual([
      ['format', 'pass'],
      ['signature', 'pass'],
      ['data_model', 'pass'],
      ['validity', 'pass'],
      ['status', 'pass'],
      ['issuer_trust', 'pass'],
    ]);
    expect(result.credential).toMatchObject({
      format: 'vc+jwt',
      issuer: { id: board.did, registryName: 'Florida Board of Nursing', claimedName: 'Totally The Real Board' },
      subject: { name: 'Dana Rivera' },
      qualification: 'RN',
      licenseNumber: 'RN-123456',
      validUntil: '2030-01-01T00:00:00.000Z',
    });
    expect(result.evidence).toMatchObject({
      algorithm: 'ES256',
      keyId: `${board.did}#0`,
      keyThumbprint: expect.any(String),
      credentialHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(result.errors).toEqual([]);
  });

  it('a bad signature is fatal: every later check is skipped', async () => {
    const jws = await sign(board, licence(board.did));
    const [h, p, s] = jws.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify(licence(board.did, { validUntil: '2099-01-01T00:00:00Z' }))).toString('base64url')}.${s}`;
    const result = await verifier([entry(board)]).verify(tampered);
    expect(check(result, 'signature')).toMatchObject({ status: 'fail', code: 'signature_invalid' });
    expect(result.checks.slice(2).every((c) => c.status === 'skipped')).toBe(true);
    expect(result.verified).toBe(false);
    expect(p).toBeTruthy();
  });

  it('applies the algorithm allow-list: ES512 never, RS256 only when the registry lists it', async () => {
    const p521 = makeIssuer('ES512');
    expect(check(await verifier([entry(p521)]).verify(await sign(p521, licence(p521.did))), 'signature')).toMatchObject({ code: 'alg_not_allowed' });
    const rsa = makeIssuer('RS256');
    const jws = await sign(rsa, licence(rsa.did));
    expect(check(await verifier([entry(rsa)]).verify(jws), 'signature')).toMatchObject({ code: 'alg_not_allowed' });
    expect(check(await verifier([]).verify(jws, { fullReport: true }), 'signature')).toMatchObject({ code: 'alg_not_allowed' });
    expect((await verifier([entry(rsa, { algorithms: ['RS256'] })]).verify(jws, { jurisdiction: 'US-FL' })).verified).toBe(true);
    const none = `${Buffer.from('{"alg":"none","typ":"vc+jwt"}').toString('base64url')}.${jws.split('.')[1]}.`;
    expect((await verifier([entry(board)]).verify(none)).verified).toBe(false);
  });

  it('accepts an embedded jwk only when it is the issuer key, and a kid only inside the issuer key set', async () => {
    const attacker = makeIssuer('ES256');
    const forged = await sign(attacker, licence(board.did), { kid: undefined, jwk: attacker.publicJwk });
    expect(check(await verifier([entry(board)]).verify(forged), 'signature')).toMatchObject({ code: 'key_not_found' });
    const pointing = await sign(attacker, licence(board.did), { kid: `${attacker.did}#0` });
    expect(check(await verifier([entry(board)]).verify(pointing), 'signature')).toMatchObject({ code: 'key_not_found' });
    const own = await sign(board, licence(board.did), { kid: undefined, jwk: board.publicJwk });
    expect((await verifier([entry(board)]).verify(own)).verified).toBe(true);
  });

  it('checks validity with the clock skew', async () => {
    const v = verifier([entry(board)], new Date('2030-01-01T00:00:30Z'));
    expect(check(await v.verify(await sign(board, licence(board.did))), 'validity').status).toBe('pass');
    const later = verifier([entry(board)], new Date('2030-01-01T00:01:01Z'));
    expect(check(await later.verify(await sign(board, licence(board.did))), 'validity')).toMatchObject({ status: 'fail', code: 'expired' });
    const future = await sign(board, licence(board.did, { validFrom: '2026-01-01T00:00:00-05:00' }));
    expect(check(await verifier([entry(board)]).verify(future), 'validity')).toMatchObject({
      status: 'fail',
      code: 'not_yet_valid',
      message: expect.stringContaining('2026-01-01T05:00:00'),
    });
  });

  it('decides trust by registry entry, activity, jurisdiction (US covers US-xx; mutual aid) and qualification', async () => {
    const jws = await sign(board, licence(board.did));
    const code = async (e: TrustedIssuer[], opts = {}) => check(await verifier(e).verify(jws, { jurisdiction: 'US-FL', ...opts }), 'issuer_trust');
    expect(await code([])).toMatchObject({ status: 'fail', code: 'untrusted_issuer' });
    expect(await code([entry(board, { retiredAt: new Date('2025-01-01T00:00:00Z') })])).toMatchObject({
      code: 'untrusted_issuer',
      message: expect.stringContaining('retired'),
    });
    expect(await code([entry(board, { jurisdictions: ['US-GA'] })])).toMatchObject({
      code: 'issuer_not_authorized',
      message: expect.stringContaining('US-GA'),
    });
    expect(await code([entry(board, { jurisdictions: ['US-GA'] })], { mutualAidJurisdictions: ['US-AL', 'US-GA'] })).toMatchObject({
      status: 'pass',
      message: expect.stringContaining('mutual aid (US-GA)'),
    });
    expect(await code([entry(board, { jurisdictions: ['US'] })])).toMatchObject({ status: 'pass' });
    expect(await code([entry(board, { qualifications: ['EMT'] })])).toMatchObject({ code: 'issuer_not_authorized', message: expect.stringContaining('RN') });
  });

  it('reads an Open Badges 3.0 VC-JWT (vc claim, iss/nbf/exp/jti/sub) and fails on inconsistent claims', async () => {
    const vc = licence(board.did, {
      '@context': ['https://www.w3.org/2018/credentials/v1', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
      validFrom: undefined,
      validUntil: undefined,
    });
    const claims = { iss: board.did, jti: vc.id, sub: 'did:example:dana', nbf: 1704067200, exp: 1893456000, vc };
    const ob = await sign(board, claims, { typ: 'JWT' });
    const result = await verifier([entry(board)]).verify(ob, { jurisdiction: 'US-FL' });
    expect(result.verified).toBe(true);
    expect(result.credential).toMatchObject({
      format: 'jwt-vc',
      qualification: 'RN',
      subject: { id: 'did:example:dana' },
      validFrom: '2024-01-01T00:00:00.000Z',
    });
    const lying = await sign(board, { ...claims, vc: { ...vc, issuanceDate: '2023-01-01T00:00:00Z' } }, { typ: 'JWT' });
    expect(check(await verifier([entry(board)]).verify(lying), 'data_model')).toMatchObject({
      status: 'fail',
      code: 'data_model_invalid',
      message: expect.stringContaining('nbf'),
    });
  });

  it('verifies a vp+jwt and every enveloped credential in it', async () => {
    const holder = makeIssuer('EdDSA');
    const inner = await sign(board, licence(board.did));
    const vp = {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiablePresentation'],
      holder: holder.did,
      verifiableCredential: [
        { '@context': 'https://www.w3.org/ns/credentials/v2', type: 'EnvelopedVerifiableCredential', id: `data:application/vc+jwt,${inner}` },
      ],
    };
    const jws = await sign(holder, vp, { typ: 'vp+jwt' });
    const ok = await verifier([entry(board)]).verify(jws, { jurisdiction: 'US-FL' });
    expect(ok.verified).toBe(true);
    expect(ok.credentials).toHaveLength(1);
    expect(ok.credential?.qualification).toBe('RN');
    const withUnsecured = await sign(holder, { ...vp, verifiableCredential: [licence(board.did)] }, { typ: 'vp+jwt' });
    const bad = await verifier([entry(board)]).verify(withUnsecured, { jurisdiction: 'US-FL' });
    expect(bad.verified).toBe(false);
    expect(bad.credentials?.[0].checks[0]).toMatchObject({ code: 'unsupported_format' });
  });

  it('revalidate skips the signature only while the issuer still has the key', async () => {
    const jws = await sign(board, licence(board.did));
    const v = verifier([entry(board)]);
    const first = await v.verify(jws, { jurisdiction: 'US-FL' });
    const again = await v.revalidate(jws, { jurisdiction: 'US-FL', knownKeyThumbprint: first.evidence.keyThumbprint });
    expect(again.verified).toBe(true);
    expect(check(again, 'signature').message).toContain('not re-computed');
    const unknown = await v.revalidate(jws, { jurisdiction: 'US-FL', knownKeyThumbprint: 'some-old-key' });
    expect(check(unknown, 'signature').message).not.toContain('not re-computed');
    const later = await verifier([entry(board)], new Date('2031-01-01T00:00:00Z')).revalidate(jws, { knownKeyThumbprint: first.evidence.keyThumbprint });
    expect(check(later, 'validity')).toMatchObject({ code: 'expired' });
  });

  it('reads a registry that must be waited for exactly like one held in memory, and a failing one as indeterminate', async () => {
    const jws = await sign(board, licence(board.did));
    const fixed = new StaticTrustSource([entry(board)], RULES);
    // Only the promise-returning methods: the engine cannot take the in-memory shortcut.
    class RemoteTrustSource extends TrustSource {
      constructor(private readonly fail = false) {
        super();
      }
      async findIssuer(id: string): Promise<TrustedIssuer | undefined> {
        if (this.fail) throw new Error('registry down');
        return fixed.findIssuer(id);
      }
      async qualificationRules(): Promise<QualificationRule[]> {
        if (this.fail) throw new Error('registry down');
        return fixed.qualificationRules();
      }
    }
    const make = (trust: TrustSource) =>
      new CredentialVerifier({
        fetcher: new BoundedFetcher({ insecureHosts: [], allowPrivateNetwork: false, timeoutMs: 500, maxBytes: 65536, cacheTtlMs: 1000 }),
        trust,
        clock: { now: () => new Date('2025-06-01T12:00:00Z') },
        clockSkewSeconds: 60,
        statusListMinBits: 131072,
        cacheTtlMs: 1000,
      });
    const inMemory = await make(fixed).verify(jws, { jurisdiction: 'US-FL' });
    const awaited = await make(new RemoteTrustSource()).verify(jws, { jurisdiction: 'US-FL' });
    expect(awaited.verified).toBe(true);
    expect({ ...awaited, evidence: { ...awaited.evidence, verifiedAt: '' } }).toEqual({ ...inMemory, evidence: { ...inMemory.evidence, verifiedAt: '' } });
    const down = await make(new RemoteTrustSource(true)).verify(jws, { jurisdiction: 'US-FL' });
    expect(check(down, 'issuer_trust')).toMatchObject({ status: 'indeterminate', code: 'untrusted_issuer' });
    expect(down.checks.filter((c) => c.status === 'skipped').map((c) => c.id)).toEqual(['signature', 'data_model', 'validity', 'status']);
    const full = await make(new RemoteTrustSource(true)).verify(jws, { jurisdiction: 'US-FL', fullReport: true });
    expect(check(full, 'issuer_trust')).toMatchObject({ status: 'indeterminate', code: 'untrusted_issuer' });
    expect(check(full, 'signature').status).toBe('pass');
  });

  it('answers bad input with a reason code, never an exception', async () => {
    const v = verifier([]);
    for (const input of [
      undefined,
      null,
      42,
      {},
      [],
      'x',
      '...',
      'a.b.c',
      '{"a":1}',
      `${'e'.repeat(70000)}`,
      { type: 'EnvelopedVerifiableCredential', id: 5 },
    ]) {
      const result = await v.verify(input);
      expect(result.verified).toBe(false);
      expect(['malformed', 'unsupported_format']).toContain(result.checks[0].code);
    }
    const noIssuer = await sign(board, { ...licence(board.did), issuer: undefined });
    expect(check(await v.verify(noIssuer), 'signature')).toMatchObject({ code: 'key_not_found' });
    const critHeader = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'vc+jwt', crit: ['exp'], exp: 1 })).toString('base64url');
    const crit = `${critHeader}.${(await sign(board, licence(board.did))).split('.').slice(1).join('.')}`;
    expect(check(await v.verify(crit), 'format')).toMatchObject({ code: 'unsupported_format' });
  });
});

describe('CredentialVerifier: the Open Badges 3.0 JWT form (the payload is the credential)', () => {
  const board = makeIssuer('ES256');
  const SUBJECT = 'did:example:dana';
  /** An Open Badge as OB 3.0 section 8.2 signs it: the credential at the top level, the registered claims beside it. */
  const ob3 = (overrides: Record<string, unknown> = {}, credential: Record<string, unknown> = {}): Record<string, unknown> => {
    const vc = licence(board.did, credential);
    return {
      ...vc,
      credentialSubject: { ...(vc.credentialSubject as Record<string, unknown>), id: SUBJECT },
      iss: board.did,
      sub: SUBJECT,
      jti: vc.id,
      nbf: 1704067200, // validFrom 2024-01-01T00:00:00Z
      exp: 1893456000, // validUntil 2030-01-01T00:00:00Z
      iat: 1717200000,
      ...overrides,
    };
  };
  const V1 = {
    '@context': ['https://www.w3.org/2018/credentials/v1', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json'],
    validFrom: undefined,
    validUntil: undefined,
    issuanceDate: '2024-01-01T00:00:00Z',
    expirationDate: '2030-01-01T00:00:00Z',
  };

  it.each([
    ['absent', { typ: undefined }, 'ob3-jwt'],
    ['JWT', { typ: 'JWT' }, 'ob3-jwt'],
    ['application/jwt', { typ: 'application/jwt' }, 'ob3-jwt'],
    ['vc+jwt', { typ: 'vc+jwt' }, 'vc+jwt'],
  ])('verifies a VC 2.0 Open Badge with typ %s', async (_typ, header, format) => {
    const result = await verifier([entry(board)]).verify(await sign(board, ob3(), header), { jurisdiction: 'US-FL' });
    expect(result.errors).toEqual([]);
    expect(result.verified).toBe(true);
    expect(result.credential).toMatchObject({
      format,
      qualification: 'RN',
      subject: { id: SUBJECT, name: 'Dana Rivera' },
      validUntil: '2030-01-01T00:00:00.000Z',
    });
    expect(check(result, 'format').message).toContain(format === 'ob3-jwt' ? 'Open Badges 3.0 JWT' : 'VC 2.0');
  });

  it('verifies a VCDM 1.1 Open Badge in the same form, its dates compared with issuanceDate and expirationDate', async () => {
    const result = await verifier([entry(board)]).verify(await sign(board, ob3({}, V1), { typ: 'JWT' }), { jurisdiction: 'US-FL' });
    expect(result.errors).toEqual([]);
    expect(result.credential).toMatchObject({ format: 'ob3-jwt', validFrom: '2024-01-01T00:00:00.000Z', validUntil: '2030-01-01T00:00:00.000Z' });
    const late = await sign(board, ob3({ nbf: 1704067201 }, V1), { typ: 'JWT' });
    expect(check(await verifier([entry(board)]).verify(late), 'data_model')).toMatchObject({
      code: 'data_model_invalid',
      message: expect.stringContaining('nbf claim does not match issuanceDate'),
    });
    const longer = await sign(board, ob3({ exp: 1893456001 }, V1), { typ: 'JWT' });
    expect(check(await verifier([entry(board)]).verify(longer), 'data_model')).toMatchObject({
      code: 'data_model_invalid',
      message: expect.stringContaining('exp claim does not match expirationDate'),
    });
  });

  it.each([
    ['iss', { iss: 'did:example:someone-else' }, 'iss claim does not match the credential issuer'],
    ['nbf', { nbf: 1704067200 - 86400 }, 'nbf claim does not match validFrom'],
    ['exp', { exp: 1893456000 + 86400 }, 'exp claim does not match validUntil'],
    ['jti', { jti: 'urn:uuid:00000000-0000-4000-8000-000000000000' }, 'jti claim does not match the credential id'],
    ['sub', { sub: 'did:example:someone-else' }, 'sub claim does not match the credential subject id'],
    ['nbf (not a number)', { nbf: '2024-01-01T00:00:00Z' }, 'nbf claim must be a number'],
  ])('fails the data model when the %s claim disagrees with the credential', async (_claim, overrides, message) => {
    const result = await verifier([entry(board)]).verify(await sign(board, ob3(overrides), { typ: 'JWT' }), { jurisdiction: 'US-FL' });
    expect(result.verified).toBe(false);
    expect(check(result, 'signature').status).toBe('pass');
    expect(check(result, 'data_model')).toMatchObject({ status: 'fail', code: 'data_model_invalid', message: expect.stringContaining(message) });
  });

  it('accepts the registered claims left out, and claims the credential has no field for', async () => {
    const { iss: _iss, sub: _sub, jti: _jti, nbf: _nbf, exp: _exp, ...bare } = ob3();
    expect((await verifier([entry(board)]).verify(await sign(board, bare, { typ: 'JWT' }), { jurisdiction: 'US-FL' })).verified).toBe(true);
    const noDates = ob3({}, { validFrom: undefined, validUntil: undefined });
    const result = await verifier([entry(board)]).verify(await sign(board, noDates, { typ: 'JWT' }), { jurisdiction: 'US-FL' });
    expect(result.verified).toBe(true);
    // exp still bounds the credential's validity.
    const after = await verifier([entry(board)], new Date('2030-06-01T00:00:00Z')).verify(await sign(board, noDates, { typ: 'JWT' }));
    expect(check(after, 'validity')).toMatchObject({ code: 'expired' });
  });

  it('vc+jwt keeps VC-JOSE-COSE rules: nbf and exp describe the signature and may differ from the credential dates', async () => {
    const result = await verifier([entry(board)]).verify(await sign(board, ob3({ exp: 1800000000 }), { typ: 'vc+jwt' }), { jurisdiction: 'US-FL' });
    expect(result.verified).toBe(true);
    expect(check(result, 'validity').message).toContain('2027-01-15');
  });

  it('still reads the vc-claim form (VC-JWT 1.1) and refuses a JWT that is neither, or a presentation signed as a JWT', async () => {
    const vc = licence(board.did, V1);
    const claims = { iss: board.did, jti: vc.id, nbf: 1704067200, exp: 1893456000, vc };
    const result = await verifier([entry(board)]).verify(await sign(board, claims, { typ: 'JWT' }), { jurisdiction: 'US-FL' });
    expect(result.verified).toBe(true);
    expect(result.credential?.format).toBe('jwt-vc');
    const both = await verifier([entry(board)]).verify(await sign(board, { ...ob3(), vc: licence(board.did) }, { typ: 'JWT' }));
    expect(check(both, 'data_model')).toMatchObject({
      status: 'fail',
      code: 'data_model_invalid',
      message: expect.stringContaining('both a vc claim and a credential'),
    });
    const nothing = await verifier([entry(board)]).verify(await sign(board, { iss: board.did, sub: SUBJECT }, { typ: 'JWT' }));
    expect(check(nothing, 'format')).toMatchObject({ code: 'unsupported_format', message: expect.stringContaining('carries no credential') });
    const vp = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], holder: board.did };
    expect(check(await verifier([entry(board)]).verify(await sign(board, vp, { typ: 'JWT' })), 'format')).toMatchObject({
      code: 'unsupported_format',
      message: expect.stringContaining('vp+jwt'),
    });
  });

  it('takes the key from an embedded jwk header only when it is one of the issuer keys, never a private one', async () => {
    const bound = await sign(board, ob3(), { typ: 'JWT', kid: undefined, jwk: board.publicJwk });
    expect((await verifier([entry(board)]).verify(bound, { jurisdiction: 'US-FL' })).verified).toBe(true);
    const attacker = makeIssuer('ES256');
    const unbound = await sign(attacker, ob3(), { typ: 'JWT', kid: undefined, jwk: attacker.publicJwk });
    expect(check(await verifier([entry(board)]).verify(unbound), 'signature')).toMatchObject({
      status: 'fail',
      code: 'key_not_found',
      message: expect.stringContaining("not one of the issuer's keys"),
    });
    const privateJwk = board.privateKey.export({ format: 'jwk' });
    const leaked = await sign(board, ob3(), { typ: 'JWT', kid: undefined, jwk: privateJwk });
    expect(check(await verifier([entry(board)]).verify(leaked), 'signature')).toMatchObject({
      status: 'fail',
      code: 'key_not_found',
      message: expect.stringContaining('not a public key'),
    });
  });

  it('is trusted, refused and revalidated like any credential', async () => {
    const jws = await sign(board, ob3(), { typ: 'JWT' });
    expect(check(await verifier([]).verify(jws, { jurisdiction: 'US-FL' }), 'issuer_trust')).toMatchObject({ status: 'fail', code: 'untrusted_issuer' });
    const v = verifier([entry(board)]);
    const first = await v.verify(jws, { jurisdiction: 'US-FL' });
    const again = await v.revalidate(jws, { jurisdiction: 'US-FL', knownKeyThumbprint: first.evidence.keyThumbprint });
    expect(again.verified).toBe(true);
    expect(again.credential?.format).toBe('ob3-jwt');
    expect(check(again, 'signature').message).toContain('not re-computed');
  });
});

describe('CredentialVerifier: envelopes and the formats recognised but not verified here', () => {
  const board = makeIssuer('ES256');
  const holder = makeIssuer('EdDSA');
  const presentation = (verifiableCredential: unknown[]) =>
    sign(
      holder,
      { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], holder: holder.did, verifiableCredential },
      { typ: 'vp+jwt' },
    );
  const SD_JWT = 'eyJhbGciOiJFUzI1NiIsInR5cCI6ImRjK3NkLWp3dCJ9.eyJpc3MiOiJodHRwczovL2V4YW1wbGUuY29tIn0.c2ln~WyJzYWx0IiwiYSIsMV0~';
  const DI = {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    type: ['VerifiableCredential'],
    issuer: board.did,
    credentialSubject: { name: 'x' },
    proof: { type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', proofValue: 'z1' },
  };

  it('verifies an enveloped credential whose type is a list, alone and inside a presentation', async () => {
    const inner = await sign(board, licence(board.did), { typ: 'JWT' });
    const envelope = { '@context': 'https://www.w3.org/ns/credentials/v2', type: ['EnvelopedVerifiableCredential'], id: `data:application/vc+jwt,${inner}` };
    const alone = await verifier([entry(board)]).verify(envelope, { jurisdiction: 'US-FL' });
    expect(alone.verified).toBe(true);
    expect(alone.credential?.format).toBe('ob3-jwt');
    const vp = await verifier([entry(board)]).verify(await presentation([envelope]), { jurisdiction: 'US-FL' });
    expect(vp.errors).toEqual([]);
    expect(vp.verified).toBe(true);
    expect(vp.credentials?.[0].jws).toBe(inner);
  });

  it('routes SD-JWT and Data Integrity, alone, enveloped or in a presentation, to their own verifiers', async () => {
    const v = verifier([entry(board)]);
    const inputs: unknown[] = [
      SD_JWT,
      `data:application/dc+sd-jwt,${SD_JWT}`,
      { type: ['EnvelopedVerifiableCredential'], id: `data:application/vc+sd-jwt,${SD_JWT}` },
      DI,
      JSON.stringify(DI),
      { type: 'EnvelopedVerifiableCredential', id: `data:application/vc,${encodeURIComponent(JSON.stringify(DI))}` },
    ];
    for (const input of inputs) {
      const result = await v.verify(input);
      expect(result.verified).toBe(false); // neither is a credential a trusted issuer signed
      expect(check(result, 'format').code).not.toBe('unsupported_format');
      expect(result.evidence.credentialHash).toMatch(/^[0-9a-f]{64}$/);
    }
    const vp = await v.verify(await presentation([DI, { type: 'EnvelopedVerifiableCredential', id: `data:application/dc+sd-jwt,${SD_JWT}` }]), {
      jurisdiction: 'US-FL',
    });
    expect(vp.verified).toBe(false);
    expect(vp.credentials).toHaveLength(2);
    for (const enclosed of vp.credentials ?? []) expect(check(enclosed, 'format').code).not.toBe('unsupported_format');
  });
});

describe('CredentialVerifier (did:web issuer with status lists)', () => {
  // A did:web issuer and its lists on a local server: the first verification loads key set and lists, later ones
  // read them from memory without a promise; both paths must answer alike.
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let server: Server;
  let did = '';
  let base = '';
  let requests = 0;
  const lists: Record<string, string> = {};
  const signAs = (payload: object): Promise<string> =>
    new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader({ alg: 'ES256', typ: 'vc+jwt', kid: `${did}#key-1` }).sign(pair.privateKey);

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      const doc = {
        id: did,
        verificationMethod: [{ id: `${did}#key-1`, type: 'JsonWebKey', controller: did, publicKeyJwk: pair.publicKey.export({ format: 'jwk' }) }],
        assertionMethod: [`${did}#key-1`],
      };
      if (req.url === '/board/did.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
      // An Open Badges 3.0 issuer Profile publishing its keys.
      const profile = {
        id: `${base}/profile`,
        type: ['Profile'],
        name: 'Profile Board',
        jwks: { keys: [{ ...pair.publicKey.export({ format: 'jwk' }), kid: 'ob-key-1' }] },
      };
      if (req.url === '/profile') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(profile));
      const list = lists[req.url ?? ''];
      if (list) return void res.writeHead(200, { 'content-type': 'application/vc+jwt' }).end(list);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
    did = `did:web:127.0.0.1%3A${port}:board`;
    for (const [purpose, set] of [
      ['revocation', [7]],
      ['suspension', [8]],
    ] as const) {
      lists[`/status/${purpose}`] = await signAs({
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        id: `${base}/status/${purpose}`,
        type: ['VerifiableCredential', 'BitstringStatusListCredential'],
        issuer: did,
        validFrom: '2024-01-01T00:00:00Z',
        credentialSubject: { type: 'BitstringStatusList', statusPurpose: purpose, encodedList: encodeList(131072, set) },
      });
    }
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const withStatus = (index: string): Promise<string> =>
    signAs(
      licence(did, {
        credentialStatus: ['revocation', 'suspension'].map((purpose) => ({
          id: `${base}/status/${purpose}#${index}`,
          type: 'BitstringStatusListEntry',
          statusPurpose: purpose,
          statusListIndex: index,
          statusListCredential: `${base}/status/${purpose}`,
        })),
      }),
    );

  it('reads revocation and suspension the same way whether the lists are being loaded or already in memory', async () => {
    const v = new CredentialVerifier({
      fetcher: new BoundedFetcher({ insecureHosts: ['127.0.0.1'], allowPrivateNetwork: true, timeoutMs: 2000, maxBytes: 65536, cacheTtlMs: 60_000 }),
      trust: new StaticTrustSource(
        [{ id: did, name: 'Florida Board of Nursing', jurisdictions: ['US-FL'], qualifications: ['RN'], algorithms: ['ES256'] }],
        RULES,
      ),
      clock: { now: () => new Date('2025-06-01T12:00:00Z') },
      clockSkewSeconds: 60,
      statusListMinBits: 131072,
      cacheTtlMs: 60_000,
      insecureHosts: ['127.0.0.1'],
    });
    const cases: Array<[string, string, string]> = [
      ['42', 'pass', 'ok'],
      ['7', 'fail', 'revoked'],
      ['8', 'fail', 'suspended'],
      ['131072', 'fail', 'status_list_invalid'],
    ];
    const credentials = await Promise.all(cases.map(([index]) => withStatus(index)));
    const loading = await Promise.all(credentials.map((jws) => v.verify(jws, { jurisdiction: 'US-FL' })));
    const fetches = requests;
    const cached = await Promise.all(credentials.map((jws) => v.verify(jws, { jurisdiction: 'US-FL' })));
    expect(requests).toBe(fetches);
    cases.forEach(([, status, code], i) => {
      for (const result of [loading[i], cached[i]]) {
        expect(check(result, 'status')).toMatchObject({ status, code });
        expect(check(result, 'signature').status).toBe('pass');
        expect(result.evidence.status.map((e) => e.purpose)).toEqual(['revocation', 'suspension']);
      }
      expect({ ...cached[i], evidence: { ...cached[i].evidence, verifiedAt: '' } }).toEqual({
        ...loading[i],
        evidence: { ...loading[i].evidence, verifiedAt: '' },
      });
    });
    expect(loading[0].verified).toBe(true);
    expect(loading[0].evidence.status[0]).toMatchObject({
      listUrl: `${base}/status/revocation`,
      purpose: 'revocation',
      index: 42,
      value: 0,
      fetchedAt: expect.any(String),
    });
  });

  it('verifies an Open Badges 3.0 JWT whose issuer is an https URL answering a Profile with its keys', async () => {
    const issuer = `${base}/profile`;
    const v = new CredentialVerifier({
      fetcher: new BoundedFetcher({ insecureHosts: ['127.0.0.1'], allowPrivateNetwork: true, timeoutMs: 2000, maxBytes: 65536, cacheTtlMs: 60_000 }),
      trust: new StaticTrustSource([{ id: issuer, name: 'Profile Board', jurisdictions: ['US-FL'], qualifications: ['RN'], algorithms: ['ES256'] }], RULES),
      clock: { now: () => new Date('2025-06-01T12:00:00Z') },
      clockSkewSeconds: 60,
      statusListMinBits: 131072,
      cacheTtlMs: 60_000,
      insecureHosts: ['127.0.0.1'],
    });
    const vc = licence(issuer);
    const payload = { ...vc, iss: issuer, jti: vc.id, nbf: 1704067200, exp: 1893456000 };
    const jws = await new CompactSign(Buffer.from(JSON.stringify(payload)))
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: 'ob-key-1' })
      .sign(pair.privateKey);
    const result = await v.verify(jws, { jurisdiction: 'US-FL' });
    expect(result.errors).toEqual([]);
    expect(result.credential?.format).toBe('ob3-jwt');
    expect(result.evidence.keyId).toBe(`${issuer}#ob-key-1`);
  });
});

describe('CredentialVerifier: trust before any fetch, limits, stale revocations', () => {
  // Two did:web boards (one trusted, one not) and a did:web holder, all on one server that counts every request.
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = pair.publicKey.export({ format: 'jwk' });
  let server: Server;
  let base = '';
  let port = 0;
  let requests: string[] = [];
  let listsDown = false;
  const lists: Record<string, string> = {};
  const didOf = (path: string): string => `did:web:127.0.0.1%3A${port}:${path}`;
  const signAs = (path: string, payload: object, typ = 'vc+jwt'): Promise<string> =>
    new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader({ alg: 'ES256', typ, kid: `${didOf(path)}#key-1` }).sign(pair.privateKey);

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const path = /^\/([a-z]+)\/did\.json$/.exec(req.url ?? '')?.[1];
      if (path) {
        const did = didOf(path);
        const doc = {
          id: did,
          verificationMethod: [{ id: `${did}#key-1`, type: 'JsonWebKey', controller: did, publicKeyJwk: jwk }],
          assertionMethod: [`${did}#key-1`],
        };
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
      }
      const list = lists[req.url ?? ''];
      if (list && !listsDown) return void res.writeHead(200, { 'content-type': 'application/vc+jwt' }).end(list);
      res.writeHead(listsDown ? 500 : 404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    requests = [];
    listsDown = false;
  });

  let clock = new Date('2025-06-01T12:00:00Z');
  const make = (trusted: string[] = ['trusted']) =>
    new CredentialVerifier({
      fetcher: new BoundedFetcher({ insecureHosts: ['127.0.0.1'], allowPrivateNetwork: true, timeoutMs: 2000, maxBytes: 1 << 20, cacheTtlMs: 60_000 }),
      trust: new StaticTrustSource(
        trusted.map((path) => ({ id: didOf(path), name: `Board ${path}`, jurisdictions: ['US-FL'], qualifications: ['RN'], algorithms: ['ES256'] })),
        RULES,
      ),
      clock: { now: () => clock },
      clockSkewSeconds: 60,
      statusListMinBits: 131072,
      cacheTtlMs: 60_000,
      insecureHosts: ['127.0.0.1'],
    });

  const publishList = async (path: string, name: string, set: number[], ttl = 1000): Promise<string> => {
    const url = `${base}/lists/${name}`;
    lists[`/lists/${name}`] = await signAs(path, {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: url,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: didOf(path),
      validFrom: '2024-01-01T00:00:00Z',
      credentialSubject: { type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: encodeList(131072, set), ttl },
    });
    return url;
  };
  const withLists = (path: string, urls: string[], index = 3): Promise<string> =>
    signAs(
      path,
      licence(didOf(path), {
        credentialStatus: urls.map((url) => ({
          id: `${url}#${index}`,
          type: 'BitstringStatusListEntry',
          statusPurpose: 'revocation',
          statusListIndex: String(index),
          statusListCredential: url,
        })),
      }),
    );

  it('answers an issuer the registry does not trust from the registry alone: nothing fetched, the rest skipped', async () => {
    const url = await publishList('stranger', 'stranger', []);
    const jws = await withLists('stranger', [url]);
    const result = await make().verify(jws, { jurisdiction: 'US-FL' });
    expect(check(result, 'issuer_trust')).toMatchObject({ status: 'fail', code: 'untrusted_issuer' });
    expect(result.checks.filter((c) => c.status === 'skipped').map((c) => c.id)).toEqual(['signature', 'data_model', 'validity', 'status']);
    expect(check(result, 'signature').message).toContain('nothing was fetched');
    expect(requests).toEqual([]);

    // Trusted, but not in this jurisdiction: known before fetching too.
    const elsewhere = await make().verify(await withLists('trusted', [url]), { jurisdiction: 'US-GA' });
    expect(check(elsewhere, 'issuer_trust')).toMatchObject({ status: 'fail', code: 'issuer_not_authorized' });
    expect(requests).toEqual([]);

    const full = await make().verify(jws, { jurisdiction: 'US-FL', fullReport: true });
    expect(check(full, 'signature').status).toBe('pass');
    expect(check(full, 'status').status).toBe('pass');
    expect(check(full, 'issuer_trust')).toMatchObject({ status: 'fail', code: 'untrusted_issuer' });
    expect(requests).toEqual(['/stranger/did.json', '/lists/stranger']);
  });

  it("does not resolve a presentation holder's keys when no enclosed credential is trusted", async () => {
    const inner = await withLists('stranger', []);
    const vp = await signAs(
      'holder',
      {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiablePresentation'],
        holder: didOf('holder'),
        verifiableCredential: [
          { '@context': 'https://www.w3.org/ns/credentials/v2', type: 'EnvelopedVerifiableCredential', id: `data:application/vc+jwt,${inner}` },
        ],
      },
      'vp+jwt',
    );
    const result = await make().verify(vp, { jurisdiction: 'US-FL' });
    expect(result.verified).toBe(false);
    expect(check(result, 'signature').status).toBe('skipped');
    expect(check(result, 'issuer_trust')).toMatchObject({ status: 'fail', code: 'untrusted_issuer' });
    expect(requests).toEqual([]);
    expect(check(await make(['trusted', 'stranger']).verify(vp, { jurisdiction: 'US-FL' }), 'signature').status).toBe('pass');
  });

  it('fails a credential naming more status entries, and a request naming more status lists, than the limits, reading none past them', async () => {
    const urls = await Promise.all(Array.from({ length: 5 }, (_, i) => publishList('trusted', `many-${i}`, [])));
    const five = await make().verify(await withLists('trusted', urls), { jurisdiction: 'US-FL' });
    expect(check(five, 'status')).toMatchObject({ status: 'fail', code: 'data_model_invalid', message: expect.stringContaining('at most 4') });
    expect(requests.filter((r) => r.startsWith('/lists/'))).toEqual([]);

    // A presentation of three credentials with four lists each: twelve lists, eight read at most.
    const more = await Promise.all(Array.from({ length: 12 }, (_, i) => publishList('trusted', `vp-${i}`, [])));
    const inner = await Promise.all([0, 1, 2].map((c) => withLists('trusted', more.slice(c * 4, c * 4 + 4))));
    const vp = await signAs(
      'holder',
      {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiablePresentation'],
        holder: didOf('holder'),
        verifiableCredential: inner.map((jws) => ({
          '@context': 'https://www.w3.org/ns/credentials/v2',
          type: 'EnvelopedVerifiableCredential',
          id: `data:application/vc+jwt,${jws}`,
        })),
      },
      'vp+jwt',
    );
    const result = await make().verify(vp, { jurisdiction: 'US-FL' });
    expect(check(result, 'status')).toMatchObject({ status: 'fail', code: 'data_model_invalid', message: expect.stringContaining('More than 8 status lists') });
    expect(requests.filter((r) => r.startsWith('/lists/')).length).toBe(8);
  });

  it('lets the revoked bit of the last known copy decide when the list cannot be fetched, saying how old it is', async () => {
    clock = new Date('2025-06-01T12:00:00Z');
    const v = make();
    const revokedUrl = await publishList('trusted', 'stale-revoked', [3]);
    const clearUrl = await publishList('trusted', 'stale-clear', []);
    const revoked = await withLists('trusted', [revokedUrl]);
    const clear = await withLists('trusted', [clearUrl]);
    expect(check(await v.verify(revoked, { jurisdiction: 'US-FL' }), 'status')).toMatchObject({ status: 'fail', code: 'revoked' });
    expect(check(await v.verify(clear, { jurisdiction: 'US-FL' }), 'status').status).toBe('pass');

    listsDown = true;
    clock = new Date('2025-06-01T12:03:00Z'); // the lists' ttl (1 s) is long past
    const later = await v.verify(revoked, { jurisdiction: 'US-FL' });
    expect(check(later, 'status')).toMatchObject({
      status: 'fail',
      code: 'revoked',
      message: expect.stringContaining('3 minutes ago (2025-06-01T12:00:00.000Z)'),
    });
    expect(check(later, 'status').message).toContain('HTTP 500');
    // A clear bit in an old copy proves nothing: unknown, as for any list that cannot be fetched.
    expect(check(await v.verify(clear, { jurisdiction: 'US-FL' }), 'status')).toMatchObject({ status: 'indeterminate', code: 'status_unavailable' });
  });

  it('refuses a did:jwk whose key is for encryption (use "enc"): it has no assertion key', async () => {
    const encJwk = { ...jwk, use: 'enc' };
    const did = `did:jwk:${Buffer.from(JSON.stringify(encJwk)).toString('base64url')}`;
    const jws = await new CompactSign(Buffer.from(JSON.stringify(licence(did))))
      .setProtectedHeader({ alg: 'ES256', typ: 'vc+jwt', kid: `${did}#0` })
      .sign(pair.privateKey);
    const trust = new StaticTrustSource(
      [{ id: did, name: 'Encryption Key Board', jurisdictions: ['US-FL'], qualifications: ['RN'], algorithms: ['ES256'] }],
      RULES,
    );
    const v = new CredentialVerifier({
      fetcher: new BoundedFetcher({ insecureHosts: [], allowPrivateNetwork: false, timeoutMs: 500, maxBytes: 65536, cacheTtlMs: 1000 }),
      trust,
      clock: { now: () => new Date('2025-06-01T12:00:00Z') },
      clockSkewSeconds: 60,
      statusListMinBits: 131072,
      cacheTtlMs: 1000,
    });
    const result = await v.verify(jws, { jurisdiction: 'US-FL' });
    expect(check(result, 'signature')).toMatchObject({ status: 'fail', code: 'key_not_found', message: expect.stringContaining('not a signing key') });
  });
});
