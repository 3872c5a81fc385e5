import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFORMANCE_DIR } from '../../../../test/support/conformance';
import { verifyJwsSignature } from '../jws/verify-signature';
import { VERIFICATION_LIMITS } from '../limits';
import type { JsonRecord } from '../util/json';
import { sdJwtFromJson } from './json-serialization';
import { checkKeyBinding, KEY_BINDING_MAX_AGE_SECONDS, type KeyBindingPolicy } from './key-binding';
import { digestOf, parseSdJwt, processDisclosures, SdJwtError, sdHashAlgorithm } from './sd-jwt';
import { signCompactJwt } from './sd-jwt-issue';

/** RFC 9901 processing against the RFC's own examples (../shared/conformance/sd-jwt-rfc9901), then against its rules. */
const DIR = path.join(CONFORMANCE_DIR, 'sd-jwt-rfc9901');
const read = (file: string): string => readFileSync(path.join(DIR, file), 'utf8');
const json = <T = JsonRecord>(file: string): T => JSON.parse(read(file)) as T;

interface Case {
  id: string;
  input: string;
  expectedClaims?: string;
  keyBinding?: { nonce: string; aud: string; iat: number };
  decoyDigests?: string[];
}
interface DigestVector {
  id: string;
  payload: string;
  disclosures: string;
  inputClaims: string;
}
const expected = json<{ cases: Case[]; digestVectors: DigestVector[] }>('expected.json');
const jwk = (file: string): JsonWebKey => json<JsonWebKey>(file);
const issuerKey: KeyObject = createPublicKey({ key: jwk('keys/issuer.jwk.json'), format: 'jwk' });
const holderPrivate: KeyObject = createPrivateKey({ key: jwk('keys/holder.jwk.json'), format: 'jwk' });
const issuerPrivate: KeyObject = createPrivateKey({ key: jwk('keys/issuer.jwk.json'), format: 'jwk' });

const compactCases = expected.cases.filter((c) => c.input.endsWith('.txt'));

function policy(c: Pick<Case, 'keyBinding'>, overrides: Partial<KeyBindingPolicy> = {}): KeyBindingPolicy {
  const iat = c.keyBinding?.iat ?? 0;
  return {
    required: false,
    audience: c.keyBinding?.aud,
    nonce: c.keyBinding?.nonce,
    checkFreshness: true,
    now: new Date((iat + 10) * 1000),
    skewMs: 60_000,
    ...overrides,
  };
}

function processed(text: string): { claims: JsonRecord; unreferenced?: string } {
  const parts = parseSdJwt(text);
  return processDisclosures(parts.issuerJwt.payload, parts.disclosures, sdHashAlgorithm(parts.issuerJwt.payload));
}

/** A payload signed with the RFC's issuer key, with the given Disclosures appended. */
function sdJwt(payload: JsonRecord, disclosures: string[]): string {
  return `${signCompactJwt({ alg: 'ES256', typ: 'dc+sd-jwt' }, payload, issuerPrivate)}~${disclosures.map((d) => `${d}~`).join('')}`;
}
const disclosure = (...contents: unknown[]): string => Buffer.from(JSON.stringify(contents)).toString('base64url');
const digest = (d: string): string => digestOf(d, 'sha256');

