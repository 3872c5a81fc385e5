import { constants, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import { signDataIntegrity, type DataIntegritySignOptions } from '../../../../test/support/data-integrity-signer';
import { JsonLdContexts } from '../data-integrity/context-store';
import { DataIntegrityVerifier } from '../data-integrity/data-integrity-verifier';
import { issueSdJwt, presentSdJwt } from '../sd-jwt/sd-jwt-issue';
import { webProofCrypto } from './web-proof-crypto';
import { PackVerifier, type OfflinePack } from './pack-verifier';

const LIST = 'https://board.example/status/1';
const ISSUER = 'did:web:board.example';

async function issuerKey(alg: 'ES256' | 'EdDSA' | 'RS256' | 'PS256') {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, privateKey, jwk: (await exportJWK(publicKey)) as Record<string, string> };
}

function credential(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: { id: ISSUER, name: 'Board' },
    validFrom: '2026-01-01T00:00:00Z',
    validUntil: '2028-01-01T00:00:00Z',
    credentialSubject: { name: 'Nina Nurse', achievement: { id: 'urn:example:rn', name: 'Registered Nurse', achievementType: 'License' } },
    credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '5', statusListCredential: LIST },
    ...overrides,
  };
}

async function sign(key: Awaited<ReturnType<typeof issuerKey>>, payload: Record<string, unknown>): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: key.alg, kid: `${ISSUER}#key-1`, typ: 'vc+jwt' })
    .sign(key.privateKey);
}

function pack(
  key: { alg: string; jwk: Record<string, string> },
  opts: { revoked?: number[]; listAgeHours?: number; policy?: 'admit_with_warning' | 'deny' } = {},
): OfflinePack {
  const bits = new Uint8Array(131_072 / 8);
  for (const i of opts.revoked ?? []) bits[i >> 3] |= 1 << (7 - (i & 7));
  const now = Date.parse('2026-12-05T12:00:00Z');
  return {
    packedAt: new Date(now - 3600_000).toISOString(),
    incident: {
      jurisdiction: 'US-FL',
      mutualAidJurisdictions: ['US-GA'],
      positions: [{ id: 'p-medic', name: 'Paramedic', requiredQualifications: ['PARAMEDIC'] }],
    },
    policy: { statusUnavailable: opts.policy ?? 'admit_with_warning', offlineStatusMaxAgeSeconds: 24 * 3600, clockSkewSeconds: 60 },
    trust: {
      issuers: [{ id: ISSUER, name: 'Florida Board', jurisdictions: ['US-FL'], qualifications: ['RN'], algorithms: [] }],
      qualificationRules: [{ qualification: 'RN', achievementId: 'urn:example:rn' }],
    },
    keys: [{ issuer: ISSUER, keys: [{ id: `${ISSUER}#key-1`, jwk: key.jwk, algorithms: [key.alg] }] }],
    statusLists: [
      {
        url: LIST,
        issuer: ISSUER,
        purposes: ['revocation'],
        bitLength: 131_072,
        gzip: gzipSync(bits).toString('base64url'),
        fetchedAt: new Date(now - (opts.listAgeHours ?? 1) * 3600_000).toISOString(),
      },
    ],
  };
}

const at = new Date('2026-12-05T12:00:00Z');
const codes = (r: { reasons: Array<{ code: string }> }): string[] => r.reasons.map((x) => x.code);

