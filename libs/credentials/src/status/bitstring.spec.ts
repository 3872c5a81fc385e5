import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DecodeBudget } from '../limits';
import { decodeEncodedList, encodeList, MAX_DECODED_BYTES, readStatus, setIndices, StatusListDecodeError } from './bitstring';
import { CONFORMANCE_DIR } from '../../../../test/support/conformance';

interface Vector {
  name: string;
  encodedList: string;
  bits: number;
  set: number[];
}
const vectors = (JSON.parse(readFileSync(path.join(CONFORMANCE_DIR, 'status-list/vectors.json'), 'utf8')) as { vectors: Vector[] }).vectors;

describe('status list bitstrings', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('%s decodes to exactly the listed indices', async (_name, vector) => {
    const bits = await decodeEncodedList(vector.encodedList);
    expect(bits.length * 8).toBe(vector.bits);
    expect(setIndices(bits)).toEqual(vector.set);
    for (const i of vector.set) expect(readStatus(bits, i)).toBe(1);
    if (vector.set.length > 0) expect(readStatus(bits, vector.set[0] + 1)).toBe(vector.set.includes(vector.set[0] + 1) ? 1 : 0);
  });

  it('index 0 is the most significant bit of the first byte', async () => {
    const bits = await decodeEncodedList(encodeList(16, [0, 9]));
    expect(bits[0]).toBe(0x80);
    expect(bits[1]).toBe(0x40);
  });

  it('round-trips with and without the multibase prefix, and multi-bit entries read MSB first', async () => {
    const set = [3, 4, 100, 131071];
    expect(setIndices(await decodeEncodedList(encodeList(131072, set)))).toEqual(set);
    expect(setIndices(await decodeEncodedList(encodeList(131072, set, { multibase: false })))).toEqual(set);
    // entry 2 of size 2 = bits 4 and 5: only bit 4 set -> binary 10
    expect(readStatus(await decodeEncodedList(encodeList(64, [4])), 2, 2)).toBe(2);
  });

  it('refuses non-gzip data, broken base64 and corrupt gzip', async () => {
    await expect(decodeEncodedList('uAAAA')).rejects.toThrow(StatusListDecodeError);
    await expect(decodeEncodedList('u!!!')).rejects.toThrow(StatusListDecodeError);
    await expect(decodeEncodedList('')).rejects.toThrow(StatusListDecodeError);
    const truncated = gzipSync(Buffer.alloc(1000, 7)).subarray(0, 20);
    await expect(decodeEncodedList(`u${truncated.toString('base64url')}`)).rejects.toThrow(/does not decompress/);
  });

  it('stops a decompression bomb at the list limit without holding up the event loop', async () => {
    const bomb = `u${gzipSync(Buffer.alloc(256 * 1024 * 1024), { level: 9 }).toString('base64url')}`;
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 0);
    const started = process.hrtime.bigint();
    try {
      await expect(decodeEncodedList(bomb)).rejects.toThrow(`more than ${MAX_DECODED_BYTES} bytes`);
    } finally {
      clearInterval(ticker);
    }
    // The message names the per-list limit, so inflation stopped there; the clock bound only tells a hang apart
    // (a loaded machine can take seconds), and the timers that ran show the event loop was never held.
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(15_000);
    expect(ticks).toBeGreaterThan(0);
  });

  it("charges a request's budget and refuses what goes past it, naming the budget", async () => {
    const list = encodeList(8 * 1024 * 1024, []); // 1 MiB decoded
    const budget = new DecodeBudget(8, 1.5 * 1024 * 1024);
    await decodeEncodedList(list, { budget });
    const refused = await decodeEncodedList(list, { budget }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(StatusListDecodeError);
    expect((refused as StatusListDecodeError).budget).toBe(budget);
    expect(budget.admitList('a') && budget.admitList('a')).toBe(true);
    for (const url of ['b', 'c', 'd', 'e', 'f', 'g', 'h']) expect(budget.admitList(url)).toBe(true);
    expect(budget.admitList('i')).toBe(false);
  });
});