describe('RFC 9901 examples', () => {
  it.each(compactCases.map((c) => [c.id, c] as const))('%s: signature, Disclosures, processed payload, Key Binding', (_id, c) => {
    const text = read(c.input);
    const parts = parseSdJwt(text);
    expect(verifyJwsSignature(parts.issuerJwt, 'ES256', issuerKey)).toBe(true);
    const result = processed(text);
    expect(result.unreferenced).toBeUndefined();
    if (c.expectedClaims?.endsWith('.json')) expect(result.claims).toEqual(json(c.expectedClaims));
    const binding = checkKeyBinding(parts, result.claims, 'sha256', policy(c));
    expect(binding).toMatchObject({ ok: true, bound: c.keyBinding !== undefined });
    if (c.keyBinding) expect(binding).not.toHaveProperty('freshness');
  });

  const jsonCases = expected.cases.filter((c) => c.input.endsWith('.json'));
  it.each(jsonCases.map((c) => [c.id, c] as const))('%s (JWS JSON serialization): signature, Disclosures, Key Binding over the compact form', (_id, c) => {
    const read = sdJwtFromJson(json(c.input));
    if (!read.ok) throw new Error(read.message);
    const parts = parseSdJwt(read.compact);
    expect(verifyJwsSignature(parts.issuerJwt, 'ES256', issuerKey)).toBe(true);
    const result = processed(read.compact);
    expect(result.unreferenced).toBeUndefined();
    expect(result.claims).toMatchObject({ iss: 'https://issuer.example.com', given_name: 'John', family_name: 'Doe' });
    const binding = checkKeyBinding(parts, result.claims, 'sha256', policy(c));
    expect(binding).toMatchObject({ ok: true, bound: c.keyBinding !== undefined });
    // The Key Binding JWT of a presentation is bound to exactly these Disclosures: one dropped, and sd_hash no longer fits.
    if (c.keyBinding) {
      const dropped = sdJwtFromJson({ ...json(c.input), ...dropFirstDisclosure(json(c.input)) });
      if (!dropped.ok) throw new Error(dropped.message);
      const p = parseSdJwt(dropped.compact);
      expect(checkKeyBinding(p, processed(dropped.compact).claims, 'sha256', policy(c))).toMatchObject({ ok: false });
    }
  });

  it('JWS JSON serializations that break section 8 are refused', () => {
    const general = json('examples/8.3-general-json/presentation.json');
    const [first, second] = general.signatures as JsonRecord[];
    const moved = { ...general, signatures: [first, { ...second, header: { disclosures: (first.header as JsonRecord).disclosures } }] };
    expect(sdJwtFromJson(moved)).toMatchObject({ ok: false, message: expect.stringContaining('first signature') });
    const flat = json('examples/8.2-flattened-json/presentation.json');
    expect(sdJwtFromJson({ ...flat, signatures: general.signatures })).toMatchObject({ ok: false });
    expect(sdJwtFromJson({ ...flat, payload: 42 })).toMatchObject({ ok: false });
    expect(sdJwtFromJson({ ...flat, header: { disclosures: ['not base64url!'] } })).toMatchObject({ ok: false });
    expect(sdJwtFromJson({ ...flat, header: { disclosures: [], kb_jwt: 'a.b' } })).toMatchObject({ ok: false });
  });

  it('issuance examples process to their input claims (with every Disclosure)', () => {
    for (const [file, claims] of [
      ['examples/5-example/issuance.txt', 'examples/5-example/input-claims.json'],
      ['examples/A.3-sd-jwt-vc/issuance.txt', 'examples/A.3-sd-jwt-vc/input-claims.json'],
      ['examples/A.4-w3c-vcdm2/issuance.txt', 'examples/A.4-w3c-vcdm2/input-claims.json'],
    ]) {
      expect(processed(read(file)).claims).toMatchObject(json(claims));
    }
  });

  it.each(expected.digestVectors.map((v) => [v.id, v] as const))('%s: digests of the Disclosures as received, and the processed claims', (_id, v) => {
    const payload = json(v.payload);
    const list = v.disclosures.endsWith('.json')
      ? json<Array<{ digest: string; disclosure: string }>>(v.disclosures)
      : json<Array<{ digest: string; disclosure: string; contents: unknown[] }>>('examples/6.2-structured/disclosures.json').filter((d) =>
          ['street_address', 'locality', 'region'].includes(String(d.contents[1])),
        );
    for (const d of list) expect(digest(d.disclosure)).toBe(d.digest);
    const { claims, unreferenced } = processDisclosures(
      payload,
      list.map((d) => d.disclosure),
      'sha256',
    );
    expect(unreferenced).toBeUndefined();
    expect(claims).toEqual({ ...json(v.inputClaims), iss: payload.iss, iat: payload.iat, exp: payload.exp });
  });

  it('A.1: the decoy digests stand for nothing and are dropped', () => {
    const a1 = compactCases.find((c) => c.id === 'A.1-presentation')!;
    const payload = parseSdJwt(read(a1.input)).issuerJwt.payload;
    const digests = JSON.stringify(payload);
    for (const decoy of a1.decoyDigests!) expect(digests).toContain(decoy);
    expect(JSON.stringify(processed(read(a1.input)).claims)).not.toMatch(/_sd|\.\.\./);
  });
});

