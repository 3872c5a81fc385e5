import { assertJsonDepth, refuseUnsafeJsonText } from '@app/common';
import { readJwsParts, type JwsParts } from '../jws/compact-jws';
import { isJwsJson, sdJwtFromJson } from '../sd-jwt/json-serialization';
import { isRecord, oneOrMany, type JsonRecord } from '../util/json';

import { MAX_INPUT_BYTES } from '../limits';

export { MAX_INPUT_BYTES };

/** A JSON credential nests a handful of levels (credential, subject, achievement, criteria); deeper is not one. */
export const MAX_JSON_DEPTH = 32;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const URL_SCHEME = /^[a-z][a-z0-9+.-]{0,30}:\/\//i;

/**
 * What a scan holds, told apart by its shape; each kind is verified by its own rules (the engine's format dispatch):
 *  - `jws`: a compact JWS (vc+jwt, a VC-JWT in either form, a vp+jwt);
 *  - `sd-jwt`: an issuer-signed JWT, its `~`-separated disclosures and an optional key binding JWT (also from the JWS
 *    JSON serialization of RFC 9901 section 8, turned into that compact form);
 *  - `json`: a JSON credential carrying an embedded `proof` (Data Integrity), or a JSON-LD presentation (with or
 *    without a proof of its own).
 * `text` is the credential exactly as it will be verified, hashed as evidence and kept for reverification.
 */
export type ScannedCredential = ScannedJws | ScannedSdJwt | ScannedJson;
export interface ScannedJws {
  kind: 'jws';
  text: string;
  /** Its header and payload, decoded while the scan checked them; absent when a part has an impossible length. */
  parts?: JwsParts;
}
export interface ScannedSdJwt {
  kind: 'sd-jwt';
  text: string;
}
export interface ScannedJson {
  kind: 'json';
  text: string;
  document: JsonRecord;
}

export type ScanResult = { ok: true; credential: ScannedCredential } | { ok: false; code: 'malformed' | 'unsupported_format'; message: string; raw?: string };

type Failure = Extract<ScanResult, { ok: false }>;

/** `data:` media types, by what they hold. */
const JWS_MEDIA_TYPES = new Set(['application/vc+jwt', 'application/vp+jwt']);
const SD_JWT_MEDIA_TYPES = new Set(['application/vc+sd-jwt', 'application/dc+sd-jwt']);
// application/sd-jwt+json: the JWS JSON serialization of an SD-JWT (RFC 9901, 8).
const JSON_MEDIA_TYPES = new Set(['application/vc', 'application/vp', 'application/sd-jwt+json']);
const PRESENTATION_MEDIA_TYPES = new Set(['application/vp+jwt', 'application/vp']);

/** Where a text was found: a scan may be a URL or a data: URL, but a URL inside a URL is not followed. */
type Origin = 'scan' | 'url' | 'data';

/**
 * What a badge scan may yield: a compact JWS, an SD-JWT, a JSON credential with a proof (text, or an object from the
 * HTTP API), a VC-API envelope object (`type` a string or a list), a `data:` URL of a credential media type, or an
 * http(s) URL carrying any of these in a query parameter or its fragment (`#vc=...` or the whole fragment).
 * Surrounding whitespace is ignored; everything is size-capped before it is parsed.
 */
export function readScan(input: unknown): ScanResult {
  if (isRecord(input)) return readObject(input, 'scan');
  if (typeof input !== 'string') return { ok: false, code: 'malformed', message: 'Expected the credential as text.' };
  const tooLarge = sizeProblem(input);
  if (tooLarge) return tooLarge;
  return readText(input.trim(), 'scan');
}

/** Strings from the scanner are bounded in bytes; UTF-8 needs at most 3 bytes per UTF-16 unit, so only long ones are counted. */
function sizeProblem(text: string): Failure | undefined {
  if (text.length > MAX_INPUT_BYTES || (text.length * 3 > MAX_INPUT_BYTES && Buffer.byteLength(text, 'utf8') > MAX_INPUT_BYTES)) {
    return { ok: false, code: 'malformed', message: `The input is larger than ${MAX_INPUT_BYTES / 1024} KiB.` };
  }
  return undefined;
}

