/**
 * Ids to row numbers, for the millions of deployment ids an offline recomputation looks up (each check-in, status
 * change and check-out, each approval and certification fact: about 13 M lookups at 1.5 M deployments). An id in the
 * canonical UUID form (lowercase hex, dashed, as the database writes them) is kept as four 32-bit numbers in an
 * open-addressing table: in a Map of 1.5 M such ids a lookup takes about a microsecond, here about half of that
 * (docs/benchmarks.md). Any other id, or a UUID written otherwise (a different text, so a different id), is kept in a Map.
 * An id can also be looked up where a reader has it, as the bytes of a line (IdBytes), without making a string of it.
 */
export class IdIndex {
  /** Per slot: the id's four words, then its row (-1: empty). */
  private table = IdIndex.emptyTable(1 << 12);
  private mask = (1 << 12) - 1;
  private uuids = 0;
  private readonly others = new Map<string, number>();

  get(id: string): number | undefined {
    return readUuid(id, 0, id.length) ? this.probe() : this.others.get(id);
  }

  /** `get` of an id's text as UTF-8 bytes. */
  getBytes(id: IdBytes): number | undefined {
    return readUuid(id.bytes, id.from, id.to - id.from) ? this.probe() : this.others.get(textOf(id));
  }

  /** The row of the UUID in `words`. */
  private probe(): number | undefined {
    const t = this.table;
    for (let slot = hashWords() & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = slot * SLOT;
      const row = t[at + 4];
      if (row < 0) return undefined;
      if (t[at] === words[0] && t[at + 1] === words[1] && t[at + 2] === words[2] && t[at + 3] === words[3]) return row;
    }
  }

  /** Adds an id with its row unless the index has it already: then false, and the index is unchanged. */
  add(id: string, row: number): boolean {
    if (!readUuid(id, 0, id.length)) {
      if (this.others.has(id)) return false;
      this.others.set(id, row);
      return true;
    }
    if (this.probe() !== undefined) return false;
    // At most three quarters full: a probe ends within a few slots (a cache line or two), and the table
    // (a share of 750,000 ids) takes 20 MiB instead of 40, so fewer of its pages are out of reach of the TLB.
    if (++this.uuids * 4 > (this.mask + 1) * 3) {
      const added = words.slice();
      this.grow();
      words.set(added);
    }
    this.place(this.table, this.mask, row);
    return true;
  }

  private place(t: Int32Array, mask: number, row: number): void {
    let slot = hashWords() & mask;
    while (t[slot * SLOT + 4] >= 0) slot = (slot + 1) & mask;
    const at = slot * SLOT;
    t.set(words, at);
    t[at + 4] = row;
  }

  private grow(): void {
    const old = this.table;
    const size = (this.mask + 1) * 2;
    const table = IdIndex.emptyTable(size);
    for (let at = 0; at < old.length; at += SLOT) {
      if (old[at + 4] < 0) continue;
      words.set(old.subarray(at, at + 4));
      this.place(table, size - 1, old[at + 4]);
    }
    this.table = table;
    this.mask = size - 1;
  }

  private static emptyTable(slots: number): Int32Array {
    const t = new Int32Array(slots * SLOT);
    for (let at = 4; at < t.length; at += SLOT) t[at] = -1;
    return t;
  }
}

/** An id's text where a reader found it: bytes `from` to `to` of `bytes`, UTF-8 (a JSON string's content without escapes). */
export interface IdBytes {
  readonly bytes: Uint8Array;
  readonly from: number;
  readonly to: number;
}

const utf8 = new TextDecoder();

/** The id's text. */
export const textOf = (id: IdBytes): string => utf8.decode(id.bytes.subarray(id.from, id.to));

const SLOT = 5;
/** The words of the UUID last read (one lookup at a time: no allocation per lookup). */
const words = new Int32Array(4);

/**
 * Reads a canonical UUID (8-4-4-4-12 lowercase hex digits) into `words`: the `length` characters of a text, or bytes of
 * UTF-8, from `from`; false for any other id.
 */
function readUuid(id: string | Uint8Array, from: number, length: number): boolean {
  if (length !== 36) return false;
  const text = typeof id === 'string';
  let word = 0;
  let digits = 0;
  let w = 0;
  for (let i = 0; i < 36; i++) {
    const c = text ? id.charCodeAt(from + i) : id[from + i];
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return false;
      continue;
    }
    const v = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
    if (v < 0) return false;
    word = (word << 4) | v;
    if (++digits === 8) {
      words[w++] = word;
      word = 0;
      digits = 0;
    }
  }
  return true;
}

/** A 32-bit hash of `words` (murmur3's finaliser over their mix). */
function hashWords(): number {
  let h = words[0] ^ Math.imul(words[1], 0x9e3779b1) ^ Math.imul(words[2], 0x85ebca77) ^ Math.imul(words[3], 0xc2b2ae3d);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
