import { createHash, createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Client } from 'pg';
import request from 'supertest';
import { startIssuerServer, type IssuerServer } from '../apps/issuer/src';
import { ADMIN, bearer, createTestEnv, signIn, startApi, type TestApi, type TestEnv } from './support/test-app';
import { createIncident, DEFAULT_TRUST, staffFor, trustBoard } from './support/world';

/**
 * Fuzzing the check-in endpoint (POST /incidents/:id/check-ins) with malformed and forged credentials built from
 * real ones: bit flips, truncation, segment swaps, `alg: none`, HS256 keyed with the issuer's public key, `kid`s
 * that point elsewhere, embedded keys, oversized fields, odd unicode, deep nesting, wrong `typ` / `cty`, vc/vp claims,
 * iss mismatches, garbage dates, and malformed request bodies. Properties, on every case:
 *  - never a 5xx; bad input is 400 / 413 / 422 with a problem `code`, anything else a recorded decision (201);
 *  - a forged or invalid credential is never admitted: `denied`, and the engine itself said `verified: false`
 *    (so a denial for another reason, e.g. "active elsewhere", cannot hide an accepted forgery).
 * Fixed seed, >= 10,000 cases, CONCURRENCY of them in flight at a time.
 */
jest.setTimeout(600_000);

const SEED = 20261128;
const CASES = Number(process.env.FUZZ_CASES ?? 10_000);
const CONCURRENCY = 24;
const TRUSTED_FL: Array<{ slug: string; qualification: string; format: 'vc+jwt' | 'ob3-jwt' | 'jwt-vc' }> = [
  { slug: 'fl-nursing', qualification: 'RN', format: 'vc+jwt' }, // ES256
  { slug: 'fl-medicine', qualification: 'MD', format: 'vc+jwt' }, // EdDSA
  { slug: 'fl-ems', qualification: 'PARAMEDIC', format: 'ob3-jwt' }, // ES256, Open Badges 3.0 JWT (payload = credential)
  { slug: 'nremt', qualification: 'EMT', format: 'jwt-vc' }, // EdDSA, VC-JWT 1.1
];

// ---------------------------------------------------------------------------------------------------------------
// JOSE helpers: the fuzzer signs with node:crypto directly (synchronously, any header it likes).
// ---------------------------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;
const b64 = (data: string | Buffer): string => Buffer.from(data).toString('base64url');
const enc = (value: unknown): string => b64(JSON.stringify(value));
const dec = (segment: string): Json => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Json;

type SigningAlg = 'ES256' | 'ES384' | 'EdDSA' | 'HS256' | 'HS384' | 'HS512' | 'none';

