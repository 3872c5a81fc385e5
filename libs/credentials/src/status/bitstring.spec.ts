import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { decodeEncodedList, encodeList, readStatus, setIndices, StatusListDecodeError } from './bitstring';
import { CONFORMANCE_DIR } from '../../../../test/support/conformance';

interface Vector {
  name: string;
  encodedList: string;
  bits: number;
  set: number[];
}
const vectors = (JSON.parse(readFileSync(path.join(CONFORMANCE_DIR, 'status-list/vectors.json'), 'utf8')) as { vectors: Vector[] }).vectors;

describe('status list bitstrings', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('%s decodes to exactly the listed indices', (_name, vector) => {
    const bits = decodeEncodedList(vector.encodedList);
    expect(bits.length * 8).toBe(vector.bits);
    expect(setIndices(bits)).toEqual(vector.set);
    for (const i of vector.set) expect(readStatus(bits, i)).toBe(1);
    if (vector.set.length > 0) expect(readStatus(bits, vector.set[0] + 1)).toBe(vector.set.includes(vector.set[0] + 1) ? 1 : 0);
  });

  it('index 0 is the most significant bit of the first byte', () => {
    const bits = decodeEncodedList(encodeList(16, [0, 9]));
    expect(bits[0]).toBe(0x80);
    expect(bits[1]).toBe(0x40);
  });

  it('round-trips with and without the multibase prefix, and multi-bit entries read MSB first', () => {
    const set = [3, 4, 100, 131071];
    expect(setIndices(decodeEncodedList(encodeList(131072, set)))).toEqual(set);
    expect(setIndices(decodeEncodedList(encodeList(131072, set, { multibase: false })))).toEqual(set);
    // entry 2 of size 2 = bits 4 and 5: only bit 4 set -> binary 10
    expect(readStatus(decodeEncodedList(encodeList(64, [4])), 2, 2)).toBe(2);
  });

  it('refuses non-gzip data, broken base64 and decompression bombs', () => {
    expect(() => decodeEncodedList('uAAAA')).toThrow(StatusListDecodeError);
    expect(() => decodeEncodedList('u!!!')).toThrow(StatusListDecodeError);
    expect(() => decodeEncodedList('')).toThrow(StatusListDecodeError);
    const bomb = `u${gzipSync(Buffer.alloc(32 * 1024 * 1024)).toString('base64url')}`;
    expect(() => decodeEncodedList(bomb)).toThrow(/larger than allowed/);
  });
});
