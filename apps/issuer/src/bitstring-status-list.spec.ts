import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { MIN_STATUS_LIST_LENGTH, StatusBitstring } from './bitstring-status-list';
import { CONFORMANCE_DIR } from '../../../test/support/conformance';

// /work/shared is a sibling of the repository root.
const vectors = JSON.parse(readFileSync(join(CONFORMANCE_DIR, 'status-list/vectors.json'), 'utf8')) as {
  vectors: Array<{ name: string; encodedList: string; bits: number; set: number[] }>;
};

describe('StatusBitstring', () => {
  it.each(vectors.vectors.map((v) => [v.name, v] as const))('decodes the conformance vector: %s', (_name, vector) => {
    const list = StatusBitstring.decode(vector.encodedList);
    expect(list.length).toBe(vector.bits);
    expect(list.setIndices()).toEqual(vector.set);
    for (const i of vector.set) expect(list.get(i)).toBe(true);
  });

  it.each(vectors.vectors.map((v) => [v.name, v] as const))('re-encodes the vector to the same bits: %s', (_name, vector) => {
    const encoded = StatusBitstring.decode(vector.encodedList).encode();
    expect(encoded.startsWith('u')).toBe(true);
    const again = StatusBitstring.decode(encoded);
    expect(again.length).toBe(vector.bits);
    expect(again.setIndices()).toEqual(vector.set);
  });

  it('produces the same bits as the 1EdTech list with index 23 set', () => {
    const oneEdTech = vectors.vectors.find((v) => v.set.length === 1 && v.set[0] === 23 && v.bits === MIN_STATUS_LIST_LENGTH);
    expect(oneEdTech).toBeDefined();
    const ours = new StatusBitstring();
    ours.set(23, true);
    const theirs = StatusBitstring.decode(oneEdTech!.encodedList);
    expect(Buffer.from(gunzipEncoded(ours.encode()))).toEqual(Buffer.from(gunzipEncoded(oneEdTech!.encodedList)));
    expect(theirs.get(23)).toBe(true);
  });

  it('puts index 0 in the most significant bit of the first byte', () => {
    const list = new StatusBitstring();
    list.set(0, true);
    list.set(7, true);
    list.set(8, true);
    list.set(MIN_STATUS_LIST_LENGTH - 1, true);
    const bytes = gunzipEncoded(list.encode());
    expect(bytes.length).toBe(MIN_STATUS_LIST_LENGTH / 8);
    expect(bytes[0]).toBe(0x81);
    expect(bytes[1]).toBe(0x80);
    expect(bytes[bytes.length - 1]).toBe(0x01);
  });

  it('round-trips any set of indices', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: MIN_STATUS_LIST_LENGTH - 1 }), { maxLength: 60 }), (indices) => {
        const list = new StatusBitstring();
        for (const i of indices) list.set(i, true);
        expect(StatusBitstring.decode(list.encode()).setIndices()).toEqual([...indices].sort((a, b) => a - b));
      }),
      { numRuns: 40 },
    );
  });

  it('clears a bit again', () => {
    const list = new StatusBitstring();
    list.set(4242, true);
    list.set(4242, false);
    expect(list.setIndices()).toEqual([]);
  });

  it('defaults to the 131072-entry minimum the Recommendation requires', () => {
    expect(new StatusBitstring().length).toBe(131_072);
    expect(StatusBitstring.decode(new StatusBitstring().encode()).length).toBe(131_072);
  });

  it('rejects indices outside the list and input that is not a gzip bitstring', () => {
    const list = new StatusBitstring();
    expect(() => list.get(MIN_STATUS_LIST_LENGTH)).toThrow(RangeError);
    expect(() => list.set(-1, true)).toThrow(RangeError);
    expect(() => list.get(1.5)).toThrow(RangeError);
    expect(() => StatusBitstring.decode('u' + Buffer.from('not gzip').toString('base64url'))).toThrow('not gzip');
    expect(() => StatusBitstring.decode('u!!!')).toThrow('not base64url');
  });
});

function gunzipEncoded(encodedList: string): Uint8Array {
  return gunzipSync(Buffer.from(encodedList.replace(/^u/, ''), 'base64url'));
}
