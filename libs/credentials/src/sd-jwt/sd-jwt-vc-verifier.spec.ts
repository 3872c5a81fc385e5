import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFORMANCE_DIR } from '../../../../test/support/conformance';
import { CredentialVerifier } from '../engine/credential-verifier';
import { BoundedFetcher, FetchError, type FetchOptions, type FetchResult } from '../fetch/bounded-fetcher';
import { VERIFICATION_LIMITS } from '../limits';
import { encodeList } from '../status/bitstring';
import { StaticTrustSource, type QualificationRule, type TrustedIssuer } from '../trust/trust-source';
import type { JsonRecord } from '../util/json';
import type { VerificationResult, VerifyOptions } from '../verification-result';
import { KEY_BINDING_MAX_AGE_SECONDS } from './key-binding';
import { issueSdJwt, presentSdJwt, signCompactJwt, type SdJwtAlg } from './sd-jwt-issue';
import { encodeTokenList } from './token-status-list';

/**
 * SD-JWT VCs through the whole engine (CredentialVerifier.verify): the draft's and RFC 9901's SD-JWT VC examples with
 * their issuer key published as JWT VC Issuer Metadata, and credentials issued here for every failure. The network
 * is a table of URLs (the e2e tests use real servers); every fetch is counted.
 */
class TableFetcher extends BoundedFetcher {
  readonly requested: string[] = [];
  constructor(private readonly table: Map<string, { body: string; contentType?: string }>) {
    super({ insecureHosts: [], allowPrivateNetwork: false, timeoutMs: 500, maxBytes: 1 << 20, cacheTtlMs: 0 });
  }

  override async get(url: string, _opts: FetchOptions = {}): Promise<FetchResult> {
    this.requested.push(url);
    const hit = this.table.get(url);
    if (!hit) throw new FetchError('http_status', `HTTP 404 from ${url}`, 404);
    return {
      url,
      status: 200,
      notModified: false,
      body: Buffer.from(hit.body),
      contentType: hit.contentType,
      noStore: false,
      fetchedAt: Date.now(),
      fromCache: false,
    };
  }
}

const VC_DIR = path.join(CONFORMANCE_DIR, 'sd-jwt-vc');
const RFC_DIR = path.join(CONFORMANCE_DIR, 'sd-jwt-rfc9901');
const text = (dir: string, file: string): string => readFileSync(path.join(dir, file), 'utf8');
const json = (dir: string, file: string): JsonRecord => JSON.parse(text(dir, file)) as JsonRecord;
const publicOf = (jwk: JsonRecord): JsonRecord => {
  const { d: _d, ...pub } = jwk;
  return pub;
};

const NOW = new Date('2026-03-01T12:00:00Z');
const BOARD = 'https://boards.example.org/fl-nursing';
const RN_VCT = 'https://boards.example.org/vct/registered-nurse';
const RULES: QualificationRule[] = [
  { qualification: 'RN', vct: RN_VCT },
  { qualification: 'RN', achievementTypes: ['License'], achievementName: 'Registered Nurse' },
  { qualification: 'ID', vct: 'https://credentials.example.com/identity_credential' },
  { qualification: 'PID', vct: 'urn:example:eudi:pid:aendgard:1' },
  { qualification: 'PID', vct: 'urn:eudi:pid:de:1' },
];

function trusted(id: string, qualifications = ['RN'], extra: Partial<TrustedIssuer> = {}): TrustedIssuer {
  return { id, name: `Registry name of ${id}`, jurisdictions: ['US-FL'], qualifications, algorithms: ['ES256', 'ES384', 'EdDSA'], ...extra };
}

function engine(
  issuers: TrustedIssuer[],
  table: Map<string, { body: string; contentType?: string }>,
  clock: { now(): Date } = { now: () => NOW },
): { verifier: CredentialVerifier; fetcher: TableFetcher } {
  const fetcher = new TableFetcher(table);
  const verifier = new CredentialVerifier({
    fetcher,
    trust: new StaticTrustSource(issuers, RULES),
    clock,
    clockSkewSeconds: 60,
    statusListMinBits: 131072,
    cacheTtlMs: 60_000,
  });
  return { verifier, fetcher };
}