function readText(text: string, origin: Origin): ScanResult {
  if (text.length === 0) return { ok: false, code: 'malformed', message: 'The input is empty.', raw: text };
  // The check-in hot path: a bare compact JWS, recognised before anything else is tried.
  const jws = compactJws(text);
  if (jws) return jws;
  if (text.startsWith('{') || text.startsWith('[')) return readJsonText(text, origin);
  if (origin !== 'data' && /^data:/i.test(text)) return readDataUrl(text);
  if (origin === 'scan' && URL_SCHEME.test(text)) return fromUrl(text);
  if (text.includes('~')) return readSdJwt(text);
  const dots = text.split('.').length - 1;
  if (dots === 2 || dots === 4) return { ok: false, code: 'malformed', message: 'This looks like a JWS but is not valid base64url in three parts.', raw: text };
  return {
    ok: false,
    code: 'unsupported_format',
    message: 'This is not a credential this system can read (a compact JWS, an SD-JWT or a JSON credential with a proof).',
    raw: text,
  };
}

/**
 * A compact JWS (three non-empty base64url parts), recognised by decoding its header and payload: the decoder's
 * checks stand in for a regular expression over the whole text. One whose parts decode to nothing because of an
 * impossible length is still a JWS by its shape, and its decoder says what is wrong.
 */
function compactJws(text: string): ScanResult | undefined {
  const parts = readJwsParts(text);
  if (parts && parts.payload !== '') return { ok: true, credential: { kind: 'jws', text, parts } };
  return COMPACT_JWS.test(text) ? { ok: true, credential: { kind: 'jws', text } } : undefined;
}

/** `<issuer JWT>~<disclosure>~...~[<key binding JWT>]`: recognised here, verified by the SD-JWT rules. */
function readSdJwt(text: string): ScanResult {
  const parts = text.split('~');
  const last = parts.length - 1;
  const wellFormed =
    parts.length >= 2 &&
    COMPACT_JWS.test(parts[0]) &&
    parts.slice(1, last).every((d) => BASE64URL.test(d)) &&
    (parts[last] === '' || COMPACT_JWS.test(parts[last]));
  if (!wellFormed) {
    return { ok: false, code: 'malformed', message: 'This looks like an SD-JWT but is not a JWT followed by ~-separated base64url disclosures.', raw: text };
  }
  return { ok: true, credential: { kind: 'sd-jwt', text } };
}

/** JSON text: bounded in depth, free of NUL and lone surrogates, then read as an object. */
function readJsonText(text: string, origin: Origin): ScanResult {
  let value: unknown;
  try {
    assertJsonDepth(Buffer.from(text, 'utf8'), MAX_JSON_DEPTH);
  } catch {
    return { ok: false, code: 'malformed', message: `The JSON nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels.`, raw: text };
  }
  try {
    value = JSON.parse(text, refuseUnsafeJsonText);
  } catch {
    return { ok: false, code: 'malformed', message: 'The JSON cannot be read (invalid JSON, a NUL character or an unpaired surrogate).', raw: text };
  }
  if (!isRecord(value)) return { ok: false, code: 'unsupported_format', message: 'The JSON is not a credential (an object).', raw: text };
  return readObject(value, origin, text);
}

/**
 * A JSON object: a VC-API envelope is opened (its data: URL read once, never an envelope inside it); a credential or
 * presentation with an embedded proof is a Data Integrity document; anything else is unsecured.
 */
function readObject(doc: JsonRecord, origin: Origin, text?: string): ScanResult {
  const types = oneOrMany(doc.type);
  const enveloped = types.includes('EnvelopedVerifiableCredential')
    ? 'credential'
    : types.includes('EnvelopedVerifiablePresentation')
      ? 'presentation'
      : undefined;
  if (enveloped) {
    if (origin === 'data') return { ok: false, code: 'malformed', message: 'An envelope cannot hold another envelope.' };
    if (typeof doc.id !== 'string') return { ok: false, code: 'malformed', message: 'The enveloped credential has no data: URL id.' };
    if (!/^data:/i.test(doc.id.trimStart())) return { ok: false, code: 'malformed', message: 'The enveloped credential id is not a data: URL.' };
    const tooLarge = sizeProblem(doc.id);
    if (tooLarge) return tooLarge;
    return readDataUrl(doc.id.trim(), enveloped);
  }
  if (isJwsJson(doc)) {
    // An SD-JWT in its JSON serialization: read as the compact SD-JWT of the same issuer signature.
    const read = sdJwtFromJson(doc);
    if (!read.ok) return { ok: false, code: 'malformed', message: read.message, raw: text };
    return sizeProblem(read.compact) ?? readSdJwt(read.compact);
  }
  // A JSON-LD presentation may leave out its own proof (VCDM 2.0): what it encloses must carry theirs.
  if ('proof' in doc || types.includes('VerifiablePresentation')) {
    let serialised = text;
    if (serialised === undefined) {
      // An object from the HTTP API (already bounded by its body guard) or a library caller: kept as its JSON text,
      // held to the same bounds as JSON text from a scan.
      try {
        serialised = JSON.stringify(doc);
      } catch {
        return { ok: false, code: 'malformed', message: `The JSON nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels.` };
      }
      const tooLarge = sizeProblem(serialised);
      if (tooLarge) return tooLarge;
      try {
        assertJsonDepth(Buffer.from(serialised, 'utf8'), MAX_JSON_DEPTH);
      } catch {
        return { ok: false, code: 'malformed', message: `The JSON nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels.` };
      }
    }
    return { ok: true, credential: { kind: 'json', text: serialised, document: doc } };
  }
  return {
    ok: false,
    code: 'unsupported_format',
    message: 'This is an unsecured JSON document (no proof and not enveloped): anyone could have written it.',
    raw: text,
  };
}