describe('RFC 9901 rejections', () => {
  const five = read('examples/5-example/presentation.txt');
  const fiveCase = compactCases.find((c) => c.id === '5-presentation-kb')!;

  it('a Disclosure altered by one character is not covered by the signature', () => {
    const [jwt, first, ...rest] = five.split('~');
    const altered = `${first.slice(0, 10)}${first[10] === 'A' ? 'B' : 'A'}${first.slice(11)}`;
    expect(processed([jwt, altered, ...rest].join('~')).unreferenced).toMatch(/Disclosure 1 is not covered by the issuer's signature/);
  });

  it('a Disclosure from another SD-JWT is not covered either', () => {
    const foreign = read('examples/A.1-simple-structured/presentation.txt').split('~')[1];
    const [jwt, ...rest] = five.split('~');
    expect(processed([jwt, foreign, ...rest].join('~')).unreferenced).toMatch(/Disclosure 1 /);
  });

  it('the same Disclosure twice', () => {
    const [jwt, first, ...rest] = five.split('~');
    expect(() => processed([jwt, first, first, ...rest].join('~'))).toThrow(new SdJwtError('malformed', 'Disclosure 2 is sent twice.'));
  });

  it('a digest met twice, directly or through a Disclosure', () => {
    const d = disclosure('salt-1', 'given_name', 'Dana');
    expect(() => processed(sdJwt({ _sd: [digest(d), digest(d)], iss: 'x' }, [d]))).toThrow(/appears more than once/);
    expect(() => processed(sdJwt({ _sd: [digest(d)], address: { _sd: [digest(d)] } }, [d]))).toThrow(/appears more than once/);
    const decoy = digest(disclosure('never-sent', 'x', 1));
    expect(() => processed(sdJwt({ _sd: [decoy], nested: { _sd: [decoy] } }, []))).toThrow(/appears more than once/);
    const inner = disclosure('salt-2', 'region', 'FL');
    const outer = disclosure('salt-3', 'address', { _sd: [digest(inner)] });
    expect(() => processed(sdJwt({ _sd: [digest(outer), digest(inner)] }, [outer, inner]))).toThrow(/appears more than once/);
  });

  it('a Disclosure of the wrong kind for its place, or naming a claim already present', () => {
    const property = disclosure('salt-1', 'given_name', 'Dana');
    const element = disclosure('salt-2', 'FL');
    expect(() => processed(sdJwt({ states: [{ '...': digest(property) }] }, [property]))).toThrow(/object property but its digest stands for an array element/);
    expect(() => processed(sdJwt({ _sd: [digest(element)] }, [element]))).toThrow(/array element but its digest stands for an object property/);
    expect(() => processed(sdJwt({ _sd: [digest(property)], given_name: 'Eve' }, [property]))).toThrow(/discloses given_name, which is already present/);
    const twin = disclosure('salt-3', 'given_name', 'Eve');
    expect(() => processed(sdJwt({ _sd: [digest(property), digest(twin)] }, [property, twin]))).toThrow(/already present/);
  });

  it('the reserved claim names _sd and ... in a Disclosure', () => {
    for (const name of ['_sd', '...']) {
      const d = disclosure('salt', name, ['x']);
      expect(() => processed(sdJwt({ _sd: [digest(d)] }, [d]))).toThrow(`Disclosure 1 discloses the reserved claim name ${name}.`);
    }
  });

  it('recursive and array Disclosures, and a __proto__ claim that stays a plain member', () => {
    const element = disclosure('s1', 'US-FL');
    const inner = disclosure('s2', 'region', 'FL');
    const outer = disclosure('s3', 'address', { _sd: [digest(inner)], country: 'US' });
    const proto = disclosure('s4', '__proto__', { polluted: true });
    const { claims, unreferenced } = processed(
      sdJwt({ _sd: [digest(outer), digest(proto)], states: [{ '...': digest(element) }, { '...': digest('not-sent') }, 'US-GA'] }, [
        element,
        inner,
        outer,
        proto,
      ]),
    );
    expect(unreferenced).toBeUndefined();
    expect(claims).toEqual({ address: { country: 'US', region: 'FL' }, states: ['US-FL', 'US-GA'], ['__proto__']: { polluted: true } });
    expect(Object.getPrototypeOf(claims)).toBe(Object.prototype);
    expect(({} as JsonRecord).polluted).toBeUndefined();
  });

  it('malformed Disclosures and SD-JWTs', () => {
    const jwt = five.split('~')[0];
    for (const [bad, message] of [
      [`${jwt}~!!~`, /not base64url/],
      [`${jwt}~${Buffer.from('{"a":1}').toString('base64url')}~`, /not an array/],
      [`${jwt}~${disclosure('salt', 1, 'x')}~`, /claim name that is not a string/],
      [`${jwt}~${disclosure(7, 'x')}~`, /not an array of a salt/],
      [`${jwt}~${Buffer.from('["s","n","\\u0000"]').toString('base64url')}~`, /without NUL/],
      [`${jwt}~~`, /empty/],
      [jwt, /ends with ~/],
      [`${jwt}~not.a-kb`, /Key Binding JWT is malformed/],
    ] as const) {
      expect(() => processed(bad)).toThrow(message);
    }
    expect(() => processed(sdJwt({ _sd: 'x' }, []))).toThrow(/_sd member of the SD-JWT is not an array/);
    expect(() => processed(sdJwt({ _sd_alg: 'md5' }, []))).toThrow(expect.objectContaining({ kind: 'unsupported' }));
  });

  it('a disclosure flood and deep nesting are refused within the limits', () => {
    const max = VERIFICATION_LIMITS.sdJwtDisclosures;
    const many = Array.from({ length: max + 1 }, (_, i) => disclosure(`s${i}`, `c${i}`, i));
    expect(() => processed(sdJwt({ _sd: many.map(digest) }, many))).toThrow(`The SD-JWT has ${max + 1} Disclosures; at most ${max} are read.`);
    expect(processed(sdJwt({ _sd: many.slice(1).map(digest) }, many.slice(1))).claims).toHaveProperty(`c${max}`, max);
    expect(() => processed(`${five.split('~')[0]}~${'A'.repeat(VERIFICATION_LIMITS.sdJwtDisclosureChars + 4)}~`)).toThrow(/longer than/);
    let deep: unknown = 'x';
    for (let i = 0; i < VERIFICATION_LIMITS.sdJwtDepth + 1; i++) deep = [deep];
    const nested = disclosure('s', 'deep', deep);
    expect(() => processed(sdJwt({ _sd: [digest(nested)] }, [nested]))).toThrow(/deeper than/);
  });

  describe('Key Binding', () => {
    const parts = parseSdJwt(five);
    const claims = processed(five).claims;
    const kbOf = (payload: JsonRecord, key = holderPrivate, header: JsonRecord = {}): string =>
      `${parts.boundText}${signCompactJwt({ alg: 'ES256', typ: 'kb+jwt', ...header }, payload, key)}`;
    const good = { ...(parts.kbJwt!.payload as JsonRecord) };
    const verdict = (text: string, overrides: Partial<KeyBindingPolicy> = {}) => {
      const p = parseSdJwt(text);
      return checkKeyBinding(p, claims, 'sha256', policy(fiveCase, overrides));
    };

    it('accepts the holder-signed KB-JWT it was given, and one made now', () => {
      expect(verdict(five)).toMatchObject({ ok: true, bound: true });
      expect(verdict(kbOf(good))).toMatchObject({ ok: true, bound: true });
    });

    it('refuses a KB-JWT signed by another key, of another typ, or without the holder key', () => {
      expect(verdict(kbOf(good, issuerPrivate))).toEqual({ ok: false, message: expect.stringMatching(/does not verify with the holder key/) });
      expect(verdict(kbOf(good, holderPrivate, { typ: 'JWT' }))).toEqual({ ok: false, message: expect.stringMatching(/typ kb\+jwt/) });
      const p = parseSdJwt(five);
      expect(checkKeyBinding(p, { ...claims, cnf: undefined }, 'sha256', policy(fiveCase))).toEqual({
        ok: false,
        message: expect.stringMatching(/names no holder key/),
      });
    });

    it('refuses an sd_hash over other Disclosures (one withheld after binding)', () => {
      const [jwt, , ...rest] = five.split('~');
      expect(verdict([jwt, ...rest].join('~'))).toEqual({ ok: false, message: expect.stringMatching(/sd_hash does not match/) });
      expect(verdict(kbOf({ ...good, sd_hash: digest('something else') }))).toEqual({ ok: false, message: expect.stringMatching(/sd_hash/) });
    });

    it('checks nonce and aud only when the verifier expects them, and requires both claims', () => {
      expect(verdict(five, { nonce: 'other' })).toEqual({ ok: false, message: expect.stringMatching(/nonce is not the one/) });
      expect(verdict(five, { audience: 'https://other.example' })).toEqual({ ok: false, message: expect.stringMatching(/another verifier/) });
      expect(verdict(five, { nonce: undefined, audience: undefined })).toMatchObject({ ok: true });
      const { nonce: _n, ...noNonce } = good;
      expect(verdict(kbOf(noNonce), { nonce: undefined })).toEqual({ ok: false, message: expect.stringMatching(/no nonce/) });
    });

    it('a stale or future-dated KB-JWT is a freshness failure; reverification does not judge its age', () => {
      const iat = good.iat as number;
      const late = new Date((iat + KEY_BINDING_MAX_AGE_SECONDS + 61) * 1000);
      expect(verdict(five, { now: late })).toMatchObject({ ok: true, freshness: { code: 'expired' } });
      expect(verdict(five, { now: new Date((iat - 120) * 1000) })).toMatchObject({ ok: true, freshness: { code: 'not_yet_valid' } });
      expect(verdict(five, { now: late, checkFreshness: false })).not.toHaveProperty('freshness');
    });

    it('required: an SD-JWT without a KB-JWT is refused', () => {
      const bare = parts.boundText;
      expect(verdict(bare)).toMatchObject({ ok: true, bound: false });
      expect(verdict(bare, { required: true })).toEqual({ ok: false, message: expect.stringMatching(/required here/) });
    });
  });
});

/** The unprotected header of a JWS JSON serialization (flattened, or the first signature) without its first Disclosure. */
function dropFirstDisclosure(doc: JsonRecord): JsonRecord {
  const strip = (header: JsonRecord): JsonRecord => ({ ...header, disclosures: (header.disclosures as string[]).slice(1) });
  if (Array.isArray(doc.signatures)) {
    const [first, ...rest] = doc.signatures as JsonRecord[];
    return { signatures: [{ ...first, header: strip(first.header as JsonRecord) }, ...rest] };
  }
  return { header: strip(doc.header as JsonRecord) };
}