const metadata = (issuer: string, keys: JsonRecord[]): string => JSON.stringify({ issuer, jwks: { keys } });
const metadataUrl = (issuer: string): string => {
  const url = new URL(issuer);
  return `${url.origin}/.well-known/jwt-vc-issuer${url.pathname === '/' ? '' : url.pathname}`;
};
const check = (r: VerificationResult, id: string) => r.checks.find((c) => c.id === id)!;
const statuses = (r: VerificationResult) => Object.fromEntries(r.checks.map((c) => [c.id, c.status === 'pass' ? 'pass' : `${c.status}:${c.code}`]));

describe('SD-JWT VC examples (draft-ietf-oauth-sd-jwt-vc, RFC 9901 A.3)', () => {
  const issuerJwk = publicOf(json(VC_DIR, 'keys/issuer.jwk.json'));
  const issuers = ['https://example.com/issuer', 'https://pid-issuer.aendgard.example', 'https://pid-issuer.bund.de.example'];
  const table = new Map(issuers.map((iss) => [metadataUrl(iss), { body: metadata(iss, [{ ...issuerJwk, kid: 'doc-signer-05-25-2022' }]) }]));
  const trust = [trusted(issuers[0], ['ID']), trusted(issuers[1], ['PID']), trusted(issuers[2], ['PID'])];

  const cases: Array<[string, string, string, VerifyOptions, Record<string, unknown>]> = [
    [
      '2.3 issuance',
      VC_DIR,
      'examples/2.3-identity-credential/issuance.txt',
      {},
      { qualification: 'ID', subject: { name: 'John Doe', email: 'johndoe@example.com' } },
    ],
    [
      '2.3 presentation with Key Binding',
      VC_DIR,
      'examples/2.3-identity-credential/presentation-kb.txt',
      { now: new Date((1785785053 + 30) * 1000), challenge: '1234567890', domain: 'https://example.com/verifier' },
      { qualification: 'ID', subject: { id: expect.stringMatching(/^urn:ietf:params:oauth:jwk-thumbprint:sha-256:/) } },
    ],
    ['2.3 presentation without Key Binding', VC_DIR, 'examples/2.3-identity-credential/presentation-no-kb.txt', {}, { qualification: 'ID', subject: {} }],
    ['A.1 PID issuance', VC_DIR, 'examples/A.1-pid/issuance.txt', {}, { qualification: 'PID', subject: expect.objectContaining({ name: 'Astrid Holmgren' }) }],
    [
      'A.1 PID presentation with Key Binding',
      VC_DIR,
      'examples/A.1-pid/presentation.txt',
      { now: new Date((1785785053 + 30) * 1000), challenge: '1234567890', domain: 'https://example.com/verifier' },
      { qualification: 'PID' },
    ],
    [
      'RFC 9901 A.3 presentation',
      RFC_DIR,
      'examples/A.3-sd-jwt-vc/presentation.txt',
      { now: new Date((1748537243 + 30) * 1000), challenge: '1234567890', domain: 'https://verifier.example.org' },
      { qualification: 'PID', vct: 'urn:eudi:pid:de:1' },
    ],
  ];

  it.each(cases)('%s is verified', async (_name, dir, file, options, summary) => {
    const { verifier } = engine(trust, table);
    const result = await verifier.verify(text(dir, file), { jurisdiction: 'US-FL', ...options });
    expect(statuses(result)).toEqual({ format: 'pass', signature: 'pass', data_model: 'pass', validity: 'pass', status: 'pass', issuer_trust: 'pass' });
    expect(result.credential).toMatchObject({ format: 'dc+sd-jwt', validUntil: '2029-09-01T23:33:20.000Z', ...summary });
    expect(result.credential?.validFrom).toBeUndefined();
    expect(result.evidence).toMatchObject({ algorithm: 'ES256', keyThumbprint: expect.any(String) });
    expect(result.jws).toBe(text(dir, file).trim());
  });

  /** RFC 9901 section 8: the same SD-JWT in its flattened or general JWS JSON serialization (a second signature added). */
  const asJson = (compact: string, form: 'flattened' | 'general'): JsonRecord => {
    const parts = compact.split('~');
    const [protectedHeader, payload, signature] = parts[0].split('.');
    const kb = parts[parts.length - 1];
    const header = { disclosures: parts.slice(1, -1), ...(kb ? { kb_jwt: kb } : {}), kid: 'ignored-hint' };
    if (form === 'flattened') return { payload, protected: protectedHeader, header, signature };
    return {
      payload,
      signatures: [
        { protected: protectedHeader, header, signature },
        { protected: protectedHeader, header: { kid: 'other' }, signature: 'AAAA' },
      ],
    };
  };

  it.each(cases.flatMap((c) => (['flattened', 'general'] as const).map((form) => [`${c[0]} (${form} JSON)`, form, c] as const)))(
    '%s is verified, and kept as its compact form',
    async (_name, form, [, dir, file, options, summary]) => {
      const { verifier } = engine(trust, table);
      const compact = text(dir, file).trim();
      for (const input of [asJson(compact, form), JSON.stringify(asJson(compact, form), null, 2)]) {
        const result = await verifier.verify(input, { jurisdiction: 'US-FL', ...options });
        expect(statuses(result)).toEqual({ format: 'pass', signature: 'pass', data_model: 'pass', validity: 'pass', status: 'pass', issuer_trust: 'pass' });
        expect(result.credential).toMatchObject({ format: 'dc+sd-jwt', ...summary });
        expect(result.jws).toBe(compact);
      }
    },
  );

  it('a JSON serialization: a Disclosure removed breaks the Key Binding, a foreign one is refused, and RFC 9901 8.2/8.3 (typ example+sd-jwt) are read but are no SD-JWT VC', async () => {
    const { verifier, fetcher } = engine(trust, table);
    const options = { jurisdiction: 'US-FL', now: new Date((1785785053 + 30) * 1000), challenge: '1234567890', domain: 'https://example.com/verifier' };
    const flat = asJson(text(VC_DIR, 'examples/2.3-identity-credential/presentation-kb.txt').trim(), 'flattened');
    const header = flat.header as JsonRecord;
    const fewer = await verifier.verify({ ...flat, header: { ...header, disclosures: (header.disclosures as string[]).slice(1) } }, options);
    expect(check(fewer, 'signature')).toMatchObject({ status: 'fail', code: 'signature_invalid' });
    const foreign = Buffer.from(JSON.stringify(['salt', 'given_name', 'Mallory'])).toString('base64url');
    const added = await verifier.verify({ ...flat, header: { ...header, disclosures: [...(header.disclosures as string[]), foreign] } }, options);
    expect(check(added, 'signature')).toMatchObject({ status: 'fail', code: 'signature_invalid' });
    const bad = await verifier.verify({ ...flat, signature: 42 }, options);
    expect(check(bad, 'format')).toMatchObject({ status: 'fail', code: 'malformed' });
    for (const file of [
      'examples/8.2-flattened-json/issuance.json',
      'examples/8.2-flattened-json/presentation.json',
      'examples/8.3-general-json/presentation.json',
    ]) {
      const result = await verifier.verify(json(RFC_DIR, file));
      expect(check(result, 'format')).toMatchObject({ status: 'fail', code: 'unsupported_format', message: expect.stringContaining('example+sd-jwt') });
    }
    // Only the trusted issuer's metadata was read; nothing for the RFC's example issuer.
    expect(fetcher.requested.filter((url) => url.includes('issuer.example.com'))).toEqual([]);
  });

  it("Figure 14's metadata names https://example.com, not the credential's iss: no key", async () => {
    const figure = text(VC_DIR, 'examples/issuer-metadata/jwt-vc-issuer-metadata-jwks.json');
    const { verifier } = engine(trust, new Map([[metadataUrl(issuers[0]), { body: figure }]]));
    const result = await verifier.verify(text(VC_DIR, 'examples/2.3-identity-credential/issuance.txt'), { jurisdiction: 'US-FL' });
    expect(check(result, 'signature')).toMatchObject({ status: 'fail', code: 'key_not_found', message: expect.stringMatching(/for another issuer/) });
  });

  it('an SD-JWT that is not an SD-JWT VC (typ example+sd-jwt) is unsupported_format', async () => {
    const { verifier, fetcher } = engine(trust, table);
    const result = await verifier.verify(text(RFC_DIR, 'examples/5-example/presentation.txt'));
    expect(check(result, 'format')).toMatchObject({ status: 'fail', code: 'unsupported_format' });
    expect(fetcher.requested).toEqual([]);
  });
});

