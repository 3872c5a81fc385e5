import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { CredentialVerifier } from '../engine/credential-verifier';
import { BoundedFetcher, FetchError, type FetchResult } from '../fetch/bounded-fetcher';
import { StaticTrustSource } from '../trust/trust-source';
import type { JsonRecord } from '../util/json';
import { CHECK_IDS, REASON_CODES } from '../verification-result';
import { parseSdJwt } from './sd-jwt';
import { issueSdJwt, presentSdJwt, signCompactJwt } from './sd-jwt-issue';
import { encodeTokenList } from './token-status-list';

/**
 * Fuzzing the SD-JWT VC path of the engine with presentations built from real ones: bit flips, truncation, `~`
 * games, Disclosures dropped, repeated, reordered, re-encoded, taken from another credential or flooded (repeated or
 * distinct, up to 10,000, oversized, deeply nested, and an issuer that signed more than the limit), issuer JWTs
 * swapped, Key Binding JWTs removed, swapped, forged or altered, headers re-signed by an attacker. Properties, on
 * every case: the engine answers (never throws) with the six checks and documented reason codes, and a presentation
 * is verified only when it is a genuine one: an issuer JWT as issued, a set of its own distinct Disclosures, and a
 * Key Binding JWT only exactly as the holder made it over exactly these Disclosures. Fixed seed, 10,000 cases.
 */
const SEED = 20261205;
const CASES = Number(process.env.FUZZ_CASES ?? 10_000);
const JSON_CASES = Math.ceil(CASES / 4);
const NOW = new Date('2026-03-01T12:00:00Z');
const IAT = Math.floor(NOW.getTime() / 1000);
const BOARD = 'https://boards.example.org/fl-nursing';
const LIST = `${BOARD}/status/1`;
const VCT = 'https://boards.example.org/vct/registered-nurse';

const es256 = (): { privateKey: KeyObject; jwk: JsonRecord } => {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey: pair.privateKey, jwk: pair.publicKey.export({ format: 'jwk' }) as JsonRecord };
};
const board = es256();
const holder = es256();
const attacker = es256();

class TableFetcher extends BoundedFetcher {
  constructor(private readonly table: Map<string, string>) {
    super({ insecureHosts: [], allowPrivateNetwork: false, timeoutMs: 500, maxBytes: 1 << 20, cacheTtlMs: 0 });
  }

  override async get(url: string): Promise<FetchResult> {
    const body = this.table.get(url);
    if (body === undefined) throw new FetchError('http_status', `HTTP 404 from ${url}`, 404);
    return { url, status: 200, notModified: false, body: Buffer.from(body), noStore: false, fetchedAt: Date.now(), fromCache: false };
  }
}

const verifier = new CredentialVerifier({
  fetcher: new TableFetcher(
    new Map([
      [`https://boards.example.org/.well-known/jwt-vc-issuer/fl-nursing`, JSON.stringify({ issuer: BOARD, jwks: { keys: [{ ...board.jwk, kid: 'k1' }] } })],
      [
        LIST,
        signCompactJwt(
          { alg: 'ES256', typ: 'statuslist+jwt', kid: 'k1' },
          { iss: BOARD, sub: LIST, iat: IAT, exp: IAT + 86400, status_list: { bits: 1, lst: encodeTokenList(131072, 1, [[9, 1]]) } },
          board.privateKey,
        ),
      ],
    ]),
  ),
  trust: new StaticTrustSource(
    [{ id: BOARD, name: 'Florida Board of Nursing', jurisdictions: ['US-FL'], qualifications: ['RN'], algorithms: ['ES256'] }],
    [{ qualification: 'RN', vct: VCT }],
  ),
  clock: { now: () => NOW },
  clockSkewSeconds: 60,
  statusListMinBits: 131072,
  cacheTtlMs: 3_600_000,
});

const REVEAL = ['given_name', 'family_name', 'license_number', 'address'];
const issued = [0, 1, 2].map((i) =>
  issueSdJwt({
    header: { alg: 'ES256', typ: 'dc+sd-jwt', kid: 'k1' },
    claims: {
      iss: BOARD,
      iat: IAT,
      exp: IAT + 86400,
      vct: VCT,
      cnf: { jwk: holder.jwk },
      status: { status_list: { idx: i, uri: LIST } },
      given_name: `Dana ${i}`,
      family_name: 'Rivera',
      license_number: `RN${i}`,
      address: { region: 'FL' },
    },
    disclose: REVEAL,
    decoys: 2,
    key: board.privateKey,
  }),
);
/** Genuinely issued, with more Disclosures than one SD-JWT may carry (docs/verification.md, Limits). */
const overIssued = issueSdJwt({
  header: { alg: 'ES256', typ: 'dc+sd-jwt', kid: 'k1' },
  claims: { iss: BOARD, iat: IAT, exp: IAT + 86400, vct: VCT, ...Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`c${i}`, i])) },
  disclose: Array.from({ length: 130 }, (_, i) => `c${i}`),
  decoys: 0,
  key: board.privateKey,
});
const bound = (sdJwt: string, reveal = REVEAL, nonce = 'n-1') =>
  presentSdJwt(sdJwt, reveal, { key: holder.privateKey, alg: 'ES256', aud: 'https://checkin.example.org', nonce, iat: IAT });
