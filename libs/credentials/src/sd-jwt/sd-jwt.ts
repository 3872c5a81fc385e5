import { hash } from 'node:crypto';
import { base64UrlBytes, decodeCompactJws, type DecodedJws } from '../jws/compact-jws';
import { VERIFICATION_LIMITS } from '../limits';
import { isRecord, type JsonRecord } from '../util/json';

/**
 * RFC 9901 (Selective Disclosure for JWTs), the verifier's side, for the compact serialization
 * `<issuer-signed JWT>~<Disclosure>~…~[<Key Binding JWT>]`: splitting, decoding the Disclosures, and replacing the
 * digests of the signed payload by what the Disclosures reveal (section 7.1), with every rejection the RFC demands.
 * No signature is checked here (see sd-jwt-verifier.ts); nothing here fetches or waits.
 */
export class SdJwtError extends Error {
  constructor(
    /** `malformed`: not a valid SD-JWT; `unsupported`: valid, but with a digest algorithm not supported here. */
    readonly kind: 'malformed' | 'unsupported',
    message: string,
  ) {
    super(message);
    this.name = 'SdJwtError';
  }
}

export interface SdJwtParts {
  /** The whole SD-JWT as presented (trimmed). */
  text: string;
  issuerJwt: DecodedJws;
  /** The Disclosures exactly as received (base64url text): they are hashed as such, never re-encoded. */
  disclosures: string[];
  kbJwt?: DecodedJws;
  /** What the Key Binding JWT's sd_hash covers: the presentation up to and including the last `~`. */
  boundText: string;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;

/** Whether text is shaped like a compact SD-JWT (an issuer-signed JWT followed by `~`): then it is read as one. */
export function looksLikeSdJwt(text: string): boolean {
  const tilde = text.indexOf('~');
  return tilde > 0 && COMPACT_JWS.test(text.slice(0, tilde));
}

/** Splits and decodes a compact SD-JWT or SD-JWT+KB; throws SdJwtError (`malformed`). */
export function parseSdJwt(input: string): SdJwtParts {
  const text = input.trim();
  const parts = text.split('~');
  if (parts.length < 2) throw new SdJwtError('malformed', 'An SD-JWT ends with ~ (or a Key Binding JWT after the last ~).');
  const max = VERIFICATION_LIMITS.sdJwtDisclosures;
  if (parts.length - 2 > max) throw new SdJwtError('malformed', `The SD-JWT has ${parts.length - 2} Disclosures; at most ${max} are read.`);
  const issuer = decodeCompactJws(parts[0]);
  if (!issuer.ok) throw new SdJwtError('malformed', `The issuer-signed JWT is malformed: ${issuer.message}`);
  const disclosures = parts.slice(1, -1);
  disclosures.forEach((d, i) => {
    if (d.length === 0) throw new SdJwtError('malformed', `Disclosure ${i + 1} is empty (two ~ in a row).`);
    if (d.length > VERIFICATION_LIMITS.sdJwtDisclosureChars)
      throw new SdJwtError('malformed', `Disclosure ${i + 1} is longer than ${VERIFICATION_LIMITS.sdJwtDisclosureChars} characters.`);
  });
  const last = parts[parts.length - 1];
  let kbJwt: DecodedJws | undefined;
  if (last.length > 0) {
    const kb = decodeCompactJws(last);
    if (!kb.ok) throw new SdJwtError('malformed', `The Key Binding JWT is malformed: ${kb.message}`);
    kbJwt = kb.jws;
  }
  return { text, issuerJwt: issuer.jws, disclosures, kbJwt, boundText: text.slice(0, text.length - last.length) };
}

/** `_sd_alg` names (IANA Named Information Hash Algorithm registry) and their node:crypto names. */
const HASHES: Record<string, string> = { 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512' };

/** The node:crypto name of the payload's `_sd_alg` (sha-256 when absent); throws SdJwtError for any other. */
export function sdHashAlgorithm(payload: JsonRecord): string {
  const alg = payload._sd_alg ?? 'sha-256';
  const name = typeof alg === 'string' ? HASHES[alg] : undefined;
  if (!name) throw new SdJwtError('unsupported', `The digest algorithm ${String(alg).slice(0, 40)} is not supported (sha-256, sha-384, sha-512 are).`);
  return name;
}

/** base64url(hash(ASCII text)): a Disclosure's digest, and the KB-JWT's sd_hash. */
export const digestOf = (text: string, algorithm: string): string => hash(algorithm, text, 'base64url');

/**
 * How digests are taken: node:crypto on the server; an offline station, whose WebCrypto digest is asynchronous,
 * computes the few it needs first and answers from them (offline/pack-verifier.ts).
 */
export type Digest = (text: string, algorithm: string) => string;

interface Disclosure {
  /** 1-based position in the SD-JWT, for messages. */
  position: number;
  /** Object property (salt, name, value) or array element (salt, value). */
  name?: string;
  value: unknown;
  used: boolean;
}

/** NUL or an unpaired surrogate (as in compact-jws.ts): no genuine credential holds one. */
const UNSAFE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const rejectUnsafeText = (key: string, v: unknown): unknown => {
  if (UNSAFE_TEXT.test(key) || (typeof v === 'string' && UNSAFE_TEXT.test(v))) throw new Error('unsafe text');
  return v;
};

function decodeDisclosure(encoded: string, position: number): Disclosure {
  const bytes = base64UrlBytes(encoded);
  if (!bytes) throw new SdJwtError('malformed', `Disclosure ${position} is not base64url.`);
  let value: unknown;
  try {
    const text = new TextDecoder().decode(bytes);
    // Only a \u escape can put NUL or a lone surrogate into parsed JSON (see compact-jws.ts): skip the reviver without one.
    value = text.includes('\\u') ? JSON.parse(text, rejectUnsafeText) : JSON.parse(text);
  } catch {
    throw new SdJwtError('malformed', `Disclosure ${position} is not JSON text without NUL characters or unpaired surrogates.`);
  }
  if (!Array.isArray(value) || (value.length !== 2 && value.length !== 3) || typeof value[0] !== 'string') {
    throw new SdJwtError('malformed', `Disclosure ${position} is not an array of a salt, an optional claim name, and a value.`);
  }
  if (value.length === 2) return { position, value: value[1], used: false };
  const name: unknown = value[1];
  if (typeof name !== 'string') throw new SdJwtError('malformed', `Disclosure ${position} has a claim name that is not a string.`);
  if (name === '_sd' || name === '...') throw new SdJwtError('malformed', `Disclosure ${position} discloses the reserved claim name ${name}.`);
  return { position, name, value: value[2], used: false };
}

/**
 * The processed payload (RFC 9901, 7.1 step 3): every digest with a Disclosure is replaced by what it discloses
 * (recursively), digests without one (decoys, claims not disclosed) are dropped, `_sd` and `_sd_alg` removed.
 * Rejected (SdJwtError): two identical Disclosures, a digest met twice, a Disclosure of the wrong kind for its place,
 * a disclosed name already present, nesting past the limit. A Disclosure no digest names is reported (`unreferenced`).
 */
export interface ProcessedSdJwt {
  claims: JsonRecord;
  /** Top-level claims that came from a Disclosure (SD-JWT VC forbids some of them to be selectively disclosable). */
  disclosedTopLevel: string[];
  /**
   * Why a Disclosure is not covered by the issuer's signature (no digest names it: altered, or taken from another
   * credential), if one is not. It adds nothing to `claims`; the caller fails the signature check with it.
   */
  unreferenced?: string;
}

export function processDisclosures(payload: JsonRecord, disclosures: string[], algorithm: string, digestFn: Digest = digestOf): ProcessedSdJwt {
  const byDigest = new Map<string, Disclosure>();
  disclosures.forEach((encoded, i) => {
    const digest = digestFn(encoded, algorithm);
    if (byDigest.has(digest)) throw new SdJwtError('malformed', `Disclosure ${i + 1} is sent twice.`);
    byDigest.set(digest, decodeDisclosure(encoded, i + 1));
  });
  const seen = new Set<string>();
  const embedded = (digest: unknown): Disclosure | undefined => {
    if (typeof digest !== 'string') throw new SdJwtError('malformed', 'A digest in the SD-JWT is not a string.');
    if (seen.has(digest)) throw new SdJwtError('malformed', 'A digest appears more than once in the SD-JWT.');
    seen.add(digest);
    const disclosure = byDigest.get(digest);
    if (disclosure) disclosure.used = true;
    return disclosure;
  };
  const maxDepth = VERIFICATION_LIMITS.sdJwtDepth;
  const disclosedTopLevel: string[] = [];

  const walk = (node: unknown, depth: number): unknown => {
    if (node === null || typeof node !== 'object') return node;
    if (depth > maxDepth) throw new SdJwtError('malformed', `The SD-JWT nests objects and arrays deeper than ${maxDepth} levels.`);
    if (Array.isArray(node)) {
      const out: unknown[] = [];
      for (const element of node) {
        if (isRecord(element) && '...' in element && Object.keys(element).length === 1) {
          const disclosure = embedded(element['...']);
          if (!disclosure) continue;
          if (disclosure.name !== undefined)
            throw new SdJwtError('malformed', `Disclosure ${disclosure.position} is an object property but its digest stands for an array element.`);
          out.push(walk(disclosure.value, depth + 1));
        } else {
          out.push(walk(element, depth + 1));
        }
      }
      return out;
    }
    const record = node as JsonRecord;
    const out: JsonRecord = {};
    for (const [key, value] of Object.entries(record)) {
      if (key !== '_sd') setOwn(out, key, walk(value, depth + 1));
    }
    if ('_sd' in record) {
      if (!Array.isArray(record._sd)) throw new SdJwtError('malformed', 'An _sd member of the SD-JWT is not an array.');
      for (const digest of record._sd) {
        const disclosure = embedded(digest);
        if (!disclosure) continue;
        if (disclosure.name === undefined)
          throw new SdJwtError('malformed', `Disclosure ${disclosure.position} is an array element but its digest stands for an object property.`);
        if (Object.hasOwn(out, disclosure.name))
          throw new SdJwtError('malformed', `Disclosure ${disclosure.position} discloses ${disclosure.name.slice(0, 60)}, which is already present.`);
        setOwn(out, disclosure.name, walk(disclosure.value, depth + 1));
        if (depth === 0) disclosedTopLevel.push(disclosure.name);
      }
    }
    return out;
  };

  const claims = walk(payload, 0) as JsonRecord;
  delete claims._sd_alg;
  const stray = [...byDigest.values()].find((d) => !d.used);
  const unreferenced =
    stray &&
    `Disclosure ${stray.position} is not covered by the issuer's signature (no digest in the credential names it): altered, or taken from another credential.`;
  return { claims, disclosedTopLevel, unreferenced };
}

/** `record[key] = value` that makes `__proto__` an own member, as JSON.parse does, instead of changing the prototype. */
function setOwn(record: JsonRecord, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}