describe('SD-JWT VC issued by a licensing board', () => {
  const key = (alg: SdJwtAlg): { privateKey: KeyObject; jwk: JsonRecord } => {
    const pair = alg === 'EdDSA' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: alg === 'ES256' ? 'P-256' : 'P-384' });
    return { privateKey: pair.privateKey, jwk: pair.publicKey.export({ format: 'jwk' }) as JsonRecord };
  };
  const board = key('ES256');
  const holder = key('ES256');
  const stranger = key('ES256');
  const LIST = `${BOARD}/status/1`;
  const iat = Math.floor(NOW.getTime() / 1000);

  function licence(claims: JsonRecord = {}, opts: { disclose?: string[]; typ?: string; signWith?: KeyObject; iss?: string; alg?: SdJwtAlg } = {}): string {
    return issueSdJwt({
      header: { alg: opts.alg ?? 'ES256', typ: opts.typ ?? 'dc+sd-jwt', kid: 'board-key-1' },
      claims: {
        iss: opts.iss ?? BOARD,
        iat,
        nbf: iat - 3600,
        exp: iat + 365 * 86400,
        vct: RN_VCT,
        cnf: { jwk: holder.jwk },
        given_name: 'Dana',
        family_name: 'Rivera',
        license_number: 'RN9912345',
        ...claims,
      },
      disclose: opts.disclose ?? ['given_name', 'family_name', 'license_number'],
      decoys: 2,
      key: opts.signWith ?? board.privateKey,
    });
  }
  const present = (sdJwt: string, binding: Partial<{ aud: string; nonce: string; iat: number; key: KeyObject }> = {}): string =>
    presentSdJwt(sdJwt, ['given_name', 'family_name', 'license_number'], {
      key: holder.privateKey,
      alg: 'ES256',
      aud: 'https://checkin.example.org',
      nonce: 'n-1',
      iat,
      ...binding,
    });

  function statusList(values: Array<[number, number]>, opts: { signWith?: KeyObject; sub?: string } = {}): string {
    return signCompactJwt(
      { alg: 'ES256', typ: 'statuslist+jwt', kid: 'board-key-1' },
      { iss: BOARD, sub: opts.sub ?? LIST, iat, exp: iat + 86400, ttl: 300, status_list: { bits: 2, lst: encodeTokenList(65536, 2, values) } },
      opts.signWith ?? board.privateKey,
    );
  }
  const boardTable = (extra: Array<[string, string]> = [], keys: JsonRecord[] = [{ ...board.jwk, kid: 'board-key-1' }]) =>
    new Map<string, { body: string; contentType?: string }>([
      [metadataUrl(BOARD), { body: metadata(BOARD, keys) }],
      ...extra.map(([u, body]): [string, { body: string }] => [u, { body }]),
    ]);

  it('verified: registry name, vct qualification, licence, holder, validity from nbf/exp, Token Status List evidence', async () => {
    const { verifier, fetcher } = engine(
      [trusted(BOARD)],
      boardTable([
        [
          LIST,
          statusList([
            [7, 0],
            [8, 1],
          ]),
        ],
      ]),
    );
    const result = await verifier.verify(present(licence({ status: { status_list: { idx: 7, uri: LIST } } })), { jurisdiction: 'US-FL' });
    expect(result.verified).toBe(true);
    expect(result.credential).toMatchObject({
      format: 'dc+sd-jwt',
      vct: RN_VCT,
      types: [RN_VCT],
      qualification: 'RN',
      issuer: { id: BOARD, registryName: `Registry name of ${BOARD}` },
      subject: { name: 'Dana Rivera' },
      licenseNumber: 'RN9912345',
      validFrom: new Date((iat - 3600) * 1000).toISOString(),
      validUntil: new Date((iat + 365 * 86400) * 1000).toISOString(),
      status: [{ type: 'TokenStatusList', purpose: 'status_list', listUrl: LIST, index: 7 }],
    });
    expect(result.evidence.status).toEqual([{ listUrl: LIST, purpose: 'status_list', index: 7, value: 0, fetchedAt: expect.any(String) }]);
    expect(fetcher.requested).toEqual([metadataUrl(BOARD), LIST]);
    expect(check(result, 'signature').message).toMatch(/presented by the holder/);
  });

  it('revoked and suspended through the Token Status List; an application-specific value is indeterminate', async () => {
    const { verifier } = engine(
      [trusted(BOARD)],
      boardTable([
        [
          LIST,
          statusList([
            [8, 1],
            [9, 2],
            [10, 3],
          ]),
        ],
      ]),
    );
    const at = (idx: number) => verifier.verify(present(licence({ status: { status_list: { idx, uri: LIST } } })), { jurisdiction: 'US-FL' });
    expect(check(await at(8), 'status')).toMatchObject({ status: 'fail', code: 'revoked' });
    expect(check(await at(9), 'status')).toMatchObject({ status: 'fail', code: 'suspended' });
    expect(check(await at(10), 'status')).toMatchObject({ status: 'indeterminate', code: 'status_unavailable' });
    expect(check(await at(70000), 'status')).toMatchObject({
      status: 'fail',
      code: 'status_list_invalid',
      message: expect.stringMatching(/outside the status list/),
    });
    const other = await verifier.verify(present(licence({ status: { identifier_list: { id: '1', uri: LIST } } })), { jurisdiction: 'US-FL' });
    expect(check(other, 'status')).toMatchObject({
      status: 'indeterminate',
      code: 'status_unavailable',
      message: expect.stringMatching(/identifier_list is not supported/),
    });
    const broken = await verifier.verify(present(licence({ status: { status_list: { idx: -1, uri: LIST } } })), { jurisdiction: 'US-FL' });
    expect(check(broken, 'status')).toMatchObject({ status: 'fail', code: 'data_model_invalid', message: expect.stringMatching(/no valid idx/) });
  });

  it('a revocation in the last Status List Token read still counts when a current one cannot be had', async () => {
    let now = NOW;
    const table = boardTable([[LIST, statusList([[8, 1]])]]);
    const { verifier } = engine([trusted(BOARD)], table, { now: () => now });
    const credential = present(licence({ status: { status_list: { idx: 8, uri: LIST } } }));
    expect(check(await verifier.verify(credential, { jurisdiction: 'US-FL' }), 'status')).toMatchObject({ code: 'revoked' });
    table.delete(LIST);
    now = new Date(NOW.getTime() + 600_000); // past the list's ttl (300 s): it must be fetched again, and cannot be
    const later = await verifier.verify(present(licence({ status: { status_list: { idx: 8, uri: LIST } } }), { iat: iat + 600 }), { jurisdiction: 'US-FL' });
    expect(check(later, 'status')).toMatchObject({
      status: 'fail',
      code: 'revoked',
      message: expect.stringMatching(/as its status list read 10 minutes ago .* shows; a current copy cannot be had/),
    });
    const clear = await verifier.verify(present(licence({ status: { status_list: { idx: 9, uri: LIST } } }), { iat: iat + 600 }), { jurisdiction: 'US-FL' });
    expect(check(clear, 'status')).toMatchObject({ status: 'indeterminate', code: 'status_unavailable' });
  });

  it('a Status List Token not signed by the issuer, or for another uri, is not a list of this issuer', async () => {
    const forged = engine([trusted(BOARD)], boardTable([[LIST, statusList([[8, 0]], { signWith: stranger.privateKey })]]));
    const r1 = await forged.verifier.verify(present(licence({ status: { status_list: { idx: 8, uri: LIST } } })), { jurisdiction: 'US-FL' });
    expect(check(r1, 'status')).toMatchObject({
      status: 'indeterminate',
      code: 'status_list_invalid',
      message: expect.stringMatching(/signature does not verify/),
    });
    const moved = engine([trusted(BOARD)], boardTable([[LIST, statusList([[8, 0]], { sub: `${BOARD}/status/2` })]]));
    const r2 = await moved.verifier.verify(present(licence({ status: { status_list: { idx: 8, uri: LIST } } })), { jurisdiction: 'US-FL' });
    expect(check(r2, 'status')).toMatchObject({ status: 'indeterminate', code: 'status_list_invalid', message: expect.stringMatching(/another list/) });
  });

  it('untrusted issuer: decided from iss and the registry, with zero fetches', async () => {
    const { verifier, fetcher } = engine([], boardTable([[LIST, statusList([])]]));
    const result = await verifier.verify(present(licence({ status: { status_list: { idx: 1, uri: LIST } } })), { jurisdiction: 'US-FL' });
    expect(statuses(result)).toEqual({
      format: 'pass',
      issuer_trust: 'fail:untrusted_issuer',
      signature: 'skipped:skipped',
      data_model: 'skipped:skipped',
      validity: 'skipped:skipped',
      status: 'skipped:skipped',
    });
    expect(fetcher.requested).toEqual([]);
  });

  it('a vct no rule maps is issuer_not_authorized, before any fetch', async () => {
    const { verifier, fetcher } = engine([trusted(BOARD)], boardTable());
    const result = await verifier.verify(present(licence({ vct: 'https://boards.example.org/vct/florist' })), { jurisdiction: 'US-FL' });
    expect(check(result, 'issuer_trust')).toMatchObject({
      status: 'fail',
      code: 'issuer_not_authorized',
      message: expect.stringMatching(/no.*qualification the registry recognises/),
    });
    expect(fetcher.requested).toEqual([]);
  });

  it('wrong issuer key: the metadata publishes another key', async () => {
    const { verifier } = engine([trusted(BOARD)], boardTable([], [{ ...stranger.jwk, kid: 'board-key-1' }]));
    expect(check(await verifier.verify(present(licence()), { jurisdiction: 'US-FL' }), 'signature')).toMatchObject({
      status: 'fail',
      code: 'signature_invalid',
    });
  });

  it('a tampered Disclosure fails the signature check', async () => {
    const [jwt, first, ...rest] = present(licence()).split('~');
    const contents = JSON.parse(Buffer.from(first, 'base64url').toString()) as unknown[];
    contents[2] = contents[1] === 'license_number' ? 'RN0000001' : 'Mallory';
    const tampered = [jwt, Buffer.from(JSON.stringify(contents)).toString('base64url'), ...rest].join('~');
    const { verifier } = engine([trusted(BOARD)], boardTable());
    const result = await verifier.verify(tampered, { jurisdiction: 'US-FL' });
    expect(check(result, 'signature')).toMatchObject({
      status: 'fail',
      code: 'signature_invalid',
      message: expect.stringMatching(/not covered by the issuer's signature/),
    });
    expect(result.verified).toBe(false);
  });

  it('duplicate and flooded Disclosures are malformed, with nothing fetched', async () => {
    const { verifier, fetcher } = engine([trusted(BOARD)], boardTable());
    const issued = licence();
    const [jwt, first] = issued.split('~');
    expect(check(await verifier.verify(`${jwt}~${first}~${first}~`), 'format')).toMatchObject({
      status: 'fail',
      code: 'malformed',
      message: 'Disclosure 2 is sent twice.',
    });
    const flood = `${jwt}~${Array.from({ length: VERIFICATION_LIMITS.sdJwtDisclosures + 1 }, () => first).join('~')}~`;
    expect(check(await verifier.verify(flood), 'format')).toMatchObject({ status: 'fail', code: 'malformed', message: expect.stringMatching(/at most/) });
    expect(fetcher.requested).toEqual([]);
  });

  it('an unreferenced Disclosure (from another credential) fails the signature check', async () => {
    const other = licence({ given_name: 'Eve' });
    const [, foreign] = other.split('~');
    const [jwt, ...rest] = licence().split('~');
    const { verifier } = engine([trusted(BOARD)], boardTable());
    expect(check(await verifier.verify([jwt, foreign, ...rest].join('~'), { jurisdiction: 'US-FL' }), 'signature')).toMatchObject({
      code: 'signature_invalid',
      message: expect.stringMatching(/Disclosure 1 /),
    });
  });

  it('Key Binding: bad signature, sd_hash mismatch, stale, wrong nonce, required but absent', async () => {
    const { verifier } = engine([trusted(BOARD)], boardTable());
    const issued = licence();
    const badSignature = await verifier.verify(present(issued, { key: stranger.privateKey }), { jurisdiction: 'US-FL' });
    expect(check(badSignature, 'signature')).toMatchObject({
      status: 'fail',
      code: 'signature_invalid',
      message: expect.stringMatching(/does not verify with the holder key/),
    });
    const withheld = present(issued).split('~');
    withheld.splice(1, 1);
    expect(check(await verifier.verify(withheld.join('~'), { jurisdiction: 'US-FL' }), 'signature')).toMatchObject({
      code: 'signature_invalid',
      message: expect.stringMatching(/sd_hash/),
    });
    const stale = await verifier.verify(present(issued, { iat: iat - KEY_BINDING_MAX_AGE_SECONDS - 120 }), { jurisdiction: 'US-FL' });
    expect(statuses(stale)).toMatchObject({ signature: 'pass', validity: 'fail:expired' });
    expect(check(stale, 'validity').message).toMatch(/replayed presentation/);
    expect(check(await verifier.verify(present(issued), { jurisdiction: 'US-FL', challenge: 'n-2' }), 'signature')).toMatchObject({
      code: 'signature_invalid',
      message: expect.stringMatching(/nonce/),
    });
    const bare = presentSdJwt(issued, ['given_name']);
    expect((await verifier.verify(bare, { jurisdiction: 'US-FL' })).verified).toBe(true);
    expect(check(await verifier.verify(bare, { jurisdiction: 'US-FL', challenge: 'n-1' }), 'signature')).toMatchObject({
      code: 'signature_invalid',
      message: expect.stringMatching(/required here/),
    });
  });

  it('reverification does not hold the Key Binding JWT age against a stored presentation', async () => {
    const { verifier } = engine([trusted(BOARD)], boardTable());
    const old = present(licence(), { iat: iat - 86400 });
    expect(check(await verifier.verify(old, { jurisdiction: 'US-FL' }), 'validity')).toMatchObject({ code: 'expired' });
    const first = await verifier.revalidate(old, { jurisdiction: 'US-FL' });
    expect(first.verified).toBe(true);
    const again = await verifier.revalidate(old, { jurisdiction: 'US-FL', knownKeyThumbprint: first.evidence.keyThumbprint });
    expect(check(again, 'signature').message).toMatch(/not re-computed/);
  });

  it('claims SD-JWT VC requires in the clear may not be selectively disclosable', async () => {
    const { verifier, fetcher } = engine([trusted(BOARD)], boardTable());
    const hidden = licence({ status: { status_list: { idx: 8, uri: LIST } } }, { disclose: ['given_name', 'status'] });
    expect(check(await verifier.verify(hidden), 'format')).toMatchObject({
      code: 'malformed',
      message: expect.stringMatching(/makes status selectively disclosable/),
    });
    expect(fetcher.requested).toEqual([]);
  });

  it('vc+sd-jwt (before the rename) is read; data model and validity rules apply', async () => {
    const { verifier } = engine([trusted(BOARD)], boardTable());
    expect((await verifier.verify(present(licence({}, { typ: 'vc+sd-jwt' })), { jurisdiction: 'US-FL' })).verified).toBe(true);
    const expired = await verifier.verify(present(licence({ exp: iat - 86400 })), { jurisdiction: 'US-FL' });
    expect(check(expired, 'validity')).toMatchObject({ status: 'fail', code: 'expired' });
    const noVct = await verifier.verify(present(licence({ vct: undefined })), { jurisdiction: 'US-FL', fullReport: true });
    expect(check(noVct, 'data_model')).toMatchObject({ status: 'fail', code: 'data_model_invalid', message: expect.stringMatching(/no vct/) });
  });

  it('metadata for another issuer, or a key set on another origin, gives no key', async () => {
    const other = engine([trusted(BOARD)], new Map([[metadataUrl(BOARD), { body: metadata('https://boards.example.org', [board.jwk]) }]]));
    expect(check(await other.verifier.verify(present(licence()), { jurisdiction: 'US-FL' }), 'signature')).toMatchObject({
      code: 'key_not_found',
      message: expect.stringMatching(/for another issuer/),
    });
    const away = engine(
      [trusted(BOARD)],
      new Map([[metadataUrl(BOARD), { body: JSON.stringify({ issuer: BOARD, jwks_uri: 'https://cdn.example.net/keys.json' }) }]]),
    );
    expect(check(await away.verifier.verify(present(licence()), { jurisdiction: 'US-FL' }), 'signature')).toMatchObject({
      code: 'key_not_found',
      message: expect.stringMatching(/another origin/),
    });
  });

  it('a DID issuer (kid a DID URL) is resolved by the key resolver, offline for did:jwk', async () => {
    const did = `did:jwk:${Buffer.from(JSON.stringify(board.jwk)).toString('base64url')}`;
    const listUrl = 'https://status.example.org/lists/3';
    const bitstringList = signCompactJwt(
      { alg: 'ES256', typ: 'vc+jwt', kid: `${did}#0` },
      {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        id: listUrl,
        type: ['VerifiableCredential', 'BitstringStatusListCredential'],
        issuer: did,
        validFrom: '2024-01-01T00:00:00Z',
        credentialSubject: { id: `${listUrl}#list`, type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: encodeList(131072, [5]) },
      },
      board.privateKey,
    );
    const { verifier, fetcher } = engine([trusted(did)], new Map([[listUrl, { body: bitstringList }]]));
    const sdJwt = issueSdJwt({
      header: { alg: 'ES256', typ: 'dc+sd-jwt', kid: `${did}#0` },
      claims: {
        iss: did,
        iat,
        vct: RN_VCT,
        given_name: 'Dana',
        credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '5', statusListCredential: listUrl },
      },
      disclose: ['given_name'],
      key: board.privateKey,
    });
    const result = await verifier.verify(sdJwt, { jurisdiction: 'US-FL' });
    expect(statuses(result)).toMatchObject({ signature: 'pass', status: 'fail:revoked' });
    expect(result.evidence).toMatchObject({ keyId: `${did}#0`, status: [{ listUrl, purpose: 'revocation', index: 5, value: 1 }] });
    expect(fetcher.requested).toEqual([listUrl]);
  });

  it('an x5c-only or non-URL issuer has no key to find', async () => {
    const { verifier } = engine([trusted('urn:example:board')], new Map());
    const result = await verifier.verify(presentSdJwt(licence({}, { iss: 'urn:example:board' }), []), { jurisdiction: 'US-FL' });
    expect(check(result, 'signature')).toMatchObject({ code: 'key_not_found', message: expect.stringMatching(/neither a DID nor an https URL/) });
  });
});

describe('routing', () => {
  it('a data:application/dc+sd-jwt envelope, as text or as an EnvelopedVerifiableCredential, is read as an SD-JWT', async () => {
    const jwk = { ...publicOf(json(VC_DIR, 'keys/issuer.jwk.json')), kid: 'doc-signer-05-25-2022' };
    const sdJwt = text(VC_DIR, 'examples/2.3-identity-credential/issuance.txt').trim();
    const table = new Map([[metadataUrl('https://example.com/issuer'), { body: metadata('https://example.com/issuer', [jwk]) }]]);
    const { verifier } = engine([trusted('https://example.com/issuer', ['ID'])], table);
    expect((await verifier.verify(`data:application/dc+sd-jwt,${sdJwt}`, { jurisdiction: 'US-FL' })).verified).toBe(true);
    expect(
      (await verifier.verify({ type: 'EnvelopedVerifiableCredential', id: `data:application/dc+sd-jwt,${sdJwt}` }, { jurisdiction: 'US-FL' })).verified,
    ).toBe(true);
  });
});
