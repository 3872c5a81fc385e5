import { gunzipSync, gzipSync } from 'node:zlib';

/** Bitstring Status List v1.0: lists shorter than this leak which credential is being checked (herd privacy). */
export const MIN_STATUS_LIST_LENGTH = 131_072;

export type StatusPurpose = 'revocation' | 'suspension';
export const STATUS_PURPOSES: readonly StatusPurpose[] = ['revocation', 'suspension'];

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * One status bit per credential, bit 0 being the most significant bit of the first byte
 * (byte `i >> 3`, mask `0x80 >> (i & 7)`), as the Recommendation defines. Some old libraries used the
 * opposite order; the conformance vectors pin this one.
 */
export class StatusBitstring {
  private readonly bytes: Uint8Array;

  constructor(
    readonly length: number = MIN_STATUS_LIST_LENGTH,
    bytes?: Uint8Array,
  ) {
    if (!Number.isInteger(length) || length <= 0 || length % 8 !== 0) {
      throw new RangeError(`a status list length must be a positive multiple of 8, got ${length}`);
    }
    if (bytes && bytes.length * 8 !== length) throw new RangeError('bytes do not match the list length');
    this.bytes = bytes ? Uint8Array.from(bytes) : new Uint8Array(length / 8);
  }

  /** Decodes `encodedList`: `u` + base64url(gzip(bits)), or the StatusList2021 form without the `u`. */
  static decode(encodedList: string): StatusBitstring {
    const base64url = encodedList.startsWith('u') ? encodedList.slice(1) : encodedList;
    if (!/^[A-Za-z0-9_-]+$/.test(base64url)) throw new Error('encodedList is not base64url');
    const compressed = Buffer.from(base64url, 'base64url');
    if (compressed[0] !== GZIP_MAGIC[0] || compressed[1] !== GZIP_MAGIC[1]) throw new Error('encodedList is not gzip');
    const bytes = gunzipSync(compressed);
    return new StatusBitstring(bytes.length * 8, bytes);
  }

  get(index: number): boolean {
    this.assertIndex(index);
    return (this.bytes[index >> 3] & (0x80 >> (index & 7))) !== 0;
  }

  set(index: number, value: boolean): void {
    this.assertIndex(index);
    const mask = 0x80 >> (index & 7);
    if (value) this.bytes[index >> 3] |= mask;
    else this.bytes[index >> 3] &= ~mask;
  }

  /** Indices whose bit is set, ascending. */
  setIndices(): number[] {
    const indices: number[] = [];
    this.bytes.forEach((byte, byteIndex) => {
      if (byte === 0) return;
      for (let bit = 0; bit < 8; bit++) if (byte & (0x80 >> bit)) indices.push(byteIndex * 8 + bit);
    });
    return indices;
  }

  /** The `encodedList` value: multibase `u` + base64url (no padding) of the gzip of the bits. */
  encode(): string {
    return 'u' + gzipSync(this.bytes, { level: 9 }).toString('base64url');
  }

  private assertIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new RangeError(`status index ${index} is outside 0..${this.length - 1}`);
    }
  }
}
