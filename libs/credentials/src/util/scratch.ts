/**
 * Reusable buffers (one set per thread) for bytes that are used at once and dropped: decoded JWS parts, the signing
 * input and the signature. Buffer.from takes such bytes from an 8 KiB pool that three verifications use up, and
 * every spent pool is an ArrayBuffer for the garbage collector; on the verification hot path that churn costs more
 * than the copies themselves (5 to 7% of a cached verification; docs/benchmarks.md, "Verifier split into checks").
 */
import { MAX_INPUT_BYTES } from '../limits';

/** base64url of up to 768 bytes: every ECDSA and EdDSA signature, RSA up to 6,144 bits; longer ones take the plain path. */
const MAX_SIGNATURE_CHARS = 1024;

let text: Buffer | undefined;
let signature: Buffer | undefined;
/** The last signature's view: every signature of one algorithm has the same length, so it serves the next one too. */
let signatureView: Buffer | undefined;

/** The base64url alphabet, for the Web path (browsers have no Buffer to count decoded bytes with). */
const BASE64URL = /^[A-Za-z0-9_-]*$/;
/** A character above U+00FF: Node's decoder reads it by its low byte. For a Latin-1 string V8 answers without a scan. */
const WIDE = /[^\x00-\xff]/;

/**
 * Strict base64url (no padding, nothing outside the alphabet) -> UTF-8 text, or undefined. The check is the
 * decoding's own byte count, so the text is not scanned twice: Node's decoder skips characters outside its alphabet
 * and stops at '=', so a segment holding one decodes to fewer bytes than its length implies. What the count cannot
 * show is looked for first: '+' and '/' (base64, which the decoder takes), a character above U+00FF, and a length
 * of 4k+1 (never valid, and one skipped character would leave the count of 4k unchanged).
 */
export function strictBase64UrlToText(segment: string): string | undefined {
  if (segment.length % 4 === 1) return undefined;
  // An offline station (the browser bundle) has no Buffer: the plain Web path there.
  if (typeof Buffer === 'undefined') return BASE64URL.test(segment) ? new TextDecoder().decode(webBase64UrlBytes(segment)) : undefined;
  if (segment.includes('+') || segment.includes('/') || WIDE.test(segment)) return undefined;
  const expected = Math.floor((segment.length * 3) / 4);
  // Decoding never yields more bytes than characters; anything larger than an accepted input takes the plain path.
  if (segment.length > MAX_INPUT_BYTES) {
    const bytes = Buffer.from(segment, 'base64url');
    return bytes.length === expected ? bytes.toString('utf8') : undefined;
  }
  const buf = (text ??= Buffer.allocUnsafeSlow(MAX_INPUT_BYTES));
  const written = buf.write(segment, 'base64url');
  return written === expected ? buf.toString('utf8', 0, written) : undefined;
}

/**
 * The Latin-1 (for ASCII: the same) bytes of `value` as a view of a reusable buffer, overwritten by the next call of
 * this function or strictBase64UrlToText: consume it synchronously (as crypto.verify does) and never keep it.
 */
export function transientLatin1Bytes(value: string): Buffer {
  if (value.length > MAX_INPUT_BYTES) return Buffer.from(value, 'latin1');
  const buf = (text ??= Buffer.allocUnsafeSlow(MAX_INPUT_BYTES));
  return buf.subarray(0, buf.write(value, 'latin1'));
}

/** A decoded base64url signature as a view of its own reusable buffer, valid until the next call: consume at once. */
export function transientSignatureBytes(segment: string): Buffer {
  if (segment.length > MAX_SIGNATURE_CHARS) return Buffer.from(segment, 'base64url');
  const buf = (signature ??= Buffer.allocUnsafeSlow((MAX_SIGNATURE_CHARS / 4) * 3));
  const length = buf.write(segment, 'base64url');
  return signatureView?.length === length ? signatureView : (signatureView = buf.subarray(0, length));
}

/** base64url -> bytes with atob (browsers): the caller has checked the alphabet. */
export function webBase64UrlBytes(segment: string): Uint8Array {
  const raw = atob(segment.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}
