import { deflateSync } from 'node:zlib';
import { base64UrlBytes, mediaType, type DecodedJws } from '../jws/compact-jws';
import { inflateBounded, StatusListDecodeError, type DecodeLimits } from '../status/bitstring';
import { isRecord, type JsonRecord } from '../util/json';

/**
 * The IETF Token Status List (draft-ietf-oauth-status-list), as SD-JWT VCs reference it: the credential's
 * `status.status_list` = `{idx, uri}` points at a Status List Token (a JWT, `typ` statuslist+jwt) whose
 * `status_list` = `{bits, lst}`: `lst` is base64url(zlib(bytes)) holding one `bits`-wide value per credential,
 * least significant bits first. Values: 0 valid, 1 invalid (revoked), 2 suspended, 3 and above application-specific.
 */
export const TOKEN_STATUS = { valid: 0, invalid: 1, suspended: 2 } as const;

export type TokenStatusBits = 1 | 2 | 4 | 8;
const BITS: readonly number[] = [1, 2, 4, 8];

export interface TokenStatusReference {
  uri: string;
  idx: number;
}

/** The `status_list` reference of a credential's `status` claim, or why it cannot be read. */
export function tokenStatusReference(status: JsonRecord): TokenStatusReference | { problem: string } {
  const ref = status.status_list;
  if (!isRecord(ref)) return { problem: 'The status claim has no status_list reference.' };
  if (typeof ref.uri !== 'string' || !/^https?:\/\//.test(ref.uri) || ref.uri.length > 2048)
    return { problem: 'The status_list reference has no http(s) uri.' };
  if (typeof ref.idx !== 'number' || !Number.isSafeInteger(ref.idx) || ref.idx < 0)
    return { problem: 'The status_list reference has no valid idx (a non-negative integer).' };
  return { uri: ref.uri, idx: ref.idx };
}

/** What a Status List Token says, once its signature is checked (by the caller). */
export interface StatusListTokenClaims {
  issuer?: string;
  bits: TokenStatusBits;
  lst: string;
  ttlMs?: number;
  /** `exp` in ms. */
  validUntil?: number;
}

/** The claims of a Status List Token fetched from `url`; throws Error with the reason it is not one. */
export function statusListTokenClaims(jws: DecodedJws, url: string, nowMs: number, skewMs: number): StatusListTokenClaims {
  if (mediaType(jws.header.typ) !== 'statuslist+jwt') throw new Error('The document is not a Status List Token (typ statuslist+jwt).');
  const p = jws.payload;
  if (p.sub !== url) throw new Error('The Status List Token is for another list (its sub is not the uri the credential names).');
  if (typeof p.iat !== 'number' || !Number.isFinite(p.iat)) throw new Error('The Status List Token has no numeric iat.');
  for (const claim of ['exp', 'ttl'] as const) {
    if (p[claim] !== undefined && (typeof p[claim] !== 'number' || !Number.isFinite(p[claim]) || p[claim] < 0))
      throw new Error(`The Status List Token's ${claim} is not a number of seconds.`);
  }
  const exp = typeof p.exp === 'number' ? p.exp * 1000 : undefined;
  if (exp !== undefined && exp + skewMs <= nowMs) throw new Error('The Status List Token has expired.');
  const list = p.status_list;
  if (!isRecord(list) || typeof list.lst !== 'string' || typeof list.bits !== 'number' || !BITS.includes(list.bits)) {
    throw new Error('The Status List Token has no status_list with bits (1, 2, 4 or 8) and lst.');
  }
  if (p.iss !== undefined && typeof p.iss !== 'string') throw new Error('The Status List Token iss is not a string.');
  return {
    issuer: p.iss,
    bits: list.bits as TokenStatusBits,
    lst: list.lst,
    ttlMs: typeof p.ttl === 'number' ? p.ttl * 1000 : undefined,
    validUntil: exp,
  };
}

/** `lst` -> the status bytes, decompressed on zlib's thread pool within the limits (see bitstring.ts). */
export function decodeTokenList(lst: string, limits: DecodeLimits = {}): Promise<Uint8Array> {
  const compressed = base64UrlBytes(lst);
  if (!compressed || compressed.length < 2) return Promise.reject(new StatusListDecodeError('lst is not base64url.'));
  return inflateBounded(compressed, limits);
}

/** The value of entry `index` (`bits` wide, least significant bits of byte 0 first). */
export function readTokenStatus(bytes: Uint8Array, index: number, bits: TokenStatusBits): number {
  const bit = index * bits;
  return (bytes[bit >> 3] >> (bit & 7)) & ((1 << bits) - 1);
}

/** Builds an `lst` holding the given values (issuer side and tests). */
export function encodeTokenList(entries: number, bits: TokenStatusBits, values: Iterable<[number, number]>): string {
  const bytes = new Uint8Array(Math.ceil((entries * bits) / 8));
  for (const [index, value] of values) {
    const bit = index * bits;
    bytes[bit >> 3] |= (value & ((1 << bits) - 1)) << (bit & 7);
  }
  return deflateSync(bytes).toString('base64url');
}
