import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * Bitstring Status List v1.0 and StatusList2021 `encodedList` values: `u` + base64url(gzip(bits)) (the older form
 * has no `u`; the gzip magic 1f 8b tells them apart). Bit i is the most significant bit first: byte i >> 3,
 * mask 0x80 >> (i & 7).
 */
export class StatusListDecodeError extends Error {}

/** Decompressed lists above this size are refused (a gzip bomb must not take the process down). */
export const MAX_DECODED_BYTES = 16 * 1024 * 1024;

export function decodeEncodedList(encodedList: string, maxBytes = MAX_DECODED_BYTES): Uint8Array {
  if (typeof encodedList !== 'string' || encodedList.length === 0) throw new StatusListDecodeError('encodedList is empty.');
  // gzip data always starts 1f 8b, whose base64 is "H4sI": a leading `u` can only be the multibase prefix.
  const text = encodedList.startsWith('u') ? encodedList.slice(1) : encodedList;
  if (!/^[A-Za-z0-9_+/-]+=*$/.test(text)) throw new StatusListDecodeError('encodedList is not base64url.');
  const compressed = Buffer.from(text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), 'base64url');
  if (compressed.length < 2 || compressed[0] !== 0x1f || compressed[1] !== 0x8b) throw new StatusListDecodeError('encodedList is not gzip data.');
  try {
    return new Uint8Array(gunzipSync(compressed, { maxOutputLength: maxBytes }));
  } catch {
    throw new StatusListDecodeError('encodedList does not decompress (corrupt, or larger than allowed).');
  }
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
