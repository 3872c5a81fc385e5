import { isRecord, type JsonRecord } from '../util/json';

const SEGMENT = /^[A-Za-z0-9_-]*$/;

export interface DecodedJws {
  /** The compact serialization exactly as received. */
  compact: string;
  header: JsonRecord;
  payload: JsonRecord;
}

export type DecodeResult = { ok: true; jws: DecodedJws } | { ok: false; message: string };

/** Strict base64url (no padding, no stray characters, no impossible lengths) -> bytes. */
export function base64UrlBytes(segment: string): Buffer | undefined {
  if (!SEGMENT.test(segment) || segment.length % 4 === 1) return undefined;
  return Buffer.from(segment, 'base64url');
}

/** NUL or an unpaired surrogate: no genuine credential holds one, and PostgreSQL (text, jsonb) and JCS cannot take them. */
const UNSAFE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
class UnsafeText extends Error {}

function parseJsonObject(bytes: Buffer): JsonRecord | 'unsafe' | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'), (key: string, v: unknown) => {
      if (UNSAFE_TEXT.test(key) || (typeof v === 'string' && UNSAFE_TEXT.test(v))) throw new UnsafeText();
      return v;
    });
    return isRecord(value) ? value : undefined;
  } catch (err) {
    return err instanceof UnsafeText ? 'unsafe' : undefined;
  }
}

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;

/** Decodes a compact JWS without verifying it (so the issuer, and with it the key, can be found). */
export function decodeCompactJws(compact: string): DecodeResult {
  if (!COMPACT.test(compact)) return { ok: false, message: 'A compact JWS has three dot-separated base64url parts.' };
  const [h, p, s] = compact.split('.');
  const bytes = (segment: string): Buffer | undefined => (segment.length % 4 === 1 ? undefined : Buffer.from(segment, 'base64url'));
  const headerBytes = bytes(h);
  const payloadBytes = bytes(p);
  // The signature is only decoded by the verifier; here its length must merely be possible.
  if (!headerBytes || !payloadBytes || s.length % 4 === 1) {
    return { ok: false, message: 'The JWS is not valid base64url.' };
  }
  const header = parseJsonObject(headerBytes);
  const payload = parseJsonObject(payloadBytes);
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
