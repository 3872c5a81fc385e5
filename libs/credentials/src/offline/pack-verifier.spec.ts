import { gzipSync } from 'node:zlib';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import { PackVerifier, type OfflinePack } from './pack-verifier';

const LIST = 'https://board.example/status/1';
const ISSUER = 'did:web:board.example';

async function issuerKey(alg: 'ES256' | 'EdDSA') {
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
  key: Awaited<ReturnType<typeof issuerKey>>,
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
