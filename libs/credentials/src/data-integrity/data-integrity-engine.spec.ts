import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import canonicalize from 'canonicalize';
import { CONFORMANCE_CONTEXTS_DIR, didKey, signDataIntegrity } from '../../../../test/support/data-integrity-signer';
import { CredentialVerifier } from '../engine/credential-verifier';
import { BoundedFetcher } from '../fetch/bounded-fetcher';
import { StaticTrustSource, type QualificationRule, type TrustedIssuer } from '../trust/trust-source';
import type { VerificationResult } from '../verification-result';
import type { SuiteName } from './data-integrity-verifier';

/**
 * Data Integrity credentials through the whole engine (did:key issuers, offline): the same checks, order, reason
 * codes and evidence as JWS credentials, the issuer binding of each proof's key, and the attacks on the format.
 */
interface Issuer {
  did: string;
  verificationMethod: string;
  privateKey: KeyObject;
}

function makeIssuer(kind: 'ed25519' | 'P-256' | 'P-384' = 'ed25519'): Issuer {
  const pair = kind === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: kind });
  return { ...didKey(pair.publicKey), privateKey: pair.privateKey };
}

const OB_CONTEXTS = ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'];

function licence(issuer: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@context': OB_CONTEXTS,
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

const RULES: QualificationRule[] = [{ qualification: 'RN', achievementTypes: ['License'], achievementName: 'Registered Nurse' }];

function entry(issuer: Issuer, overrides: Partial<TrustedIssuer> = {}): TrustedIssuer {
  return {
    id: issuer.did,
    name: 'Florida Board of Nursing',
    jurisdictions: ['US-FL'],
    qualifications: ['RN'],
    algorithms: ['ES256', 'ES384', 'EdDSA'],
    ...overrides,
  };
}

function verifier(issuers: TrustedIssuer[], opts: { now?: Date; fetcher?: BoundedFetcher; contexts?: string | null } = {}): CredentialVerifier {
  const now = opts.now ?? new Date('2025-06-01T12:00:00Z');
  return new CredentialVerifier({
    fetcher: opts.fetcher ?? new BoundedFetcher({ insecureHosts: [], allowPrivateNetwork: false, timeoutMs: 500, maxBytes: 65536, cacheTtlMs: 1000 }),
    trust: new StaticTrustSource(issuers, RULES),
    clock: { now: () => now },
    clockSkewSeconds: 60,
    statusListMinBits: 131072,
    cacheTtlMs: 1000,
    jsonLdContextsDir: opts.contexts === null ? undefined : (opts.contexts ?? CONFORMANCE_CONTEXTS_DIR),
  });
}

const sign = (
  issuer: Issuer,
  credential: Record<string, unknown>,
  suite: SuiteName = 'eddsa-rdfc-2022',
  extra: Partial<Parameters<typeof signDataIntegrity>[1]> = {},
) => signDataIntegrity(credential, { suite, privateKey: issuer.privateKey, verificationMethod: issuer.verificationMethod, ...extra });

const check = (r: VerificationResult, id: string) => r.checks.find((c) => c.id === id)!;

/** A local server that counts what is asked of it: whatever a hostile credential names must not be fetched. */
async function countingServer(): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"@context": {}}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, hits, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('Data Integrity credentials through the engine', () => {
  const board = makeIssuer('ed25519');

  it('verifies a trusted Open Badge (eddsa-rdfc-2022): format, registry name, qualification and evidence', async () => {
    const credential = await sign(board, licence(board.did));
    const result = await verifier([entry(board)]).verify(credential, { jurisdiction: 'US-FL' });
    expect(result.errors).toEqual([]);
    expect(result.verified).toBe(true);
    expect(check(result, 'format').message).toContain('Data Integrity proof (eddsa-rdfc-2022)');
    expect(result.credential).toMatchObject({
      format: 'ldp-vc',
      qualification: 'RN',
      issuer: { id: board.did, registryName: 'Florida Board of Nursing', claimedName: 'Totally The Real Board' },
    });
    const canonical = canonicalize(credential)!;
    expect(result.evidence).toMatchObject({
      algorithm: 'eddsa-rdfc-2022',
      keyId: board.verificationMethod,
      credentialHash: createHash('sha256').update(canonical).digest('hex'),
      keyThumbprint: expect.any(String),
    });
    expect(result.jws).toBe(canonical);
  });

  it('reads the credential as JSON text too (a QR code holding JSON), with the same evidence hash however it is formatted', async () => {
    const credential = await sign(board, licence(board.did));
    const v = verifier([entry(board)]);
    const pretty = await v.verify(`\n${JSON.stringify(credential, null, 2)}\n`, { jurisdiction: 'US-FL' });
    const compact = await v.verify(credential, { jurisdiction: 'US-FL' });
    expect(pretty.verified).toBe(true);
    expect(pretty.evidence.credentialHash).toBe(compact.evidence.credentialHash);
    // What check-in stores (result.jws) verifies again.
    expect((await v.verify(pretty.jws!, { jurisdiction: 'US-FL' })).verified).toBe(true);
  });

  it.each([
    ['eddsa-jcs-2022', 'ed25519'],
    ['Ed25519Signature2020', 'ed25519'],
    ['ecdsa-rdfc-2019', 'P-256'],
    ['ecdsa-rdfc-2019', 'P-384'],
    ['ecdsa-jcs-2019', 'P-384'],
  ] as const)('verifies %s with a %s did:key', async (suite, kind) => {
    const issuer = makeIssuer(kind);
    const contexts = suite === 'Ed25519Signature2020' ? [...OB_CONTEXTS, 'https://w3id.org/security/suites/ed25519-2020/v1'] : OB_CONTEXTS;
    const credential = await sign(issuer, licence(issuer.did, { '@context': contexts }), suite);
    const result = await verifier([entry(issuer)]).verify(credential, { jurisdiction: 'US-FL' });
    expect(result.errors).toEqual([]);
    expect(result.evidence.algorithm).toBe(suite);
  });

  it('verifies a VC 1.1 credential (issuanceDate, expirationDate) with the v1 contexts', async () => {
    const { validFrom: _from, validUntil: _until, ...rest } = licence(board.did);
    const v1 = {
      ...rest,
      '@context': [
        'https://www.w3.org/2018/credentials/v1',
        'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
        'https://w3id.org/security/data-integrity/v2',
      ],
      issuanceDate: '2024-01-01T00:00:00Z',
      expirationDate: '2026-01-01T00:00:00Z',
    };
    const result = await verifier([entry(board)]).verify(await sign(board, v1), { jurisdiction: 'US-FL' });
    expect(result.errors).toEqual([]);
    expect(check(result, 'data_model').message).toContain('1.1');
    const later = await verifier([entry(board)], { now: new Date('2026-06-01T00:00:00Z') }).verify(await sign(board, v1), { jurisdiction: 'US-FL' });
    expect(check(later, 'validity')).toMatchObject({ status: 'fail', code: 'expired' });
  });

  it('signature_invalid for a tampered credential, another key, or a proof taken from another credential', async () => {
    const v = verifier([entry(board)]);
    const credential = await sign(board, licence(board.did));
    const tampered = { ...credential, credentialSubject: { ...(credential.credentialSubject as object), name: 'Somebody Else' } };
    const forged = await sign(board, licence(board.did), 'eddsa-rdfc-2022', { privateKey: makeIssuer('ed25519').privateKey });
    const other = await sign(
      board,
      licence(board.did, {
        id: 'urn:uuid:6a1c1c9e-0000-4000-8000-000000000002',
        credentialSubject: { ...(licence(board.did).credentialSubject as object), name: 'Eve' },
      }),
    );
    const swapped = { ...other, proof: credential.proof };
    for (const input of [tampered, forged, swapped]) {
      const result = await v.verify(input, { jurisdiction: 'US-FL' });
      expect(check(result, 'signature')).toMatchObject({ status: 'fail', code: 'signature_invalid' });
      expect(result.checks.filter((c) => c.status === 'skipped')).toHaveLength(4);
    }
  });

  it('signature_invalid for a proof whose purpose is not assertionMethod, or whose suite does not fit the key', async () => {
    const v = verifier([entry(board)]);
    const authentication = await sign(board, licence(board.did), 'eddsa-rdfc-2022', { proofPurpose: 'authentication' });
    const purpose = check(await v.verify(authentication, { jurisdiction: 'US-FL' }), 'signature');
    expect(purpose).toMatchObject({ status: 'fail', code: 'signature_invalid' });
    expect(purpose.message).toContain('not assertionMethod');
    const p256 = makeIssuer('P-256');
    const mismatch = await sign(p256, licence(p256.did), 'ecdsa-rdfc-2019');
    (mismatch.proof as Record<string, unknown>).cryptosuite = 'eddsa-rdfc-2022';
    const suite = check(await verifier([entry(p256)]).verify(mismatch, { jurisdiction: 'US-FL' }), 'signature');
    expect(suite).toMatchObject({ status: 'fail', code: 'signature_invalid' });
    expect(suite.message).toContain('does not fit eddsa-rdfc-2022');
  });

  it('unsupported_format for an unknown cryptosuite or proof type, and for selective-disclosure suites', async () => {
    const credential = await sign(board, licence(board.did));
    const v = verifier([entry(board)]);
    for (const proof of [{ cryptosuite: 'eddsa-rdfc-2099' }, { type: 'RsaSignature2018' }, { cryptosuite: 'ecdsa-sd-2023' }, { cryptosuite: 'constructor' }]) {
      const result = await v.verify({ ...credential, proof: { ...(credential.proof as object), ...proof } }, { jurisdiction: 'US-FL' });
      expect(check(result, 'format')).toMatchObject({ status: 'fail', code: 'unsupported_format' });
    }
  });

  it("key_not_found for a verification method outside the issuer's DID, before anything is fetched", async () => {
    const server = await countingServer();
    try {
      const fetcher = new BoundedFetcher({ insecureHosts: ['127.0.0.1'], allowPrivateNetwork: true, timeoutMs: 500, maxBytes: 65536, cacheTtlMs: 0 });
      const stranger = makeIssuer('ed25519');
      const host = new URL(server.url).host.replace(':', '%3A');
      for (const method of [stranger.verificationMethod, `did:web:${host}:evil#key-1`, `${server.url}/keys#1`]) {
        const credential = await sign(board, licence(board.did), 'eddsa-rdfc-2022', { verificationMethod: method, privateKey: stranger.privateKey });
        const result = await verifier([entry(board)], { fetcher }).verify(credential, { jurisdiction: 'US-FL' });
        expect(check(result, 'signature')).toMatchObject({ status: 'fail', code: 'key_not_found' });
      }
      expect(server.hits).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('key_not_found when the credential names no issuer id, with the text it was given kept like any result', async () => {
    const credential = await sign(board, licence(board.did, { issuer: { type: ['Profile'], name: 'Totally The Real Board' } }), 'eddsa-rdfc-2022');
    const result = await verifier([entry(board)]).verify(credential, { jurisdiction: 'US-FL' });
    expect(check(result, 'signature')).toMatchObject({ status: 'fail', code: 'key_not_found' });
    expect(result.verified).toBe(false);
    expect(result.jws).toBe(canonicalize(credential));
  });

  it('a proof set verifies when every proof is by the issuer; a co-signer from outside fails', async () => {
    const first = await sign(board, licence(board.did), 'eddsa-rdfc-2022', { proof: { id: 'urn:uuid:proof-1' } });
    const both = await sign(board, first, 'eddsa-jcs-2022', { existing: [first.proof as Record<string, unknown>] });
    const result = await verifier([entry(board)]).verify(both, { jurisdiction: 'US-FL' });
    expect(result.errors).toEqual([]);
    expect(check(result, 'signature').message).toContain('All 2 proofs verify');
    const stranger = makeIssuer('ed25519');
    const cosigned = await sign(stranger, first, 'eddsa-rdfc-2022', { existing: [first.proof as Record<string, unknown>] });
    expect(check(await verifier([entry(board)]).verify(cosigned, { jurisdiction: 'US-FL' }), 'signature')).toMatchObject({ code: 'key_not_found' });
  });

  it('alg_not_allowed when the registry entry does not list the algorithm; expired for a proof past its expires', async () => {
    const credential = await sign(board, licence(board.did));
    expect(check(await verifier([entry(board, { algorithms: ['ES256'] })]).verify(credential, { jurisdiction: 'US-FL' }), 'signature')).toMatchObject({
      code: 'alg_not_allowed',
    });
    const expiring = await sign(board, licence(board.did), 'eddsa-rdfc-2022', { proof: { expires: '2025-01-01T00:00:00Z' } });
    expect(check(await verifier([entry(board)]).verify(expiring, { jurisdiction: 'US-FL' }), 'signature')).toMatchObject({ code: 'expired' });
  });

  it('untrusted_issuer is decided from the registry alone: the issuer is never resolved', async () => {
    const server = await countingServer();
    try {
      const fetcher = new BoundedFetcher({ insecureHosts: ['127.0.0.1'], allowPrivateNetwork: true, timeoutMs: 500, maxBytes: 65536, cacheTtlMs: 0 });
      const issuer = `did:web:${new URL(server.url).host.replace(':', '%3A')}`;
      const credential = await sign(board, licence(issuer), 'eddsa-rdfc-2022', { verificationMethod: `${issuer}#key-1` });
      const result = await verifier([entry(board)], { fetcher }).verify(credential, { jurisdiction: 'US-FL' });
      expect(check(result, 'issuer_trust')).toMatchObject({ status: 'fail', code: 'untrusted_issuer' });
      expect(check(result, 'signature').status).toBe('skipped');
      expect(server.hits).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('an unknown context is unsupported_format and never fetched, at the top or inside an inline context', async () => {
    const server = await countingServer();
    try {
      const v = verifier([entry(board)]);
      const top = await sign(board, licence(board.did));
      top['@context'] = [...OB_CONTEXTS, `${server.url}/context.json`];
      expect(check(await v.verify(top, { jurisdiction: 'US-FL' }), 'format')).toMatchObject({ status: 'fail', code: 'unsupported_format' });
      // A scoped context named by an inline context at the top: refused before anything is verified (a JCS proof never
      // expands the credential).
      const inline = { ...(await sign(board, licence(board.did), 'eddsa-jcs-2022')) };
      inline['@context'] = [...OB_CONTEXTS, { extra: { '@id': 'urn:example:extra', '@context': `${server.url}/scoped.json` } }];
      expect(check(await v.verify(inline, { jurisdiction: 'US-FL' }), 'format')).toMatchObject({ status: 'fail', code: 'unsupported_format' });
      // A scoped context only seen while expanding (inside the subject): refused by the document loader.
      const nested = await sign(board, licence(board.did));
      (nested.credentialSubject as Record<string, unknown>)['@context'] = { extra: { '@id': 'urn:example:extra', '@context': `${server.url}/scoped.json` } };
      (nested.credentialSubject as Record<string, unknown>).extra = { x: 1 };
      expect(check(await v.verify(nested, { jurisdiction: 'US-FL' }), 'signature')).toMatchObject({ status: 'fail', code: 'unsupported_format' });
      // Without the configured folder the bundled Open Badges contexts answer; an Open Badges version that does not exist is unknown.
      const bundledOnly = verifier([entry(board)], { contexts: null });
      expect((await bundledOnly.verify(await sign(board, licence(board.did)), { jurisdiction: 'US-FL' })).verified).toBe(true);
      const future = { ...(await sign(board, licence(board.did))), '@context': [OB_CONTEXTS[0], 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.9.json'] };
      expect(check(await bundledOnly.verify(future, { jurisdiction: 'US-FL' }), 'format')).toMatchObject({ code: 'unsupported_format' });
      expect(server.hits).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('data_model_invalid for a term no context defines (JSON-LD safe mode)', async () => {
    const { validFrom: _from, validUntil: _until, ...rest } = licence(board.did);
    const v1 = {
      ...rest,
      '@context': ['https://www.w3.org/2018/credentials/v1', 'https://w3id.org/security/data-integrity/v2'],
      issuer: board.did,
      issuanceDate: '2024-01-01T00:00:00Z',
      type: ['VerifiableCredential'],
      credentialSubject: { undefinedTerm: 'not covered' },
    };
    const signed = await sign(board, v1, 'eddsa-jcs-2022');
    (signed.proof as Record<string, unknown>).cryptosuite = 'eddsa-rdfc-2022';
    const result = await verifier([entry(board)]).verify(signed, { jurisdiction: 'US-FL', fullReport: true });
    expect(check(result, 'signature')).toMatchObject({ status: 'fail', code: 'data_model_invalid' });
    expect(check(result, 'signature').message).toContain('undefinedTerm');
  });

  it('JSON-LD bombs fail fast: deep nesting, a huge graph, entangled blank nodes', async () => {
    const v = verifier([entry(board)]);
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 10000; i++) deep = { nested: deep };
    // Many values in few bytes (under the 64 KiB input cap, so the value count is what refuses it).
    const huge = licence(board.did, { evidence: Array.from({ length: 6000 }, (_, i) => i) });
    // 30 blank nodes each linked to every other: every first-degree hash is the same (a poison graph for RDFC-1.0).
    const nodes = Array.from({ length: 30 }, (_, i) => `_:b${i}`);
    const entangled = licence(board.did, {
      '@context': ['https://www.w3.org/ns/credentials/v2', { knows: 'urn:example:knows' }],
      type: ['VerifiableCredential'],
      issuer: board.did,
      credentialSubject: { knows: nodes.map((id) => ({ id, knows: nodes.filter((o) => o !== id).map((o) => ({ id: o })) })) },
    });
    const started = Date.now();
    for (const [input, where, why] of [
      [{ ...licence(board.did), credentialSubject: deep, proof: {} }, 'format', 'deeper than 32 levels'],
      [{ ...huge, proof: {} }, 'format', 'more than 5000 JSON values'],
      [
        await sign(board, entangled, 'eddsa-jcs-2022').then((c) => ({ ...c, proof: { ...(c.proof as object), cryptosuite: 'eddsa-rdfc-2022' } })),
        'signature',
        'work limit',
      ],
    ] as const) {
      const before = Date.now();
      // A full report: canonicalization is reached even without a recognised qualification.
      const result = await v.verify(input, { jurisdiction: 'US-FL', fullReport: true });
      expect(check(result, where)).toMatchObject({ status: 'fail', code: 'malformed', message: expect.stringContaining(why) });
      // The limits above stop each one, not the clock: this bound only tells a hang apart (tens of milliseconds on a
      // quiet machine, several times that on a loaded one).
      expect(Date.now() - before).toBeLessThan(15_000);
    }
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('revalidate() does not re-compute the proof while the issuer still has the key', async () => {
    const v = verifier([entry(board)]);
    const first = await v.verify(await sign(board, licence(board.did)), { jurisdiction: 'US-FL' });
    const again = await v.revalidate(first.jws, { jurisdiction: 'US-FL', knownKeyThumbprint: first.evidence.keyThumbprint });
    expect(again.verified).toBe(true);
    expect(check(again, 'signature').message).toContain('not re-computed');
    const forged = JSON.parse(first.jws!) as Record<string, unknown>;
    forged.credentialSubject = { ...(forged.credentialSubject as object), name: 'Mallory' };
    const full = await v.revalidate(JSON.stringify(forged), { jurisdiction: 'US-FL' });
    expect(check(full, 'signature')).toMatchObject({ code: 'signature_invalid' });
  });
});