/** Genuine presentations: as issued, a subset without Key Binding, with Key Binding over all or some. */
const presentations = issued.flatMap((sdJwt) => [sdJwt, presentSdJwt(sdJwt, ['family_name']), bound(sdJwt), bound(sdJwt, ['given_name', 'license_number'])]);

/** The same signature, by its bytes (base64url may differ in the unused bits of the last character). */
function sameJws(a: string, b: string): boolean {
  const x = a.split('.');
  const y = b.split('.');
  return (
    x.length === 3 &&
    y.length === 3 &&
    x[0] === y[0] &&
    x[1] === y[1] &&
    /^[A-Za-z0-9_-]+$/.test(x[2]) &&
    Buffer.from(x[2], 'base64url').equals(Buffer.from(y[2], 'base64url'))
  );
}

/** Whether a verifier may accept this text: see the file comment. */
function genuine(text: string): boolean {
  let parts;
  try {
    parts = parseSdJwt(text);
  } catch {
    return false;
  }
  const original = issued.map((sdJwt) => parseSdJwt(sdJwt)).find((o) => sameJws(parts.issuerJwt.compact, o.issuerJwt.compact));
  if (!original) return false;
  if (new Set(parts.disclosures).size !== parts.disclosures.length || !parts.disclosures.every((d) => original.disclosures.includes(d))) return false;
  if (!parts.kbJwt) return true;
  return presentations.some((p) => {
    const made = parseSdJwt(p);
    return made.kbJwt !== undefined && made.boundText === parts.boundText && sameJws(parts.kbJwt!.compact, made.kbJwt.compact);
  });
}

