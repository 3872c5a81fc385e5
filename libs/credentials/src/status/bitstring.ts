import { createGunzip, createInflate, gzipSync } from 'node:zlib';
import { VERIFICATION_LIMITS, type DecodeBudget } from '../limits';

/**
 * Bitstring Status List v1.0 and StatusList2021 `encodedList` values: `u` + base64url(gzip(bits)) (the older form
 * has no `u`; the gzip magic 1f 8b tells them apart). Bit i is the most significant bit first: byte i >> 3,
 * mask 0x80 >> (i & 7).
 */
export class StatusListDecodeError extends Error {
  constructor(
    message: string,
    /** The request's decompression budget ran out (the list itself may be fine). */
    readonly budget?: DecodeBudget,
  ) {
    super(message);
    this.name = 'StatusListDecodeError';
  }
}

/** Decoded lists above this size are refused: a gzip bomb must not take the process down. */
export const MAX_DECODED_BYTES = VERIFICATION_LIMITS.statusListBytes;

export interface DecodeLimits {
  /** Per list (default MAX_DECODED_BYTES). */
  maxBytes?: number;
  /** What the request that asks may still decompress. */
  budget?: DecodeBudget;
}

export function decodeEncodedList(encodedList: string, limits: DecodeLimits = {}): Promise<Uint8Array> {
  if (typeof encodedList !== 'string' || encodedList.length === 0) return Promise.reject(new StatusListDecodeError('encodedList is empty.'));
  // gzip data always starts 1f 8b, whose base64 is "H4sI": a leading `u` can only be the multibase prefix.
  const text = encodedList.startsWith('u') ? encodedList.slice(1) : encodedList;
  if (!/^[A-Za-z0-9_+/-]+=*$/.test(text)) return Promise.reject(new StatusListDecodeError('encodedList is not base64url.'));
  const compressed = Buffer.from(text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), 'base64url');
  if (compressed.length < 2 || compressed[0] !== 0x1f || compressed[1] !== 0x8b)
    return Promise.reject(new StatusListDecodeError('encodedList is not gzip data.'));
  return gunzipBounded(compressed, limits);
}

/**
 * Decompresses on zlib's thread pool, a chunk at a time, and stops as soon as the output passes the list limit or
 * the request's budget: the event loop never waits on it, and a bomb costs at most the limit.
 */
export function gunzipBounded(compressed: Uint8Array, limits: DecodeLimits = {}): Promise<Uint8Array> {
  return decompressBounded(compressed, limits, 'gzip');
}

/** gunzipBounded for zlib data (RFC 1950), as the IETF Token Status List compresses its `lst`. */
export function inflateBounded(compressed: Uint8Array, limits: DecodeLimits = {}): Promise<Uint8Array> {
  return decompressBounded(compressed, limits, 'zlib');
}

function decompressBounded(compressed: Uint8Array, limits: DecodeLimits, format: 'gzip' | 'zlib'): Promise<Uint8Array> {
  const maxBytes = limits.maxBytes ?? MAX_DECODED_BYTES;
  return new Promise((resolve, reject) => {
    const stream = format === 'gzip' ? createGunzip({ chunkSize: 64 * 1024 }) : createInflate({ chunkSize: 64 * 1024 });
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (err: StatusListDecodeError): void => {
      if (settled) return;
      settled = true;
      stream.destroy();
      reject(err);
    };
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes)
        return fail(
          new StatusListDecodeError(`${format === 'gzip' ? 'encodedList' : 'lst'} decompresses to more than ${maxBytes} bytes (the limit of one list).`),
        );
      if (limits.budget && !limits.budget.take(chunk.length)) {
        return fail(
          new StatusListDecodeError(
            `Not decoded: this verification has already decompressed as many status-list bytes as one verification may (${limits.budget.maxBytes}).`,
            limits.budget,
          ),
        );
      }
      chunks.push(chunk);
    });
    stream.on('error', () => fail(new StatusListDecodeError(`${format === 'gzip' ? 'encodedList' : 'lst'} does not decompress (corrupt ${format} data).`)));
    stream.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(new Uint8Array(Buffer.concat(chunks, size)));
    });
    stream.end(compressed);
  });
}

/** The value at `index` for entries of `size` bits (1 for revocation and suspension). */
export function readStatus(bits: Uint8Array, index: number, size = 1): number {
  let value = 0;
  for (let k = 0; k < size; k++) {
    const i = index * size + k;
    value = (value << 1) | ((bits[i >> 3] >> (7 - (i & 7))) & 1);
  }
  return value;
}

/** The indices whose bit is set (tests and tooling). */
export function setIndices(bits: Uint8Array): number[] {
  const out: number[] = [];
  bits.forEach((byte, b) => {
    if (byte === 0) return;
    for (let k = 0; k < 8; k++) if (byte & (0x80 >> k)) out.push(b * 8 + k);
  });
  return out;
}

/** Builds an encodedList (`u` form) with the given indices set: used by the issuer side and tests. */
export function encodeList(lengthBits: number, set: Iterable<number>, opts: { multibase?: boolean } = {}): string {
  const bits = new Uint8Array(Math.ceil(lengthBits / 8));
  for (const i of set) bits[i >> 3] |= 0x80 >> (i & 7);
  const encoded = gzipSync(bits).toString('base64url');
  return opts.multibase === false ? encoded : `u${encoded}`;
}
