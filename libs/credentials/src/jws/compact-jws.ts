import { isRecord, type JsonRecord } from '../util/json';
import { strictBase64UrlToText, webBase64UrlBytes } from '../util/scratch';

const SEGMENT = /^[A-Za-z0-9_-]*$/;

export interface DecodedJws {
  /** The compact serialization exactly as received. */
  compact: string;
  /** Shared by every JWS with the same header text: read-only. */
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

/** The header and payload of a compact JWS as decoded UTF-8 text, not yet parsed. */
export interface JwsParts {
  header: string;
  payload: string;
}

/**
 * A compact JWS checked and decoded in one pass: three dot-separated parts of strict base64url (the payload may be
 * empty, the others not; no part of an impossible length), or undefined. Only the short signature part is tested
 * with a regular expression; the header and payload are checked by decoding them (strictBase64UrlToText).
 */
export function readJwsParts(compact: string): JwsParts | undefined {
  const first = compact.indexOf('.');
  const second = compact.indexOf('.', first + 1);
  if (first < 1 || second < 0 || second === compact.length - 1 || compact.includes('.', second + 1)) return undefined;
  const signature = compact.slice(second + 1);
  if (signature.length % 4 === 1 || !SEGMENT.test(signature)) return undefined;
  const header = strictBase64UrlToText(compact.slice(0, first));
  if (header === undefined) return undefined;
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

/** decodeCompactJws for a JWS the scan recognised: the parts it decoded are parsed, not decoded again. */
export function decodeScannedJws(scanned: string, parts: JwsParts | undefined): DecodeResult {
  return parts ? parseJwsParts(scanned, parts) : decodeCompactJws(scanned);
}

/**
 * Parsed JWS headers, by their text. An issuer signs all its credentials with the same header (alg, typ, kid), so a
 * check-in line sees few distinct ones: each is parsed once and shared, frozen, by the JWSs that carry it. Only short
 * headers of plain values (no nested object to share) are kept, and the map starts afresh when full.
 */
const knownHeaders = new Map<string, Readonly<JsonRecord>>();
const MAX_KNOWN_HEADERS = 256;
const MAX_KNOWN_HEADER_CHARS = 512;

function parseHeader(text: string): Readonly<JsonRecord> | 'unsafe' | undefined {
  const known = knownHeaders.get(text);
  if (known) return known;
  const header = parseJsonObject(text);
  if (typeof header !== 'object' || text.length > MAX_KNOWN_HEADER_CHARS || Object.values(header).some((v) => typeof v === 'object' && v !== null)) {
    return header;
  }
  if (knownHeaders.size >= MAX_KNOWN_HEADERS) knownHeaders.clear();
  knownHeaders.set(text, Object.freeze(header));
  return header;
}

function parseJwsParts(compact: string, parts: JwsParts): DecodeResult {
  const header = parseHeader(parts.header);
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