describe('PackVerifier: verification on an offline station, from the incident pack', () => {
  it.each(['ES256', 'EdDSA'] as const)('admits a valid %s badge, with the pack age', async (alg) => {
    const key = await issuerKey(alg);
    const result = await new PackVerifier(pack(key)).verify(await sign(key, credential()), { now: at });
    expect(result).toMatchObject({
      decision: 'admitted',
      reasons: [],
      name: 'Nina Nurse',
      qualification: 'RN',
      issuerName: 'Florida Board',
      packAgeSeconds: 3600,
    });
  });

  it('denies with the engine reason codes: revoked in the pack, altered, untrusted, expired, not qualified, unsupported', async () => {
    const key = await issuerKey('ES256');
    const jws = await sign(key, credential());
    expect(codes(await new PackVerifier(pack(key, { revoked: [5] })).verify(jws, { now: at }))).toEqual(['revoked']);
    const [h, p, s] = jws.split('.');
    const altered = `${h}.${Buffer.from(JSON.stringify(credential({ credentialSubject: { name: 'Mallory' } }))).toString('base64url')}.${s}`;
    expect(p).not.toBe(altered.split('.')[1]);
    expect(codes(await new PackVerifier(pack(key)).verify(altered, { now: at }))).toEqual(['signature_invalid']);
    expect(codes(await new PackVerifier(pack(key)).verify(await sign(key, credential({ issuer: 'did:web:rogue.example' })), { now: at }))).toEqual([
      'untrusted_issuer',
    ]);
    expect(codes(await new PackVerifier(pack(key)).verify(await sign(key, credential({ validUntil: '2026-06-01T00:00:00Z' })), { now: at }))).toEqual([
      'expired',
    ]);
    expect(codes(await new PackVerifier(pack(key)).verify(jws, { now: at, positionId: 'p-medic' }))).toEqual(['not_qualified']);
    expect(codes(await new PackVerifier(pack(key)).verify('{"not":"a jws"}', { now: at }))).toEqual(['offline_unsupported']);
    const other = await issuerKey('ES256');
    expect(codes(await new PackVerifier(pack(key)).verify(await sign(other, credential()), { now: at }))).toEqual(['signature_invalid']);
  });

  it.each(['RS256', 'PS256'] as const)('%s: verified only for an issuer the registry lists it for, and never with a key below 2,048 bits', async (alg) => {
    const key = await issuerKey(alg);
    const jws = await sign(key, credential());
    const listed = (k: { alg: string; jwk: Record<string, string> }): OfflinePack => {
      const base = pack(k);
      return { ...base, trust: { ...base.trust, issuers: base.trust.issuers.map((i) => ({ ...i, algorithms: ['ES256', alg] })) } };
    };
    expect((await new PackVerifier(listed(key)).verify(jws, { now: at })).decision).toBe('admitted');
    expect(codes(await new PackVerifier(pack(key)).verify(jws, { now: at }))).toEqual(['alg_not_allowed']);
    // A 1,024-bit key (jose will not sign with one: node:crypto does).
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const input = `${Buffer.from(JSON.stringify({ alg, kid: `${ISSUER}#key-1`, typ: 'vc+jwt' })).toString('base64url')}.${Buffer.from(JSON.stringify(credential())).toString('base64url')}`;
    const signature = cryptoSign(
      'sha256',
      Buffer.from(input),
      alg === 'PS256' ? { key: weak.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : weak.privateKey,
    ).toString('base64url');
    const weakJwk = weak.publicKey.export({ format: 'jwk' }) as Record<string, string>;
    expect(codes(await new PackVerifier(listed({ alg, jwk: weakJwk })).verify(`${input}.${signature}`, { now: at }))).toEqual(['signature_invalid']);
  });

  it("a status list older than the offline limit: admitted with a warning or denied, per the incident's policy", async () => {
    const key = await issuerKey('EdDSA');
    const jws = await sign(key, credential());
    const warned = await new PackVerifier(pack(key, { listAgeHours: 30 })).verify(jws, { now: at });
    expect(warned.decision).toBe('admitted_with_warnings');
    expect(warned.reasons).toEqual([{ code: 'status_unavailable', message: expect.stringContaining('30 h old (limit 24 h)') }]);
    const denied = await new PackVerifier(pack(key, { listAgeHours: 30, policy: 'deny' })).verify(jws, { now: at });
    expect(denied.decision).toBe('denied');
    expect(codes(denied)).toEqual(['status_unavailable', 'status_unavailable_policy']);
    // A list the pack does not hold is "status unavailable" too.
    const missing = await new PackVerifier(pack(key)).verify(
      await sign(key, credential({ credentialStatus: { ...(credential().credentialStatus as object), statusListCredential: 'https://elsewhere/1' } })),
      {
        now: at,
      },
    );
    expect(codes(missing)).toEqual(['status_unavailable']);
  });
});

describe('PackVerifier: SD-JWT VC on an offline station', () => {
  const TOKEN_LIST = 'https://board.example/token-status/1';
  const VCT = 'https://board.example/vct/rn';

  async function sdIssuer(alg: 'ES256' | 'EdDSA') {
    const { privateKey, publicKey } = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
    return { alg, privateKey, jwk: publicKey.export({ format: 'jwk' }) as Record<string, string> };
  }

  function sdPack(
    key: { alg: 'ES256' | 'EdDSA'; jwk: Record<string, string> },
    opts: { revoked?: number[]; tokenValues?: Array<[number, number]> } = {},
  ): OfflinePack {
    const base = pack(key, { revoked: opts.revoked });
    const bytes = new Uint8Array(1024);
    for (const [i, v] of opts.tokenValues ?? []) bytes[(i * 2) >> 3] |= v << ((i * 2) & 7);
    return {
      ...base,
      trust: { ...base.trust, qualificationRules: [...base.trust.qualificationRules, { qualification: 'RN', vct: VCT }] },
      statusLists: [
        ...base.statusLists,
        {
          url: TOKEN_LIST,
          issuer: ISSUER,
          purposes: ['status_list'],
          bitLength: 1024 * 8,
          tokenBits: 2,
          gzip: gzipSync(bytes).toString('base64url'),
          fetchedAt: base.statusLists[0].fetchedAt,
        },
      ],
    };
  }

  function sdJwt(key: Awaited<ReturnType<typeof sdIssuer>>, claims: Record<string, unknown> = {}, typ = 'dc+sd-jwt'): string {
    return issueSdJwt({
      header: { alg: key.alg, typ, kid: `${ISSUER}#key-1` },
      claims: {
        iss: ISSUER,
        vct: VCT,
        iat: 1_780_000_000,
        exp: Math.floor(Date.parse('2028-01-01T00:00:00Z') / 1000),
        given_name: 'Nina',
        family_name: 'Nurse',
        status: { status_list: { idx: 7, uri: TOKEN_LIST } },
        ...claims,
      },
      disclose: ['given_name', 'family_name'],
      decoys: 2,
      key: key.privateKey,
    });
  }

  it('an https issuer: its SD-JWT VCs are checked with the keys of its JWT VC Issuer Metadata in the pack, as online', async () => {
    const HTTPS = 'https://board.example/issuers/rn';
    const metadataKey = await sdIssuer('ES256');
    const ownKey = await sdIssuer('ES256');
    const base = sdPack(metadataKey);
    const entry = (method: string, key: { jwk: Record<string, string> }) => ({
      issuer: HTTPS,
      method,
      keys: [{ id: `${HTTPS}#key-1`, jwk: key.jwk, algorithms: ['ES256'] }],
    });
    const httpsPack = (keys: OfflinePack['keys']): OfflinePack => ({
      ...base,
      trust: { ...base.trust, issuers: base.trust.issuers.map((i) => ({ ...i, id: HTTPS })) },
      keys,
      statusLists: base.statusLists.map((l) => ({ ...l, issuer: HTTPS })),
    });
    const both = new PackVerifier(httpsPack([entry('jwks', ownKey), entry('jwt-vc-issuer', metadataKey)]));
    expect((await both.verify(sdJwt(metadataKey, { iss: HTTPS }), { now: at })).decision).toBe('admitted');
    // Signed with the issuer's other key: not one of its SD-JWT VC keys.
    expect(codes(await both.verify(sdJwt(ownKey, { iss: HTTPS }), { now: at }))).toEqual(['signature_invalid']);
    // A pack made before the issuer published its metadata: no key to check with.
    const ownOnly = new PackVerifier(httpsPack([entry('jwks', metadataKey)]));
    expect(codes(await ownOnly.verify(sdJwt(metadataKey, { iss: HTTPS }), { now: at }))).toEqual(['key_not_found']);
  });

  it.each(['ES256', 'EdDSA'] as const)('admits a valid %s SD-JWT VC (dc+sd-jwt), with the disclosed name', async (alg) => {
    const key = await sdIssuer(alg);
    const result = await new PackVerifier(sdPack(key)).verify(sdJwt(key), { now: at });
    expect(result).toMatchObject({ decision: 'admitted', reasons: [], name: 'Nina Nurse', qualification: 'RN', issuerName: 'Florida Board' });
  });

  it('admits vc+sd-jwt and the JWS JSON serialization, with a Key Binding JWT by the holder', async () => {
    const key = await sdIssuer('ES256');
    const holder = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cnf = { jwk: holder.publicKey.export({ format: 'jwk' }) };
    const issued = sdJwt(key, { cnf }, 'vc+sd-jwt');
    const iat = Math.floor(at.getTime() / 1000) - 30;
    const presented = presentSdJwt(issued, ['given_name', 'family_name'], { key: holder.privateKey, alg: 'ES256', aud: 'station', nonce: 'n-1', iat });
    const verifier = new PackVerifier(sdPack(key));
    expect(await verifier.verify(presented, { now: at })).toMatchObject({ decision: 'admitted', name: 'Nina Nurse' });

    const [jwt, ...rest] = presented.split('~');
    const [protectedHeader, payload, signature] = jwt.split('.');
    const json = JSON.stringify({ protected: protectedHeader, payload, signature, header: { disclosures: rest.slice(0, -1), kb_jwt: rest.at(-1) } });
    expect(await verifier.verify(json, { now: at })).toMatchObject({ decision: 'admitted', name: 'Nina Nurse' });

    // A Key Binding JWT by another key, or one older than the engine allows, as online.
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const forged = presentSdJwt(issued, ['given_name'], { key: other.privateKey, alg: 'ES256', aud: 'station', nonce: 'n-1', iat });
    expect(codes(await verifier.verify(forged, { now: at }))).toEqual(['signature_invalid']);
    const stale = presentSdJwt(issued, ['given_name'], { key: holder.privateKey, alg: 'ES256', aud: 'station', nonce: 'n-1', iat: iat - 3600 });
    expect(codes(await verifier.verify(stale, { now: at }))).toEqual(['expired']);
  });

  it('denies with the engine reason codes: tampered, revoked or suspended in the pack, untrusted issuer', async () => {
    const key = await sdIssuer('EdDSA');
    const verifier = new PackVerifier(sdPack(key, { tokenValues: [[9, 1]] }));
    const issued = sdJwt(key);
    // A Disclosure replaced by one the issuer never signed.
    const [jwt, first, ...rest] = issued.split('~');
    const forgedDisclosure = Buffer.from(JSON.stringify(['salt', 'given_name', 'Mallory'])).toString('base64url');
    expect(first).not.toBe(forgedDisclosure);
    expect(codes(await verifier.verify([jwt, forgedDisclosure, ...rest].join('~'), { now: at }))).toEqual(['signature_invalid']);
    // The signed payload altered.
    const [h, , s] = jwt.split('.');
    const payload = Buffer.from(JSON.stringify({ iss: ISSUER, vct: VCT, name: 'Mallory' })).toString('base64url');
    expect(codes(await verifier.verify([`${h}.${payload}.${s}`, ...rest].join('~'), { now: at }))).toEqual(['signature_invalid']);
    // Revoked (1) and suspended (2) in the pack's Token Status List; revoked in a Bitstring Status List.
    expect(codes(await verifier.verify(sdJwt(key, { status: { status_list: { idx: 9, uri: TOKEN_LIST } } }), { now: at }))).toEqual(['revoked']);
    const suspended = new PackVerifier(sdPack(key, { tokenValues: [[7, 2]] }));
    expect(codes(await suspended.verify(sdJwt(key), { now: at }))).toEqual(['suspended']);
    const revokedBits = new PackVerifier(sdPack(key, { revoked: [5] }));
    const withBitstring = sdJwt(key, {
      credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '5', statusListCredential: LIST },
    });
    expect(codes(await revokedBits.verify(withBitstring, { now: at }))).toEqual(['revoked']);
    // An issuer outside the pack's trust slice; an SD-JWT that is not an SD-JWT VC.
    expect(codes(await verifier.verify(sdJwt(key, { iss: 'https://rogue.example' }), { now: at }))).toEqual(['untrusted_issuer']);
    expect(codes(await verifier.verify(sdJwt(key, {}, 'example+sd-jwt'), { now: at }))).toEqual(['unsupported_format']);
    // A status list the pack does not hold: status unavailable, per policy.
    const elsewhere = await verifier.verify(sdJwt(key, { status: { status_list: { idx: 1, uri: 'https://elsewhere.example/1' } } }), { now: at });
    expect(elsewhere.decision).toBe('admitted_with_warnings');
    expect(codes(elsewhere)).toEqual(['status_unavailable']);
  });
});