const FAMILIES = [
  'bitflip',
  'truncate',
  'tilde',
  'drop',
  'repeat',
  'reorder',
  'reencode',
  'foreign',
  'flood',
  'garbage',
  'swap-jwt',
  'kb',
  'resign',
  'json-junk',
] as const;
const recipe = fc.record({
  family: fc.constantFrom(...FAMILIES),
  base: fc.nat(),
  other: fc.nat(),
  picks: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 3 }),
  text: fc.string({ unit: 'binary', maxLength: 16 }),
});
type Recipe = typeof recipe extends fc.Arbitrary<infer R> ? R : never;
const pick = <T>(list: readonly T[], n: number): T => list[n % list.length];
const enc = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function build(r: Recipe): string {
  const base = pick(presentations, r.base);
  const other = pick(presentations, r.other);
  const [jwt, ...rest] = base.split('~');
  const kb = rest[rest.length - 1];
  const disclosures = rest.slice(0, -1);
  const [p0, p1, p2] = r.picks;
  const join = (ds: string[], last = kb): string => [jwt, ...ds, last].join('~');
  switch (r.family) {
    case 'bitflip': {
      const chars = [...base];
      for (const [pos, bit] of r.flips) {
        const i = pos % chars.length;
        chars[i] = String.fromCharCode(chars[i].charCodeAt(0) ^ (1 << bit));
      }
      return chars.join('');
    }
    case 'truncate':
      return base.slice(0, p0 % base.length);
    case 'tilde': {
      const at = p0 % (base.length + 1);
      return pick([`${base.slice(0, at)}~${base.slice(at)}`, `~${base}`, `${base}~`, base.replace('~', '~~'), `${base}~${kb}`], p1);
    }
    case 'drop':
      return disclosures.length === 0 ? base : join(disclosures.filter((_, i) => i !== p0 % disclosures.length));
    case 'repeat':
      return disclosures.length === 0 ? base : join([...disclosures, pick(disclosures, p0)]);
    case 'reorder':
      return join([...disclosures].reverse());
    case 'reencode': {
      if (disclosures.length === 0) return base;
      const i = p0 % disclosures.length;
      const contents = JSON.parse(Buffer.from(disclosures[i], 'base64url').toString('utf8')) as unknown[];
      const variants = [
        Buffer.from(JSON.stringify(contents, null, 1)).toString('base64url'),
        enc([contents[0], contents[1], 'Mallory']),
        enc([contents[0], '_sd', contents[2]]),
        enc([contents[0], contents[2]]),
        enc(contents.slice(1)),
      ];
      const copy = [...disclosures];
      copy[i] = pick(variants, p1);
      return join(copy);
    }
    case 'foreign': {
      const theirs = other.split('~').slice(1, -1);
      return theirs.length === 0 ? base : join([...disclosures, pick(theirs, p0)]);
    }
    case 'flood': {
      const fresh = (n: number) => Array.from({ length: n }, (_, i) => enc([`salt-${i}`, `c${i}`, i]));
      let nested: unknown = 'leaf';
      for (let i = 0; i < 40; i++) nested = { n: nested };
      const variants = [
        () => Array.from({ length: 100 + (p0 % 200) }, (_, i) => (disclosures.length > 0 ? disclosures[i % disclosures.length] : enc(['s', `c${i}`, i]))),
        // Distinct Disclosures no digest names: at the limit (refused by their digests), past it (refused unread).
        () => [...disclosures, ...fresh(128 - disclosures.length)],
        () => [...disclosures, ...fresh(129 + (p0 % 400))],
        () => Array.from({ length: 10_000 }, () => 'AA'),
        () => [...disclosures, enc(['salt-big', 'given_name', 'x'.repeat(16_500)])],
        () => [...disclosures, enc(['salt-deep', 'address', nested])],
        () => [...disclosures, enc(['salt-array', Array.from({ length: 5_000 }, (_, i) => i)])],
      ];
      // An issuer that really signed more Disclosures than the Limits allow: refused, though every digest matches.
      if (p1 % (variants.length + 1) === variants.length) return overIssued;
      return join(pick(variants, p1)());
    }
    case 'garbage':
      return join([
        ...disclosures,
        pick(['', '!!', 'AAAA', enc({ a: 1 }), enc('text'), enc([1, 2, 3]), Buffer.from(r.text).toString('base64url'), 'A'.repeat(20000)], p0),
      ]);
    case 'swap-jwt':
      return [other.split('~')[0], ...rest].join('~');
    case 'kb': {
      const otherKb = other.split('~').pop() ?? '';
      const forged = signCompactJwt(
        { alg: 'ES256', typ: 'kb+jwt' },
        { iat: IAT, aud: 'https://checkin.example.org', nonce: 'n-1', sd_hash: 'x' },
        attacker.privateKey,
      );
      const [kh, kp, ks] = (kb || otherKb || forged).split('.');
      const payload = kp ? (JSON.parse(Buffer.from(kp, 'base64url').toString('utf8')) as JsonRecord) : {};
      const variants = [
        '',
        otherKb,
        forged,
        `${kh}.${enc({ ...payload, nonce: 'n-2' })}.${ks}`,
        `${enc({ alg: 'none', typ: 'kb+jwt' })}.${kp}.`,
        signCompactJwt({ alg: 'ES256', typ: 'kb+jwt' }, { ...payload, iat: IAT - 86400 }, holder.privateKey),
        `${kh}.${kp}`,
      ];
      return join(disclosures, pick(variants, p0));
    }
    case 'resign': {
      const payload = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as JsonRecord;
      const header = pick(
        [
          { alg: 'ES256', typ: 'dc+sd-jwt', kid: 'k1' },
          { alg: 'ES256', typ: 'JWT', kid: 'k1' },
          { alg: 'none', typ: 'dc+sd-jwt' },
          { alg: 'HS256', typ: 'dc+sd-jwt' },
          { alg: 'ES256', typ: 'dc+sd-jwt', jwk: attacker.jwk },
        ],
        p0,
      );
      const mutated = pick(
        [
          payload,
          { ...payload, iss: `${BOARD}/` },
          { ...payload, _sd: [...(payload._sd as string[]), (payload._sd as string[])[0]] },
          { ...payload, _sd_alg: 'sha-1' },
        ],
        p1,
      );
      const signed = header.alg === 'ES256' ? signCompactJwt(header as { alg: 'ES256' }, mutated, attacker.privateKey) : `${enc(header)}.${enc(mutated)}.`;
      return [signed, ...rest].join('~');
    }
    case 'json-junk': {
      const [h, p, s] = jwt.split('.');
      const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as JsonRecord;
      const junk = pick(
        [
          { ...payload, status: 'revoked-not' },
          { ...payload, cnf: 'none' },
          { ...payload, _sd: 'x' },
          { ...payload, nested: JSON.parse(`${'['.repeat(2000)}1${']'.repeat(2000)}`) as unknown },
        ],
        p2,
      );
      return [`${h}.${enc(junk)}.${s}`, ...rest].join('~');
    }
  }
}

