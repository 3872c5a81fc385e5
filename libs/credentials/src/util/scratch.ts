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

/** base64url -> UTF-8 text (Buffer.from(segment, 'base64url').toString('utf8') without a Buffer per call). */
export function base64UrlToText(segment: string): string {
  // An offline station (the browser bundle) has no Buffer: the plain Web path there.
  if (typeof Buffer === 'undefined') return new TextDecoder().decode(webBase64UrlBytes(segment));
  // Decoding never yields more bytes than characters; anything larger than an accepted input takes the plain path.
  if (segment.length > MAX_INPUT_BYTES) return Buffer.from(segment, 'base64url').toString('utf8');
  const buf = (text ??= Buffer.allocUnsafeSlow(MAX_INPUT_BYTES));
  return buf.toString('utf8', 0, buf.write(segment, 'base64url'));
}

/**
 * The Latin-1 (for ASCII: the same) bytes of `value` as a view of a reusable buffer, overwritten by the next call of
 * this function or base64UrlToText: consume it synchronously (as crypto.verify does) and never keep it.
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
  return buf.subarray(0, buf.write(segment, 'base64url'));
}

/** base64url -> bytes with atob (browsers): the caller has checked the alphabet. */
export function webBase64UrlBytes(segment: string): Uint8Array {
  const raw = atob(segment.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}