function signature(alg: SigningAlg, key: KeyObject | Buffer | undefined, input: string): Buffer {
  const data = Buffer.from(input);
  switch (alg) {
    case 'ES256':
      return sign('sha256', data, { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
    case 'ES384':
      return sign('sha384', data, { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
    case 'EdDSA':
      return sign(null, data, key as KeyObject);
    case 'HS256':
    case 'HS384':
    case 'HS512':
      return createHmac(`sha${alg.slice(2)}`, key as Buffer)
        .update(data)
        .digest();
    case 'none':
      return Buffer.alloc(0);
  }
}

/** A compact JWS over any header and payload (payload given as an object or as its base64url segment). */
function compact(header: Json, payload: Json | string, alg: SigningAlg, key?: KeyObject | Buffer): string {
  const input = `${enc(header)}.${typeof payload === 'string' ? payload : enc(payload)}`;
  return `${input}.${b64(signature(alg, key, input))}`;
}

/** RFC 7515 media type comparison, as a verifier must do it: case-insensitive, `application/` optional. */
function mediaType(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase();
  return v.startsWith('application/') ? v.slice('application/'.length) : v;
}

interface Signer {
  slug: string;
  did: string;
  kid: string;
  alg: 'ES256' | 'ES384' | 'EdDSA';
  privateKey: KeyObject;
  publicJwk: Json;
}

interface BaseCredential {
  signer: Signer;
  format: 'vc+jwt' | 'ob3-jwt' | 'jwt-vc';
  jws: string;
  header: Json;
  payload: Json;
}

/**
 * The same credential as one of the originals for the verifier: same signing input and same signature bytes
 * (base64url may differ in the unused bits of its last character). A swap of two credentials of one board can
 * rebuild one of them exactly, for example.
 */
function equivalent(candidate: string, originals: readonly string[]): boolean {
  const c = candidate.trim().split('.');
  if (c.length !== 3 || !/^[A-Za-z0-9_-]+$/.test(c[2])) return false;
  return originals.some((original) => {
    const o = original.split('.');
    return c[0] === o[0] && c[1] === o[1] && Buffer.from(c[2], 'base64url').equals(Buffer.from(o[2], 'base64url'));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// A board whose DID document lists a second key that is NOT an assertion method (authentication only), trusted in
// the registry: a credential signed by that key must be refused although the issuer controls the key.
// ---------------------------------------------------------------------------------------------------------------

interface SplitKeyBoard {
  server: Server;
  did: string;
  assertion: Signer;
  authenticationOnly: Signer;
  close(): Promise<void>;
}

async function startSplitKeyBoard(): Promise<SplitKeyBoard> {
  const pair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const k1 = pair();
  const k2 = pair();
  let did = '';
  const server = createServer((req, res) => {
    if (req.url !== '/boards/split/did.json') return void res.writeHead(404).end();
    const method = (fragment: string, key: KeyObject) => ({
      id: `${did}#${fragment}`,
      type: 'JsonWebKey',
      controller: did,
      publicKeyJwk: { ...(key.export({ format: 'jwk' }) as Json), alg: 'ES256' },
    });
    const doc = {
      '@context': ['https://www.w3.org/ns/did/v1', 'https://www.w3.org/ns/cid/v1'],
      id: did,
      verificationMethod: [method('key-1', k1.publicKey), method('key-2', k2.publicKey)],
      assertionMethod: [`${did}#key-1`],
      authentication: [`${did}#key-2`],
    };
    res.writeHead(200, { 'content-type': 'application/did+json' }).end(JSON.stringify(doc));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  did = `did:web:127.0.0.1%3A${(server.address() as AddressInfo).port}:boards:split`;
  const signer = (fragment: string, key: KeyObject, publicKey: KeyObject): Signer => ({
    slug: 'split',
    did,
    kid: `${did}#${fragment}`,
    alg: 'ES256',
    privateKey: key,
    publicJwk: publicKey.export({ format: 'jwk' }) as Json,
  });
  return {
    server,
    did,
    assertion: signer('key-1', k1.privateKey, k1.publicKey),
    authenticationOnly: signer('key-2', k2.privateKey, k2.publicKey),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------------------------

interface FuzzCase {
  family: string;
  /** What was done, for failure reports (short). */
  what: string;
  /** JSON body; or `raw` with a content type. */
  body?: unknown;
  raw?: string;
  contentType?: string;
  idempotencyKey?: string;
  /** Only an equivalent of a valid credential (or a validly signed, well-formed one) may be admitted. */
  mayAdmit: boolean;
  /** Malformed requests: must be refused as bad input (400 / 413 / 422), never recorded as a scan. */
  badRequest?: boolean;
}

interface Material {
  bases: BaseCredential[];
  /** Every valid credential the fuzzer starts from (the bases, the sanity credentials). */
  originals: string[];
  signers: Signer[];
  split: SplitKeyBoard;
  attackerEs256: Signer;
  attackerEd25519: Signer;
  positionId: string;
}

const ODD_UNICODE = [
  '\u202E',
  '\u202D',
  '\u2066',
  '\u200B',
  '\u200D',
  '\uFEFF',
  '\u0000',
  '\u0430',
  '\u0435',
  '\u043E',
  '\uD800',
  '\uDFFF',
  '\u0301',
  'ﬁ',
  '\u00A0',
  '𝐚',
  '\n',
  '\t',
  '"',
  '\\',
  '.',
  '~',
  '%00',
];
const BAD_TYPS: unknown[] = [
  'JWT',
  'jwt',
  'vp+jwt',
  'application/vp+jwt',
  'vc+ld+json',
  'vc+sd-jwt',
  'at+jwt',
  '',
  'vc+jwt; charset=utf-8',
  'v\u0441+jwt',
  'VC+JWT',
  'application/vc+jwt',
  ' vc+jwt ',
  123,
  null,
  ['vc+jwt'],
  { typ: 'vc+jwt' },
];
const BAD_CTYS: unknown[] = ['vc', 'application/vc', 'vp', 'json', 'vc+ld+json', 'JWT', '', 42, ['vc']];
const GARBAGE_DATES: unknown[] = [
  'yesterday',
  '',
  '2024-13-45T99:99:99Z',
  '0000-00-00T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '+275760-09-13T00:00:00.001Z',
  'NaN',
  1735689600,
  -1,
  null,
  true,
  ['2024-01-01T00:00:00Z'],
  { '@value': '2024-01-01T00:00:00Z' },
  '2024-01-01T00:00:00Z\u0000',
  '２０２４-01-01T00:00:00Z',
  '1e400',
];
const GARBAGE_NUMERIC_DATES: unknown[] = ['1735689600', 1e400 as number, -1e20, null, '', {}, [], 1.5e12, Number.MAX_SAFE_INTEGER];
const HOMOGLYPH_DID = (did: string): string => did.replace('did:web', 'did:w\u0435b').replace('boards', 'b\u043Eards');

function deepObject(depth: number): Json {
  let value: Json = { leaf: true };
  for (let i = 0; i < depth; i++) value = { n: value };
  return value;
}
function deepArrayText(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

/** A recipe drawn by fast-check (plain data, so it shrinks and prints), built into a case by `build`. */
/** The families of inputs, some drawn more often than others (weights). */
const FAMILIES: Array<[string, number]> = [
  ['bitflip', 3],
  ['truncate', 2],
  ['swap', 2],
  ['segments', 1],
  ['unicode-raw', 1],
  ['alg-none', 1],
  ['hmac-public-key', 1],
  ['kid-elsewhere', 1],
  ['embedded-jwk', 1],
  ['header-junk', 1],
  ['split-key', 1],
  ['issuer-swap', 1],
  ['typ-cty', 1],
  ['vc-vp-claims', 1],
  ['iss-mismatch', 1],
  ['garbage-dates', 1],
  ['oversized-field', 1],
  ['unicode-field', 1],
  ['deep-payload', 1],
  ['presentation', 1],
  ['body-type', 1],
  ['body-fields', 1],
  ['body-deep', 1],
  ['body-oversized', 1],
  ['body-raw', 1],
  ['idempotency-key', 1],
];

const recipe = fc.record({
  family: fc.oneof(...FAMILIES.map(([name, weight]) => ({ arbitrary: fc.constant(name), weight }))),
  base: fc.nat(),
  other: fc.nat(),
  picks: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 3 }),
  text: fc.string({ unit: 'binary', maxLength: 24 }),
});
type Recipe = typeof recipe extends fc.Arbitrary<infer R> ? R : never;

const pick = <T>(list: readonly T[], n: number): T => list[n % list.length];

function build(r: Recipe, m: Material): FuzzCase {
  const base = pick(m.bases, r.base);
  const other = pick(m.bases, r.other);
  const [h, p, s] = base.jws.split('.');
  const [p0, p1, p2, p3] = r.picks;
  const credentialCase = (family: string, what: string, credential: string, mayAdmit = equivalent(credential, m.originals)): FuzzCase => ({
    family,
    what: `${base.signer.slug}/${base.format}: ${what}`,
    body: { credential },
    mayAdmit,
  });
  /** Re-signs a modified header/payload with the board's real key: only the modification can make it fail. */
  const realKey = (header: Json, payload: Json): string => compact(header, payload, base.signer.alg, base.signer.privateKey);
  /** vc+jwt and the Open Badges 3.0 JWT: the payload is the credential (VC-JWT 1.1 carries it in a vc claim). */
  const isVc2 = base.format !== 'jwt-vc';

  switch (r.family) {
    case 'bitflip': {
      const chars = [...base.jws];
      const where: string[] = [];
      for (const [pos, bit] of r.flips) {
        const i = pos % chars.length;
        chars[i] = String.fromCharCode(chars[i].charCodeAt(0) ^ (1 << bit));
        where.push(`${i}^${1 << bit}`);
      }
      return credentialCase('bitflip', `flipped ${where.join(',')}`, chars.join(''));
    }
    case 'truncate': {
      const cut = p0 % base.jws.length;
      const fromStart = p1 % 4 === 0;
      return credentialCase(
        'truncate',
        fromStart ? `dropped first ${cut} chars` : `cut at ${cut}`,
        fromStart ? base.jws.slice(cut + 1) : base.jws.slice(0, cut),
      );
    }
    case 'swap': {
      const [oh, op, os] = other.jws.split('.');
      const variants: Array<[string, string]> = [
        [`${oh}.${p}.${s}`, 'other header'],
        [`${h}.${op}.${s}`, 'other payload'],
        [`${h}.${p}.${os}`, 'other signature'],
        [`${oh}.${p}.${os}`, 'other header and signature'],
        [`${h}.${op}.${os}`, 'other payload and signature'],
        [`${p}.${h}.${s}`, 'header and payload swapped'],
        [`${h}.${s}.${p}`, 'payload and signature swapped'],
      ];
      const [credential, what] = pick(variants, p0);
      return credentialCase('swap', `${what} (from ${other.signer.slug})`, credential);
    }
    case 'segments': {
      const variants: Array<[string, string]> = [
        [`${h}.${p}`, 'two segments'],
        [`${h}.${p}.${s}.${s}`, 'four segments'],
        [`${h}..${s}`, 'empty payload'],
        [`${h}.${p}.`, 'empty signature'],
        [`.${p}.${s}`, 'empty header'],
        [`${h}.${p}.${s}.`, 'trailing dot'],
        [`${h}.${p}.${s}~`, 'SD-JWT tilde'],
        [`${h}.${p}.${s}`.replace(/-/g, '+').replace(/_/g, '/'), 'base64 instead of base64url'],
        [`${h}=.${p}.${s}`, 'padding'],
        [`${h}.${p}.${s}`.toUpperCase(), 'upper-cased'],
        [`${h}.${p}.${s.slice(0, -1)}`, 'signature one char short'],
        [`data:application/vc+jwt,${h}.${p}.${tamper(s)}`, 'data: envelope with altered signature'],
        [`https://badge.example/verify?vc=${h}.${p}.${tamper(s)}`, 'URL carrying an altered JWS'],
        [`${h}.${p}.${'A'.repeat(s.length)}`, 'zero signature'],
        [`${h}.${p}.${s}${s}`, 'doubled signature'],
      ];
      const [credential, what] = pick(variants, p0);
      return credentialCase('segments', what, credential);
    }
    case 'unicode-raw': {
      const odd = pick(ODD_UNICODE, p0);
      const at = p1 % (base.jws.length + 1);
      return credentialCase('unicode-raw', `inserted U+${odd.codePointAt(0)?.toString(16)} at ${at}`, base.jws.slice(0, at) + odd + base.jws.slice(at));
    }
    case 'alg-none': {
      const variants: Array<[string, string]> = [
        [compact({ ...base.header, alg: 'none' }, p, 'none'), 'alg none, empty signature'],
        [`${enc({ ...base.header, alg: 'none' })}.${p}.${s}`, 'alg none, original signature'],
        [compact({ ...base.header, alg: 'None' }, p, 'none'), 'alg None'],
        [compact({ ...base.header, alg: 'NONE' }, p, 'none') + 'AA', 'alg NONE'],
        [compact({ alg: 'none' }, p, 'none'), 'bare alg none header'],
        [compact({ ...base.header, alg: '' }, p, 'none'), 'empty alg'],
        [compact({ ...base.header, alg: ['ES256'] }, p, 'none'), 'alg as a list'],
      ];
      const [credential, what] = pick(variants, p0);
      return credentialCase('alg-none', what, credential, false);
    }
    case 'hmac-public-key': {
      const jwk = base.signer.publicJwk;
      const publicKey = createPublicKey({ key: jwk as never, format: 'jwk' });
      const secrets: Array<[Buffer, string]> = [
        [Buffer.from(JSON.stringify(jwk)), 'JWK JSON'],
        [Buffer.from(JSON.stringify({ ...jwk, alg: base.signer.alg })), 'published JWK JSON'],
        [Buffer.from(publicKey.export({ format: 'pem', type: 'spki' }) as string), 'SPKI PEM'],
        [publicKey.export({ format: 'der', type: 'spki' }) as Buffer, 'SPKI DER'],
        [Buffer.from(String(jwk.x), 'base64url'), 'raw x coordinate'],
        [Buffer.from(String(jwk.x)), 'x as text'],
        [Buffer.from(base.signer.kid), 'the kid'],
      ];
      const [secret, what] = pick(secrets, p0);
      const alg = pick(['HS256', 'HS384', 'HS512'] as const, p1);
      return credentialCase('hmac-public-key', `${alg} keyed with the ${what}`, compact({ ...base.header, alg }, p, alg, secret), false);
    }
    case 'kid-elsewhere': {
      const target = pick(m.signers, p0);
      const attacker = p1 % 2 === 0 ? m.attackerEs256 : m.attackerEd25519;
      const kids = [
        target.kid,
        `${target.did}#key-2`,
        '#key-1',
        `${base.signer.did}#key-99`,
        `${m.split.did}#key-2`,
        'https://evil.example/keys#1',
        '../../key-1',
        `${base.signer.kid}\u0000`,
        '',
      ];
      const kid = pick(kids, p2);
      const signer = p3 % 3 === 0 ? base.signer : attacker; // the board's own key under another kid, or an attacker key
      // The board's key under its own kid (absolute or relative) is simply a valid credential.
      const ownKid = kid === base.signer.kid || (kid.startsWith('#') && base.signer.kid.endsWith(kid));
      return credentialCase(
        'kid-elsewhere',
        `kid ${JSON.stringify(kid).slice(0, 80)} signed by ${signer === base.signer ? 'the board' : 'an attacker'}`,
        compact({ ...base.header, alg: signer.alg, kid }, p, signer.alg, signer.privateKey),
        ownKid && signer === base.signer,
      );
    }
    case 'embedded-jwk': {
      const attacker = p1 % 2 === 0 ? m.attackerEs256 : m.attackerEd25519;
      const variants: Array<[Json, string]> = [
        [{ ...base.header, alg: attacker.alg, jwk: attacker.publicJwk }, 'attacker jwk with the board kid'],
        [{ alg: attacker.alg, typ: base.header.typ, jwk: attacker.publicJwk }, 'attacker jwk, no kid'],
        [{ alg: attacker.alg, typ: base.header.typ, jwk: { ...attacker.publicJwk, kid: base.signer.kid } }, 'attacker jwk claiming the board kid'],
        [{ alg: attacker.alg, typ: base.header.typ, jku: 'http://127.0.0.1:1/jwks.json', kid: 'attacker' }, 'jku to an attacker JWKS'],
        [{ alg: attacker.alg, typ: base.header.typ, x5u: 'http://127.0.0.1:1/cert.pem' }, 'x5u'],
        [{ alg: attacker.alg, typ: base.header.typ, x5c: ['MIIB'] }, 'x5c junk'],
        [{ alg: attacker.alg, typ: base.header.typ, jwk: { ...attacker.publicJwk, d: 'AAAA' } }, 'jwk with private part'],
      ];
      const [header, what] = pick(variants, p0);
      return credentialCase('embedded-jwk', what, compact(header, p, attacker.alg, attacker.privateKey), false);
    }
    case 'header-junk': {
      const variants: Array<[Json, string]> = [
        [{ ...base.header, crit: ['exp'] }, 'crit'],
        [{ ...base.header, alg: base.signer.alg === 'EdDSA' ? 'ES256' : 'EdDSA' }, 'alg of another key type'],
        [{ ...base.header, alg: 'RS256' }, 'RS256'],
        [{ ...base.header, alg: 'ES512' }, 'ES512'],
        [{ ...base.header, alg: 'PS256' }, 'PS256'],
        [{ ...base.header, kid: 12345 }, 'numeric kid'],
        [{ ...base.header, b64: false, crit: ['b64'] }, 'b64 false'],
        [{ ...base.header, zip: 'DEF' }, 'zip'],
      ];
      const raw: Array<[string, string]> = [
        [`{"__proto__":{"alg":"none"},${JSON.stringify(base.header).slice(1)}`, '__proto__ member'],
        [`${JSON.stringify(base.header).slice(0, -1)},"alg":"none"}`, 'duplicate alg member'],
        [` ${JSON.stringify(base.header)}`, 'leading space in the header JSON'],
      ];
      // Original signature bytes under a changed header: the signing input changed.
      const all: Array<[string, string]> = [...variants.map(([hd, w]): [string, string] => [JSON.stringify(hd), w]), ...raw];
      const [headerJson, what] = pick(all, p0);
      return credentialCase('header-junk', what, `${b64(headerJson)}.${p}.${s}`, false);
    }
    case 'split-key': {
      const payload = { ...base.payload };
      if (isVc2) payload.issuer = { id: m.split.did, type: ['Profile'], name: 'Split Key Board' };
      else payload.vc = { ...(payload.vc as Json), issuer: { id: m.split.did, type: ['Profile'], name: 'Split Key Board' } };
      payload.iss = m.split.did;
      delete payload.credentialStatus;
      if (!isVc2) delete (payload.vc as Json).credentialStatus;
      const auth = m.split.authenticationOnly;
      const variants: Array<[string, string]> = [
        [compact({ ...base.header, alg: 'ES256', kid: auth.kid }, payload, 'ES256', auth.privateKey), 'signed by the authentication-only key, kid says so'],
        [
          compact({ ...base.header, alg: 'ES256', kid: m.split.assertion.kid }, payload, 'ES256', auth.privateKey),
          'signed by the authentication-only key, kid of the assertion key',
        ],
        [compact({ alg: 'ES256', typ: base.header.typ, jwk: auth.publicJwk }, payload, 'ES256', auth.privateKey), 'authentication-only key embedded as jwk'],
        [compact({ alg: 'ES256', typ: base.header.typ }, payload, 'ES256', auth.privateKey), 'no kid, authentication-only key'],
        [compact({ ...base.header, alg: 'ES256', kid: '#key-2' }, payload, 'ES256', auth.privateKey), 'relative kid of the authentication-only key'],
      ];
      const [credential, what] = pick(variants, p0);
      return { family: 'split-key', what: `${base.format}: ${what}`, body: { credential }, mayAdmit: false };
    }
    case 'issuer-swap': {
      // The payload names another trusted board (or a homoglyph of this one); the signature is still this board's.
      const target = pick(
        m.signers.filter((x) => x.did !== base.signer.did),
        p0,
      );
      const did = p1 % 3 === 0 ? HOMOGLYPH_DID(base.signer.did) : target.did;
      const payload = JSON.parse(JSON.stringify(base.payload)) as Json;
      if (isVc2) payload.issuer = { ...(payload.issuer as Json), id: did };
      else payload.vc = { ...(payload.vc as Json), issuer: { ...((payload.vc as Json).issuer as Json), id: did } };
      payload.iss = did;
      const header = p2 % 2 === 0 ? base.header : { ...base.header, kid: `${did}#key-1` };
      return credentialCase('issuer-swap', `issuer ${did.slice(-24)}, kid ${String(header.kid).slice(-20)}`, `${enc(header)}.${enc(payload)}.${s}`, false);
    }
    case 'typ-cty': {
      const header: Json = { ...base.header };
      const typ = pick(BAD_TYPS, p0);
      const cty = pick([undefined, ...BAD_CTYS], p1);
      if (p2 % 5 === 0) delete header.typ;
      else header.typ = typ;
      if (cty !== undefined) header.cty = cty;
      const t = 'typ' in header ? mediaType(header.typ) : undefined;
      const c = cty === undefined ? undefined : mediaType(cty);
      // What a conforming verifier may accept: string members only; JWT or no typ for both VC-JWT forms (a VC 2.0
      // payload is then the Open Badges 3.0 JWT), and vc+jwt (cty vc, or none) for a VC 2.0 payload.
      const strings = (!('typ' in header) || typeof header.typ === 'string') && (cty === undefined || typeof cty === 'string');
      const acceptable = strings && (t === undefined || t === 'jwt' || (isVc2 && t === 'vc+jwt' && (cty === undefined || c === 'vc')));
      return credentialCase('typ-cty', `typ ${JSON.stringify(header.typ)} cty ${JSON.stringify(cty)}`, realKey(header, base.payload), acceptable);
    }
    case 'vc-vp-claims': {
      const payload: Json = JSON.parse(JSON.stringify(base.payload)) as Json;
      const variants: Array<[() => void, string]> = [
        [() => (payload.vp = { type: ['VerifiablePresentation'] }), 'vp claim'],
        [() => (payload.vc = isVc2 ? { ...base.payload } : 'not an object'), isVc2 ? 'vc claim beside the credential' : 'vc claim not an object'],
        [() => (isVc2 ? (payload.type = ['VerifiablePresentation']) : ((payload.vc as Json).type = ['VerifiablePresentation'])), 'type VerifiablePresentation'],
        [() => (isVc2 ? (payload.type = ['OpenBadgeCredential']) : ((payload.vc as Json).type = ['OpenBadgeCredential'])), 'no VerifiableCredential type'],
        [
          () => (isVc2 ? (payload['@context'] = ['https://www.w3.org/2018/credentials/v1']) : ((payload.vc as Json)['@context'] = ['https://example.org/ctx'])),
          'wrong base context',
        ],
        [() => (isVc2 ? delete payload.credentialSubject : delete (payload.vc as Json).credentialSubject), 'no credentialSubject'],
        [() => (isVc2 ? delete payload.issuer : (delete (payload.vc as Json).issuer, delete payload.iss)), 'no issuer'],
      ];
      const [mutate, what] = pick(variants, p0);
      mutate();
      return credentialCase('vc-vp-claims', what, realKey(base.header, payload), false);
    }
    case 'iss-mismatch': {
      const payload: Json = JSON.parse(JSON.stringify(base.payload)) as Json;
      const otherDid = pick(
        m.signers.filter((x) => x.did !== base.signer.did),
        p0,
      ).did;
      const variants: Array<[unknown, string]> = [
        [otherDid, 'iss of another board'],
        [HOMOGLYPH_DID(base.signer.did), 'homoglyph iss'],
        [`${base.signer.did}\u0000`, 'iss with NUL'],
        [`${base.signer.did} `, 'iss with a trailing space'],
        [base.signer.did.toUpperCase(), 'upper-cased iss'],
        [{ id: base.signer.did }, 'iss as an object'],
        [[base.signer.did], 'iss as a list'],
      ];
      const [iss, what] = pick(variants, p1);
      payload.iss = iss;
      const variantsJti: Array<[string, unknown]> = [
        ['jti', 'urn:uuid:00000000-0000-0000-0000-000000000000'],
        ['sub', 'did:example:someone-else'],
      ];
      if (p2 % 3 === 0) {
        const [claim, value] = pick(variantsJti, p3);
        payload.iss = base.payload.iss;
        payload[claim] = value;
        return credentialCase('iss-mismatch', `${claim} mismatch`, realKey(base.header, payload), false);
      }
      return credentialCase('iss-mismatch', what, realKey(base.header, payload), false);
    }
    case 'garbage-dates': {
      const payload: Json = JSON.parse(JSON.stringify(base.payload)) as Json;
      const target = isVc2 ? payload : (payload.vc as Json);
      const from = isVc2 ? 'validFrom' : 'issuanceDate';
      const until = isVc2 ? 'validUntil' : 'expirationDate';
      const choice = p0 % 4;
      if (choice === 3 || (!isVc2 && choice === 2)) {
        const claim = p1 % 2 === 0 ? 'exp' : 'nbf';
        const value = pick(GARBAGE_NUMERIC_DATES, p2);
        payload[claim] = value;
        // A finite number is a well-formed NumericDate (far past or future): the dates decide, not the form.
        const wellFormed = typeof value === 'number' && Number.isFinite(value);
        return credentialCase('garbage-dates', `${claim} = ${JSON.stringify(value)}`, realKey(base.header, payload), wellFormed);
      }
      const field = choice === 0 ? from : until;
      const value = pick(GARBAGE_DATES, p2);
      target[field] = value;
      return credentialCase('garbage-dates', `${field} = ${JSON.stringify(value)}`, realKey(base.header, payload), false);
    }
    case 'oversized-field': {
      const payload: Json = JSON.parse(JSON.stringify(base.payload)) as Json;
      const subject = (isVc2 ? payload.credentialSubject : (payload.vc as Json).credentialSubject) as Json;
      const size = [1000, 20000, 47000, 49500, 60000, 70000][p0 % 6];
      const field = pick(['name', 'licenseNumber', 'id', 'extra'], p1);
      subject[field] = field === 'id' ? `urn:uuid:${'a'.repeat(size)}` : 'x'.repeat(size);
      const credential = realKey(base.header, payload);
      // Within the 64 KiB input limit it is a validly signed credential with a long field: no rule against it.
      const fits = credential.length <= 64 * 1024;
      return { ...credentialCase('oversized-field', `${field} of ${size} chars (${credential.length} total)`, credential, fits), badRequest: !fits };
    }
    case 'unicode-field': {
      const payload: Json = JSON.parse(JSON.stringify(base.payload)) as Json;
      const subject = (isVc2 ? payload.credentialSubject : (payload.vc as Json).credentialSubject) as Json;
      const odd = `${pick(ODD_UNICODE, p0)}${r.text}${pick(ODD_UNICODE, p1)}`;
      subject.name = `Ana${odd}Diaz`;
      // Odd characters in a validly signed credential are data, not a forgery: they must not break anything.
      return credentialCase('unicode-field', `name with ${JSON.stringify(odd).slice(0, 40)}`, realKey(base.header, payload), true);
    }
    case 'deep-payload': {
      const payload: Json = JSON.parse(JSON.stringify(base.payload)) as Json;
      const depth = [64, 1000, 5000][p0 % 3];
      const subject = (isVc2 ? payload.credentialSubject : (payload.vc as Json).credentialSubject) as Json;
      subject.nested = '__DEEP__';
      // Spliced in as text: JSON.stringify of a 5,000-deep object overflows the test's own stack.
      const text = JSON.stringify(payload).replace('"__DEEP__"', p2 % 2 === 0 ? `${'{"n":'.repeat(depth)}1${'}'.repeat(depth)}` : deepArrayText(depth));
      const signed = compact(base.header, b64(text), base.signer.alg, base.signer.privateKey);
      // Signed by the board: deep but well-formed data. Forged (original signature): never.
      return p1 % 2 === 0
        ? credentialCase('deep-payload', `signed claim nested ${depth} deep`, signed, signed.length <= 64 * 1024)
        : credentialCase('deep-payload', `unsigned claim nested ${depth} deep`, `${h}.${b64(text)}.${s}`, false);
    }
    case 'presentation': {
      const holder = m.attackerEs256;
      const forged = `${h}.${p}.${tamper(s)}`;
      const enclose = (jws: string) => ({
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        id: 'data:application/vc+jwt,' + jws,
        type: 'EnvelopedVerifiableCredential',
      });
      const vp = (credentials: unknown[]) => ({
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiablePresentation'],
        holder: 'did:example:holder',
        verifiableCredential: credentials,
      });
      const variants: Array<[string, string, boolean]> = [
        [
          compact({ alg: 'ES256', typ: 'vp+jwt', jwk: holder.publicJwk }, vp([enclose(forged)]), 'ES256', holder.privateKey),
          'vp+jwt enclosing a tampered credential',
          false,
        ],
        [compact({ alg: 'none', typ: 'vp+jwt' }, vp([enclose(base.jws)]), 'none'), 'unsigned vp+jwt', false],
        [
          compact(
            { alg: 'ES256', typ: 'vp+jwt', jwk: holder.publicJwk },
            vp([enclose(compact({ alg: 'ES256', typ: 'vp+jwt' }, vp([enclose(base.jws)]), 'ES256', holder.privateKey))]),
            'ES256',
            holder.privateKey,
          ),
          'presentation in a presentation',
          false,
        ],
        [
          compact(
            { alg: 'ES256', typ: 'vp+jwt', jwk: holder.publicJwk },
            vp([{ ...base.payload, proof: { type: 'DataIntegrityProof' } }]),
            'ES256',
            holder.privateKey,
          ),
          'embedded unsecured credential',
          false,
        ],
        [
          compact({ alg: 'ES256', typ: 'vp+jwt', jwk: holder.publicJwk }, vp(Array.from({ length: 12 }, () => enclose(forged))), 'ES256', holder.privateKey),
          'twelve tampered credentials',
          false,
        ],
        [
          compact({ alg: 'ES256', typ: 'vp+jwt', jwk: holder.publicJwk }, { ...vp([enclose(forged)]), vc: base.payload }, 'ES256', holder.privateKey),
          'vp+jwt with a vc claim',
          false,
        ],
      ];
      const [credential, what, mayAdmit] = pick(variants, p0);
      return { family: 'presentation', what: `${base.signer.slug}: ${what}`, body: { credential }, mayAdmit };
    }
    case 'body-type': {
      const values: unknown[] = [
        null,
        0,
        1e308,
        true,
        [],
        [base.jws],
        {},
        { credential: base.jws },
        { type: 'EnvelopedVerifiableCredential', id: `data:application/vc+jwt,${base.jws}` },
        deepObject(50),
        '',
        undefined,
      ];
      const value = pick(values, p0);
      return {
        family: 'body-type',
        what: `credential = ${JSON.stringify(value)?.slice(0, 60)}`,
        body: value === undefined ? {} : { credential: value },
        mayAdmit: false,
        badRequest: true,
      };
    }
    case 'body-fields': {
      const variants: Array<[Json, string, boolean]> = [
        [{ credential: base.jws, evil: true }, 'unknown field', true],
        [{ credential: base.jws, positionId: 'not-a-uuid' }, 'positionId not a UUID', true],
        [{ credential: base.jws, positionId: randomUUIDFrom(p1) }, 'unknown positionId', true],
        [{ credential: base.jws, locationId: `${randomUUIDFrom(p1)}\u202E` }, 'locationId with RTL override', true],
        [{ credential: base.jws, ics211: { state: 'F\u0406' } }, 'ICS 211 state with a homoglyph', true],
        [{ credential: base.jws, ics211: { totalPersonnel: 1e9 } }, 'ICS 211 totalPersonnel too big', true],
        [{ credential: base.jws, ics211: { agency: { $gt: '' } } }, 'ICS 211 agency as an object', true],
        [{ credential: base.jws, ics211: { departureAt: 'soon' } }, 'ICS 211 departureAt garbage', true],
        [{ credential: base.jws, ics211: { homeUnit: 'x'.repeat(201) } }, 'ICS 211 homeUnit too long', true],
        [{ credential: base.jws, ics211: 'a string' }, 'ICS 211 as a string', true],
        [{ credential: base.jws, ics211: deepObject(40) }, 'ICS 211 nested', true],
        [{ credential: base.jws, positionId: m.positionId, ics211: { resourceName: `Ana\u202EzaiD\u0000` } }, 'odd unicode in a valid ICS 211 field', false],
      ];
      if (p2 % 10 === 0) {
        // Dropped by class-transformer or refused: either is fine, as long as nothing is polluted (checked at the end).
        return {
          family: 'body-fields',
          what: 'constructor field',
          body: { credential: base.jws, constructor: { prototype: { admitted: true } } },
          mayAdmit: true,
        };
      }
      const [body, what, bad] = pick(variants, p0);
      // A valid body with a valid credential may of course be admitted; the bad ones must be refused as bad input.
      return { family: 'body-fields', what, body, mayAdmit: !bad, badRequest: bad };
    }
    case 'body-deep': {
      const depth = [1000, 10000, 40000][p0 % 3];
      const kind = p1 % 4;
      const nested = `${'{"n":'.repeat(depth)}1${'}'.repeat(depth)}`;
      const raw =
        kind === 0
          ? `{"credential":${JSON.stringify(base.jws)},"ics211":${nested}}`
          : kind === 1
            ? `{"credential":${deepArrayText(depth)}}`
            : kind === 2
              ? `{"credential":${JSON.stringify(base.jws)},"__proto__":${nested}}`
              : nested;
      return {
        family: 'body-deep',
        what: `JSON nested ${depth} deep (${['ics211', 'credential array', '__proto__', 'whole body'][kind]}), ${raw.length} bytes`,
        raw,
        contentType: 'application/json',
        mayAdmit: false,
        badRequest: true,
      };
    }
    case 'body-oversized': {
      const sizes = [65537, 100000, 262000, 270000, 1_000_000];
      const size = pick(sizes, p0);
      const filler = p1 % 2 === 0 ? 'A'.repeat(size) : `${h}.${p}.${'A'.repeat(size)}`;
      return { family: 'body-oversized', what: `credential of ${filler.length} chars`, body: { credential: filler }, mayAdmit: false, badRequest: true };
    }
    case 'body-raw': {
      const variants: Array<[string, string | undefined, string]> = [
        [`{"credential": "${base.jws}"`, 'application/json', 'truncated JSON'],
        [`{"credential": "${base.jws}",}`, 'application/json', 'trailing comma'],
        [`{"credential": '${base.jws}'}`, 'application/json', 'single quotes'],
        [base.jws, 'application/json', 'bare JWS as JSON'],
        [base.jws, 'text/plain', 'bare JWS as text'],
        [base.jws, 'application/vc+jwt', 'bare JWS as application/vc+jwt'],
        [`credential=${base.jws}`, 'application/x-www-form-urlencoded', 'form encoded'],
        [`{"credential": "\\ud800${r.text.replace(/["\\]/g, '')}"}`, 'application/json', 'lone surrogate escape'],
        [`\uFEFF{"credential": "${base.jws}", "x": 1}`, 'application/json', 'BOM and unknown field'],

        ['{"credential": "a", "credential": {"$ne": null}}', 'application/json', 'duplicate key'],
        ['null', 'application/json', 'null'],
        ['[]', 'application/json', 'array body'],
        ['"just a string"', 'application/json', 'string body'],
        [`{"credential": ${JSON.stringify(base.jws)}}`, 'application/json; charset=utf-16', 'wrong charset'],
        [Buffer.from(`{"credential": ${JSON.stringify(base.jws)}, "y": 2}`, 'utf16le').toString('latin1'), 'application/json', 'UTF-16 bytes'],
      ];
      // A valid credential with a __proto__ / constructor member: refused or harmlessly ignored, never a pollution.
      const pollution: Array<[string, string, string]> = [
        [`{"credential": "${base.jws}", "__proto__": {"admitted": true, "decision": "admitted"}}`, 'application/json', '__proto__ member'],
        [`{"credential": "${base.jws}", "constructor": {"prototype": {"admitted": true}}}`, 'application/json', 'constructor member'],
      ];
      if (p1 % 8 === 0) {
        const [raw, contentType, what] = pick(pollution, p0);
        return { family: 'body-raw', what, raw, contentType, mayAdmit: true };
      }
      const [raw, contentType, what] = pick(variants, p0);
      return { family: 'body-raw', what, raw, contentType, mayAdmit: false, badRequest: true };
    }
    case 'idempotency-key': {
      const keys = ['', ' ', 'x'.repeat(129), 'a b', '../../etc/passwd', '%00', '🔑', '"', 'ключ'];
      const key = pick(keys, p0);
      // Non-ASCII header values cannot be sent by an HTTP client; send their UTF-8 bytes as latin1 instead.
      return {
        family: 'idempotency-key',
        what: `Idempotency-Key ${JSON.stringify(key)}`,
        body: { credential: base.jws },
        idempotencyKey: Buffer.from(key, 'utf8').toString('latin1'),
        mayAdmit: false,
        badRequest: true,
      };
    }
  }
  throw new Error(`unknown family ${r.family}`);
}

/** Changes one character well inside a base64url segment: always significant bits (the last character may have unused ones). */
function tamper(segment: string): string {
  return `${segment.slice(0, 10)}${segment[10] === 'A' ? 'B' : 'A'}${segment.slice(11)}`;
}

function randomUUIDFrom(n: number): string {
  return createHash('sha256')
    .update(String(n))
    .digest('hex')
    .slice(0, 32)
    .replace(/(.{8})(.{4})(.{3})(.{3})(.{12})/, '$1-$2-4$3-8$4-$5');
}

// ---------------------------------------------------------------------------------------------------------------

describe('fuzzing: forged and malformed credentials through POST /incidents/:id/check-ins', () => {
  let issuer: IssuerServer;
  let split: SplitKeyBoard;
  let env: TestEnv;
  let api: TestApi & { url: string };
  let dataDir: string;
  let checkinToken: string;
  let incidentIds: string[];
  let material: Material;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fuzz-issuer-'));
    issuer = await startIssuerServer({ port: 0, dataDir, statusListTtlMs: 600_000 });
    split = await startSplitKeyBoard();
    env = await createTestEnv('fuzz', {
      CHECKIN_RATE_LIMIT_PER_MINUTE: '100000',
      FETCH_TIMEOUT_MS: '1000',
      DATABASE_POOL_SIZE: '20',
    });
    const started = await startApi(env.env, { listen: true });
    api = { ...started, url: started.url! };
    const adminToken = await signIn(api.http, ADMIN.email, ADMIN.password);
    for (const seed of DEFAULT_TRUST) await trustBoard(api.http, adminToken, issuer, seed);
    await request(api.http)
      .post('/trust/issuers')
      .set(...bearer(adminToken))
      .send({ id: split.did, name: 'Split Key Board', jurisdictions: ['US-FL'], qualifications: ['RN', 'MD', 'PARAMEDIC', 'EMT'] })
      .expect(201);

    // Several incidents: the audit chain is per incident, so parallel scans spread over them.
    const incidents = [];
    for (let i = 0; i < 16; i++) incidents.push(await createIncident(api.http, adminToken, { name: `Fuzz Incident ${i}` }));
    incidentIds = incidents.map((x) => x.id);
    const staff = await staffFor(api.http, adminToken, incidentIds[0], 'checkin');
    for (const id of incidentIds.slice(1))
      await request(api.http)
        .post(`/incidents/${id}/staff`)
        .set(...bearer(adminToken))
        .send({ userId: staff.id })
        .expect(204);
    checkinToken = staff.token;

    // The boards' real keys, as the demo issuer keeps them on disk: re-signed mutations fail only for what was changed.
    const signers: Signer[] = issuer.boards.map((b) => {
      const stored = JSON.parse(readFileSync(join(dataDir, `${b.slug}.json`), 'utf8')) as { key: { privateJwk: Json } };
      const privateKey = createPrivateKey({ key: stored.key.privateJwk as never, format: 'jwk' });
      return { slug: b.slug, did: b.did, kid: b.keyId, alg: b.alg, privateKey, publicJwk: createPublicKey(privateKey).export({ format: 'jwk' }) as Json };
    });
    const bases: BaseCredential[] = [];
    for (const { slug, qualification, format } of TRUSTED_FL) {
      for (let i = 0; i < 3; i++) {
        const issued = await issuer.board(slug).issue({ format, qualification, subject: { name: `Fuzz ${slug} ${i}` } });
        const [hh, pp] = issued.jws.split('.');
        bases.push({ signer: signers.find((x) => x.slug === slug)!, format, jws: issued.jws, header: dec(hh), payload: dec(pp) });
      }
    }
    const attacker = (alg: 'ES256' | 'EdDSA'): Signer => {
      const pair = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
      return {
        slug: 'attacker',
        did: 'did:example:attacker',
        kid: 'did:example:attacker#1',
        alg,
        privateKey: pair.privateKey,
        publicJwk: pair.publicKey.export({ format: 'jwk' }) as Json,
      };
    };
    material = {
      bases,
      originals: bases.map((b) => b.jws),
      signers: [...signers, split.assertion],
      split,
      attackerEs256: attacker('ES256'),
      attackerEd25519: attacker('EdDSA'),
      positionId: incidents[0].positions['Triage Nurse'],
    };
  });

  afterAll(async () => {
    await api?.close();
    await issuer?.close();
    await split?.close();
    await env?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  let scanCounter = 0;
  async function send(c: FuzzCase): Promise<{ status: number; body: Json; text: string }> {
    const incidentId = incidentIds[scanCounter++ % incidentIds.length];
    let req = request(api.url)
      .post(`/incidents/${incidentId}/check-ins`)
      .set(...bearer(checkinToken))
      .set('X-Device-Id', 'fuzz-scanner')
      .set('Idempotency-Key', c.idempotencyKey ?? randomUUID());
    if (c.raw !== undefined) {
      if (c.contentType) req = req.set('Content-Type', c.contentType);
      req = req.send(c.raw);
    } else {
      req = req.send(c.body as object);
    }
    const res = await req;
    return { status: res.status, body: (res.body ?? {}) as Json, text: res.text };
  }

  /** Every property one response must have; returns what is wrong (empty: fine). */
  function problemsWith(c: FuzzCase, res: { status: number; body: Json; text: string }): string[] {
    const problems: string[] = [];
    if (res.status >= 500) problems.push(`${res.status}: ${res.text.slice(0, 300)}`);
    if (/\bat [\w.<>]+ \(|node_modules|\.ts:\d+/.test(res.text)) problems.push('the response carries a stack trace or source path');
    if (res.status === 201) {
      const decision = res.body.decision;
      const verification = res.body.verification as { verified?: unknown } | undefined;
      if (!['admitted', 'admitted_with_warnings', 'denied'].includes(String(decision))) problems.push(`201 without a decision: ${res.text.slice(0, 200)}`);
      if (decision === 'denied' && !(Array.isArray(res.body.reasons) && res.body.reasons.length > 0)) problems.push('denied without reasons');
      if (c.badRequest) problems.push(`bad input recorded as a scan (${String(decision)}) instead of 400/413/415/422`);
      if (!c.mayAdmit) {
        if (decision !== 'denied') problems.push(`ADMITTED a forged or invalid credential (${String(decision)})`);
        if (verification?.verified !== false) problems.push(`the engine verified a forged or invalid credential (verified: ${String(verification?.verified)})`);
      }
    } else if (res.status < 500) {
      // 415: a body of a type or charset the api does not read (form encoding, UTF-16).
      if (![400, 413, 415, 422].includes(res.status)) problems.push(`unexpected status ${res.status}: ${res.text.slice(0, 200)}`);
      if (typeof res.body.code !== 'string') problems.push(`${res.status} without a problem code: ${res.text.slice(0, 200)}`);
    }
    return problems;
  }

  it('sanity: the unmodified credentials and a credential of the split-key board signed by its assertion key are admitted', async () => {
    // Without this, a denial of the mutants could be a broken setup rather than a working verifier.
    for (const base of material.bases.filter((_, i) => i % 3 === 0)) {
      const res = await send({ family: 'sanity', what: base.signer.slug, body: { credential: base.jws }, mayAdmit: true });
      expect({ slug: base.signer.slug, status: res.status, decision: res.body.decision, reasons: res.body.reasons }).toMatchObject({
        status: 201,
        decision: 'admitted',
      });
    }
    const template = material.bases[1];
    const payload: Json = { ...template.payload, issuer: { id: split.did, type: ['Profile'], name: 'Split Key Board' }, iss: split.did };
    delete payload.credentialStatus;
    const good = compact({ alg: 'ES256', typ: 'vc+jwt', kid: split.assertion.kid }, payload, 'ES256', split.assertion.privateKey);
    const res = await send({ family: 'sanity', what: 'split', body: { credential: good }, mayAdmit: true });
    expect({ status: res.status, decision: res.body.decision, reasons: res.body.reasons }).toMatchObject({ status: 201, decision: 'admitted' });
  });

  it(`${CASES} forged and malformed inputs (seed ${SEED}): zero 5xx, zero admitted, bad input refused with a code`, async () => {
    const perFamily = new Map<string, { cases: number; statuses: Map<number, number>; admitted: number; totalMs: number; maxMs: number }>();
    const failures: string[] = [];
    let cases = 0;
    let admittedLegitimately = 0;
    const started = Date.now();

    // The recipes come from fast-check with the fixed seed; a pool keeps CONCURRENCY requests in flight (a slow case,
    // e.g. a DID that does not resolve, does not hold up the others).
    const recipes = fc.sample(recipe, { seed: SEED, numRuns: CASES });
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < recipes.length) {
        const c = build(recipes[next++], material);
        const t0 = Date.now();
        const res = await send(c);
        const ms = Date.now() - t0;
        cases++;
        const stats = perFamily.get(c.family) ?? { cases: 0, statuses: new Map<number, number>(), admitted: 0, totalMs: 0, maxMs: 0 };
        stats.cases++;
        stats.totalMs += ms;
        stats.maxMs = Math.max(stats.maxMs, ms);
        stats.statuses.set(res.status, (stats.statuses.get(res.status) ?? 0) + 1);
        if (res.status === 201 && res.body.decision !== 'denied') {
          stats.admitted++;
          admittedLegitimately++;
        }
        perFamily.set(c.family, stats);
        const problems = problemsWith(c, res);
        if (problems.length > 0) failures.push(`[${c.family}] ${c.what}: ${problems.join('; ')}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));

    const seconds = (Date.now() - started) / 1000;
    const table = [...perFamily.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([family, s]) =>
          `${family.padEnd(18)} ${String(s.cases).padStart(6)}  admitted ${String(s.admitted).padStart(4)}  avg ${(s.totalMs / s.cases).toFixed(0).padStart(4)} ms  max ${String(s.maxMs).padStart(5)} ms  ${[
            ...s.statuses.entries(),
          ]
            .sort()
            .map(([k, v]) => `${k}x${v}`)
            .join(' ')}`,
      );
    process.stdout.write(`\nfuzz: ${cases} cases in ${seconds.toFixed(1)} s (${(cases / seconds).toFixed(0)}/s), seed ${SEED}\n${table.join('\n')}\n`);

    const distinct = [...new Set(failures)];
    if (distinct.length > 0) throw new Error(`${failures.length} failing case(s), ${distinct.length} distinct:\n${distinct.slice(0, 40).join('\n')}`);
    expect(cases).toBeGreaterThanOrEqual(10_000);
    // No request managed to pollute a prototype of the (in-process) server.
    expect(({} as Record<string, unknown>).admitted).toBeUndefined();
    expect(({} as Record<string, unknown>).decision).toBeUndefined();
    expect(perFamily.size).toBe(FAMILIES.length); // every family was drawn

    // The database agrees: every attempt that was not denied came from a case that was allowed to be admitted.
    const db = new Client({ connectionString: env.dbUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM check_in_attempt WHERE decision <> 'denied'`);
      const sanityAdmitted = 5;
      expect(Number(rows[0].n)).toBe(admittedLegitimately + sanityAdmitted);
    } finally {
      await db.end();
    }
  });
});