describe('SD-JWT VC fuzzing', () => {
  it('genuine presentations are verified (the oracle agrees with the engine on them)', async () => {
    for (const p of presentations) {
      expect(genuine(p)).toBe(true);
      const result = await verifier.verify(p, { jurisdiction: 'US-FL' });
      expect({ p: p.slice(-20), verified: result.verified }).toEqual({ p: p.slice(-20), verified: true });
    }
  });

  it('Disclosure floods are refused as malformed: more than the limit (even all signed by the issuer), one too large', async () => {
    const [jwt, ...rest] = issued[0].split('~');
    const floods = [
      overIssued,
      [jwt, ...rest.slice(0, -1), ...Array.from({ length: 10_000 }, () => 'AA'), ''].join('~'),
      [jwt, enc(['s', 'given_name', 'x'.repeat(16_500)]), ''].join('~'),
    ];
    for (const flood of floods) {
      const result = await verifier.verify(flood, { jurisdiction: 'US-FL' });
      expect(result.errors).toEqual([expect.objectContaining({ id: 'format', code: 'malformed' })]);
    }
  });

  it(`${CASES} mutated presentations: always an answer with the six checks, never a forgery verified`, async () => {
    const codes = new Set<string>([...REASON_CODES, 'ok', 'skipped']);
    let verified = 0;
    await fc.assert(
      fc.asyncProperty(recipe, async (r) => {
        const input = build(r);
        const result = await verifier.verify(input, { jurisdiction: 'US-FL' });
        expect(result.checks.map((c) => c.id)).toEqual([...CHECK_IDS]);
        for (const c of result.checks) expect(codes.has(c.code)).toBe(true);
        if (result.verified) {
          verified++;
          expect({ family: r.family, genuine: genuine(input.trim()) }).toEqual({ family: r.family, genuine: true });
        }
      }),
      { seed: SEED, numRuns: CASES },
    );
    expect(verified).toBeGreaterThan(0);
  }, 300_000);

  it(`${JSON_CASES} mutated presentations in the JWS JSON serialization (RFC 9901, 8): verified only when the compact form is genuine`, async () => {
    const codes = new Set<string>([...REASON_CODES, 'ok', 'skipped']);
    let verified = 0;
    await fc.assert(
      fc.asyncProperty(recipe, fc.nat(), async (r, n) => {
        const doc = jsonSerialization(build(r), n);
        const result = await verifier.verify(n % 3 === 0 ? JSON.stringify(doc) : doc, { jurisdiction: 'US-FL' });
        expect(result.checks.map((c) => c.id)).toEqual([...CHECK_IDS]);
        for (const c of result.checks) expect(codes.has(c.code)).toBe(true);
        if (result.verified) {
          verified++;
          expect({ family: r.family, genuine: genuine(result.jws ?? '') }).toEqual({ family: r.family, genuine: true });
        }
      }),
      { seed: SEED + 1, numRuns: JSON_CASES },
    );
    expect(verified).toBeGreaterThan(0);
  }, 300_000);
});

/**
 * A compact (possibly mutated) SD-JWT in the flattened or general JSON serialization, sometimes broken at the JSON
 * level too: Disclosures in a later signature, not a list, a second issuer signature, both forms at once, members of
 * the wrong type.
 */
function jsonSerialization(compact: string, n: number): JsonRecord {
  const parts = compact.split('~');
  const [protectedHeader, payload, signature] = parts[0].split('.');
  const kb = parts.length > 1 ? parts[parts.length - 1] : undefined;
  const header: JsonRecord = { disclosures: parts.slice(1, -1), ...(kb ? { kb_jwt: kb } : {}) };
  const flattened: JsonRecord = { payload, protected: protectedHeader, header, signature };
  const general: JsonRecord = { payload, signatures: [{ protected: protectedHeader, header, signature }] };
  switch (n % 12) {
    case 0:
      return {
        payload,
        signatures: [
          { protected: protectedHeader, header: {}, signature },
          { protected: protectedHeader, header, signature },
        ],
      };
    case 1:
      return { ...flattened, header: { ...header, disclosures: parts.slice(1, -1).join('~') } };
    case 2:
      return {
        ...general,
        signatures: [
          { protected: protectedHeader, header, signature },
          { protected: protectedHeader, header: { kid: 'x' }, signature: 'AAAA' },
        ],
      };
    case 3:
      return { ...flattened, signatures: general.signatures };
    case 4:
      return { ...flattened, payload: n % 5 === 0 ? null : { claims: payload } };
    case 5:
      return { ...flattened, header: { ...header, kb_jwt: n % 2 === 0 ? 42 : `${kb ?? ''}~` } };
    case 6:
      return { ...flattened, header: [header] };
    case 7:
      return { ...flattened, protected: `${protectedHeader}=` };
    case 8:
    case 9:
      return general;
    default:
      return flattened;
  }
}