/**
 * `data:[<media type>][;<parameter>]*[;base64],<data>` (RFC 2397). The media type decides what the data must be;
 * an envelope's type must agree with it (a credential envelope holds a credential media type).
 */
function readDataUrl(url: string, envelope?: 'credential' | 'presentation'): ScanResult {
  const comma = url.indexOf(',');
  if (comma < 0) return { ok: false, code: 'malformed', message: 'The data: URL has no comma before its data.', raw: url };
  const [mediaType, ...params] = url
    .slice('data:'.length, comma)
    .split(';')
    .map((p) => p.trim().toLowerCase());
  const shown = mediaType.length > 60 ? `${mediaType.slice(0, 60)}…` : mediaType || '(none)';
  const known = JWS_MEDIA_TYPES.has(mediaType) || SD_JWT_MEDIA_TYPES.has(mediaType) || JSON_MEDIA_TYPES.has(mediaType);
  if (!known) {
    return {
      ok: false,
      code: 'unsupported_format',
      message: `A data: URL of type ${shown} is not a credential this system reads (application/vc+jwt, vp+jwt, vc+sd-jwt, dc+sd-jwt, sd-jwt+json, vc or vp).`,
      raw: url,
    };
  }
  if (envelope && PRESENTATION_MEDIA_TYPES.has(mediaType) !== (envelope === 'presentation')) {
    return { ok: false, code: 'malformed', message: `An enveloped ${envelope} cannot hold ${shown}.`, raw: url };
  }
  const data = dataOf(url.slice(comma + 1), params.includes('base64'));
  if (data === undefined)
    return { ok: false, code: 'malformed', message: `The data of the ${shown} data: URL is not valid percent-encoded or base64 text.`, raw: url };
  const content = data.trim();
  if (JWS_MEDIA_TYPES.has(mediaType)) {
    return compactJws(content) ?? { ok: false, code: 'malformed', message: `A ${shown} data: URL must hold a compact JWS.`, raw: url };
  }
  if (SD_JWT_MEDIA_TYPES.has(mediaType))
    return content.includes('~')
      ? readSdJwt(content)
      : { ok: false, code: 'malformed', message: `A ${shown} data: URL must hold an SD-JWT (~-separated).`, raw: url };
  if (!content.startsWith('{')) return { ok: false, code: 'malformed', message: `A ${shown} data: URL must hold a JSON credential.`, raw: url };
  return readJsonText(content, 'data');
}

function dataOf(encoded: string, base64: boolean): string | undefined {
  if (!base64) return decodeURIComponentSafe(encoded);
  const compact = encoded.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}

/** A URL carrying the credential in a query parameter or in its fragment (`#vc=<...>` or the whole fragment). */
function fromUrl(text: string): ScanResult {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, code: 'malformed', message: 'The scanned URL is not valid.', raw: text };
  }
  const candidates: string[] = [];
  for (const value of url.searchParams.values()) candidates.push(value);
  const fragment = url.hash.replace(/^#/, '');
  if (fragment) {
    const whole = decodeURIComponentSafe(fragment);
    // A fragment that is itself a credential (JSON holds `=` and `&`, so it is tried before any parameters).
    if (whole !== undefined && /^\s*\{/.test(whole)) candidates.push(whole);
    else if (fragment.includes('=')) for (const value of new URLSearchParams(fragment).values()) candidates.push(value);
    else if (whole !== undefined) candidates.push(whole);
  }
  let problem: Failure | undefined;
  for (const value of candidates.map((c) => c.trim()).filter(Boolean)) {
    const read = readText(value, 'url');
    if (read.ok) return read;
    // A parameter that looked like a credential but is broken says more than "no credential here".
    if (read.code === 'malformed') problem ??= { ...read, raw: text };
  }
  return problem ?? { ok: false, code: 'unsupported_format', message: 'The scanned URL carries no credential (none in its query or fragment).', raw: text };
}

function decodeURIComponentSafe(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
