import { isRecord, type JsonRecord } from '../util/json';
import { strictBase64UrlToText, webBase64UrlBytes } from '../util/scratch';

const SEGMENT = /^[A-Za-z0-9_-]*$/;

export interface DecodedJws {
  /** The compact serialization exactly as received. */
  compact: string;
  /** Shared by every JWS with the same header segment: read-only. */
  header: Readonly<JsonRecord>;
  payload: JsonRecord;
}

export type DecodeResult = { ok: true; jws: DecodedJws } | { ok: false; message: string };

/** Strict base64url (no padding, no stray characters, no impossible lengths) -> bytes. */
export function base64UrlBytes(segment: string): Uint8Array | undefined {
  if (!SEGMENT.test(segment) || segment.length % 4 === 1) return undefined;
  return typeof Buffer === 'undefined' ? webBase64UrlBytes(segment) : Buffer.from(segment, 'base64url');
}

/** NUL or an unpaired surrogate: no genuine credential holds one, and PostgreSQL (text, jsonb) and JCS cannot take them. */
const UNSAFE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
class UnsafeText extends Error {}

const rejectUnsafeText = (key: string, v: unknown): unknown => {
  if (UNSAFE_TEXT.test(key) || (typeof v === 'string' && UNSAFE_TEXT.test(v))) throw new UnsafeText();
  return v;
};

function parseJsonObject(text: string): JsonRecord | 'unsafe' | undefined {
  try {
    // Parsed text can only hold NUL or a lone surrogate through a \u escape: UTF-8 decoding never yields a lone
    // surrogate (bad bytes become U+FFFD) and JSON refuses raw control characters. Without "\u" the reviver, which
    // costs several times the parse itself, has nothing to find.
    const value: unknown = text.includes('\\u') ? JSON.parse(text, rejectUnsafeText) : JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch (err) {
    return err instanceof UnsafeText ? 'unsafe' : undefined;
  }
}

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;

/**
 * A compact JWS's header, read (parsed, or found among the headers read before), and its payload as decoded UTF-8
 * text, not yet parsed. `unsafe` or undefined: the header is not a safe JSON object (the decoder says which).
 */
export interface JwsParts {
  header: Readonly<JsonRecord> | 'unsafe' | undefined;
  payload: string;
}

/**
 * A compact JWS checked and decoded in one pass: three dot-separated parts of strict base64url (the payload may be
 * empty, the others not; no part of an impossible length), or undefined. Only the short signature part is tested
 * with a regular expression; the header and payload are checked by decoding them (strictBase64UrlToText), the header
 * only the first time its segment is seen.
 */
export function readJwsParts(compact: string): JwsParts | undefined {
  const first = compact.indexOf('.');
  const second = compact.indexOf('.', first + 1);
  if (first < 1 || second < 0 || second === compact.length - 1 || compact.includes('.', second + 1)) return undefined;
  const signature = compact.slice(second + 1);
  if (signature.length % 4 === 1 || !SEGMENT.test(signature)) return undefined;
  const header = readHeader(compact.slice(0, first));
  if (header === NOT_BASE64URL) return undefined;
  const payload = strictBase64UrlToText(compact.slice(first + 1, second));
  return payload === undefined ? undefined : { header, payload };
}

/** Decodes a compact JWS without verifying it (so the issuer, and with it the key, can be found). */
export function decodeCompactJws(compact: string): DecodeResult {
  const parts = readJwsParts(compact);
  if (parts) return parseJwsParts(compact, parts);
  // Only a text that is not a JWS gets here: one more pass over it tells which message applies.
  if (!COMPACT.test(compact)) return { ok: false, message: 'A compact JWS has three dot-separated base64url parts.' };
  return { ok: false, message: 'The JWS is not valid base64url.' };
}

/** decodeCompactJws for a JWS the scan recognised: its header as the scan read it, its payload as the scan decoded it. */
export function decodeScannedJws(scanned: string, parts: JwsParts | undefined): DecodeResult {
  return parts ? parseJwsParts(scanned, parts) : decodeCompactJws(scanned);
}

/**
 * Parsed JWS headers, by their base64url segment. An issuer signs all its credentials with the same header (alg,
 * typ, kid), so a check-in line sees few distinct ones: each is decoded and parsed once and shared, frozen, by the
 * JWSs that carry it. Only short headers of plain values (no nested object to share) are kept, and the map starts
 * afresh when full.
 */
const knownHeaders = new Map<string, Readonly<JsonRecord>>();
const MAX_KNOWN_HEADERS = 256;
const MAX_KNOWN_HEADER_CHARS = 683; // the base64url of 512 bytes
const NOT_BASE64URL = Symbol('not base64url');

function readHeader(segment: string): JwsParts['header'] | typeof NOT_BASE64URL {
  const known = knownHeaders.get(segment);
  if (known) return known;
  const text = strictBase64UrlToText(segment);
  if (text === undefined) return NOT_BASE64URL;
  const header = parseJsonObject(text);
  if (typeof header !== 'object' || segment.length > MAX_KNOWN_HEADER_CHARS || Object.values(header).some((v) => typeof v === 'object' && v !== null)) {
    return header;
  }
  if (knownHeaders.size >= MAX_KNOWN_HEADERS) knownHeaders.clear();
  knownHeaders.set(detached(segment), Object.freeze(header));
  return header;
}

/** A copy of its own: a slice would keep the whole text it was cut from (here, the JWS) alive as long as the map. */
function detached(slice: string): string {
  return [...slice].join('');
}

function parseJwsParts(compact: string, parts: JwsParts): DecodeResult {
  const header = parts.header;
  const payload = parseJsonObject(parts.payload);
  if (header === 'unsafe' || payload === 'unsafe') return { ok: false, message: 'The JWS contains a NUL character or an unpaired UTF-16 surrogate.' };
  if (!header) return { ok: false, message: 'The JWS header is not a JSON object.' };
  if (!payload) return { ok: false, message: 'The JWS payload is not a JSON object.' };
  return { ok: true, jws: { compact, header, payload } };
}

/** `typ`/`cty` media types compare case-insensitively, and `application/` may be left out (RFC 7515 4.1.9). */
export function mediaType(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase();
  return v.startsWith('application/') ? v.slice('application/'.length) : v;
}