describe('PackVerifier: Data Integrity credentials on an offline station (the engine verifier, WebCrypto proofs)', () => {
  const dataIntegrity = () => Promise.resolve(new DataIntegrityVerifier(JsonLdContexts.load(), webProofCrypto()));
  const ED25519_2020 = 'https://w3id.org/security/suites/ed25519-2020/v1';

  function diIssuer(kind: 'ed25519' | 'p256') {
    const { privateKey, publicKey } = kind === 'p256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
    return {
      privateKey,
      alg: kind === 'p256' ? 'ES256' : 'EdDSA',
      jwk: publicKey.export({ format: 'jwk' }) as Record<string, string>,
    };
  }

  // An Open Badges 3.0 credential under the bundled contexts (the contexts a station holds).
  const ldCredential = (suite: DataIntegritySignOptions['suite'], overrides: Record<string, unknown> = {}) =>
    credential({
      '@context': [
        'https://www.w3.org/ns/credentials/v2',
        'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
        ...(suite === 'Ed25519Signature2020' ? [ED25519_2020] : []),
      ],
      credentialSubject: {
        type: ['AchievementSubject'],
        name: 'Nina Nurse',
        achievement: { id: 'urn:example:rn', type: ['Achievement'], name: 'Registered Nurse', achievementType: 'License' },
      },
      ...overrides,
    });
  const sign = (issuer: ReturnType<typeof diIssuer>, suite: DataIntegritySignOptions['suite'], overrides: Record<string, unknown> = {}) =>
    signDataIntegrity(ldCredential(suite, overrides), { suite, privateKey: issuer.privateKey, verificationMethod: `${ISSUER}#key-1` });

  it.each([
    ['eddsa-rdfc-2022', 'ed25519'],
    ['eddsa-jcs-2022', 'ed25519'],
    ['ecdsa-rdfc-2019', 'p256'],
    ['Ed25519Signature2020', 'ed25519'],
  ] as const)('%s: admits a valid credential, denies it tampered, revoked in the pack or from an untrusted issuer', async (suite, kind) => {
    const issuer = diIssuer(kind);
    const verifier = new PackVerifier(pack(issuer), { dataIntegrity });
    const signed = await sign(issuer, suite);
    expect(await verifier.verify(JSON.stringify(signed), { now: at })).toMatchObject({
      decision: 'admitted',
      reasons: [],
      name: 'Nina Nurse',
      qualification: 'RN',
    });
    const tampered = { ...signed, credentialSubject: { ...(signed.credentialSubject as object), name: 'Mallory' } };
    expect(codes(await verifier.verify(JSON.stringify(tampered), { now: at }))).toEqual(['signature_invalid']);
    expect(codes(await new PackVerifier(pack(issuer, { revoked: [5] }), { dataIntegrity }).verify(JSON.stringify(signed), { now: at }))).toEqual(['revoked']);
    const rogue = await sign(issuer, suite, { issuer: { id: 'did:web:rogue.example', name: 'Rogue' } });
    expect(codes(await verifier.verify(JSON.stringify(rogue), { now: at }))).toEqual(['untrusted_issuer']);
  });

  it('a presentation without its own proof: its one credential is verified; without the loader, or with a holder proof, offline_unsupported', async () => {
    const issuer = diIssuer('ed25519');
    const signed = await sign(issuer, 'eddsa-rdfc-2022');
    const presentation = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], verifiableCredential: [signed] };
    const verifier = new PackVerifier(pack(issuer), { dataIntegrity });
    expect(await verifier.verify(JSON.stringify(presentation), { now: at })).toMatchObject({ decision: 'admitted', name: 'Nina Nurse' });
    const holderProof = await signDataIntegrity(presentation, {
      suite: 'eddsa-rdfc-2022',
      privateKey: issuer.privateKey,
      verificationMethod: `${ISSUER}#key-1`,
      proofPurpose: 'authentication',
    });
    expect(codes(await verifier.verify(JSON.stringify(holderProof), { now: at }))).toEqual(['offline_unsupported']);
    expect(codes(await new PackVerifier(pack(issuer)).verify(JSON.stringify(signed), { now: at }))).toEqual(['offline_unsupported']);
    // A key of another issuer named as the verification method: not the issuer's.
    const foreign = await signDataIntegrity(ldCredential('eddsa-rdfc-2022'), {
      suite: 'eddsa-rdfc-2022',
      privateKey: issuer.privateKey,
      verificationMethod: 'did:web:other.example#k',
    });
    expect(codes(await verifier.verify(JSON.stringify(foreign), { now: at }))).toEqual(['key_not_found']);
  });
});
