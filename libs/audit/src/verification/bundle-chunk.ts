import { hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { linkOf, type ChainLink, type VerifiableEntry } from './chain-verifier';

/**
 * Part of a bundle's entries, reduced to links: what a worker thread sends back. Columns rather than objects, so
 * the transfer between threads stays cheap for a million entries.
 */
export interface ChunkLinks {
  ids: Array<string | null>;
  seqs: number[];
  prevHashes: string[];
  hashes: string[];
  contentOk: boolean[];
}

export type ChunkResult = { ok: true; links: ChunkLinks } | { ok: false; reason: string };

/** A byte range of a bundle file that holds whole lines of entries (one JSON entry per line, as the export writes). */
export interface ChunkRange {
  path: string;
  start: number;
  end: number;
}

export function readRange({ path, start, end }: ChunkRange): Buffer {
  const buf = Buffer.allocUnsafe(end - start);
  const fd = openSync(path, 'r');
  try {
    let read = 0;
    while (read < buf.length) {
      const n = readSync(fd, buf, read, buf.length - read, start + read);
      if (n === 0) break;
      read += n;
    }
    return buf.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** Parses the entry lines in `bytes` and recomputes each entry's hash. */
export function linkLines(bytes: Buffer): ChunkResult {
  const links: ChunkLinks = { ids: [], seqs: [], prevHashes: [], hashes: [], contentOk: [] };
  const text = bytes.toString('utf8');
  let from = 0;
  while (from < text.length) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    let line = text.slice(from, to).trim();
    from = to + 1;
    if (line.endsWith(',')) line = line.slice(0, -1); // the export writes "entry," on every line but the last
    if (line.startsWith(',')) line = line.slice(1).trimStart();
    if (line.length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return { ok: false, reason: `an entry line is not JSON: ${line.slice(0, 80)}` };
    }
    const shapeError = entryShapeError(value);
    if (shapeError) return { ok: false, reason: `an entry ${shapeError}: ${line.slice(0, 80)}` };
    const link: ChainLink = linkOfLine(line, value as VerifiableEntry);
    links.ids.push(link.id);
    links.seqs.push(link.seq);
    links.prevHashes.push(link.prevHash);
    links.hashes.push(link.hash);
    links.contentOk.push(link.contentOk);
  }
  return { ok: true, links };
}

/**
 * The link of one exported entry line. Fast path: the export writes each entry in canonical (JCS) form, so the
 * hashed body is the line without its `"hash"`, `"id"` and `"prevHash"` members, and hashing that text needs no
 * re-serialization. It is taken only when those members sit, once each, exactly where canonical form puts them (after
 * the top-level chainId, before prevHash's neighbour seq), with the values the parsed entry has; any other line goes
 * through linkOf. Sound because a body that hashes to the entry's hash is, short of a SHA-256 preimage, the very text
 * the server hashed, and the members cut out of it are the parsed top-level ones.
 */
export function linkOfLine(line: string, entry: VerifiableEntry): ChainLink {
  const idText = JSON.stringify(entry.id);
  const hashAndId = `"hash":"${entry.hash}","id":${idText},`;
  const before = `"chainId":${JSON.stringify(entry.chainId)},`;
  const prevMember = `,"prevHash":"${entry.prevHash}"`;
  const at = line.indexOf(before + hashAndId);
  const prevAt = line.indexOf(`${prevMember},"seq":`);
  if (
    at > 0 && at === line.lastIndexOf(before + hashAndId) && line.startsWith('"incidentId":', at + before.length + hashAndId.length) &&
    prevAt > at && prevAt === line.lastIndexOf(`${prevMember},"seq":`) && /^[0-9a-f]{64}$/.test(entry.hash) && /^[0-9a-f]{64}$/.test(entry.prevHash)
  ) {
    const cut = at + before.length;
    const body = line.slice(0, cut) + line.slice(cut + hashAndId.length, prevAt) + line.slice(prevAt + prevMember.length);
    if (hash('sha256', `${entry.prevHash}\n${body}`, 'hex') === entry.hash) {
      return { id: entry.id ?? null, seq: entry.seq, prevHash: entry.prevHash, hash: entry.hash, contentOk: true };
    }
  }
  return linkOf(entry); // not in canonical layout, or the text does not hash: decide by re-serializing
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNullableString = (v: unknown): boolean => v === null || typeof v === 'string';

/** What is missing or mistyped in a bundle entry (the hash check decides whether it is genuine), or null. */
export function entryShapeError(v: unknown): string | null {
  if (!isObject(v)) return 'is not an object';
  if (typeof v.id !== 'string') return 'has no id';
  if (typeof v.chainId !== 'string') return 'has no chainId';
  if (typeof v.seq !== 'number' || !Number.isSafeInteger(v.seq)) return 'has no whole-number seq';
  if (typeof v.occurredAt !== 'string') return 'has no occurredAt';
  if (!isObject(v.actor)) return 'has no actor object';
  if (typeof v.action !== 'string') return 'has no action';
  if (!isNullableString(v.incidentId) || !isNullableString(v.targetType) || !isNullableString(v.targetId)) return 'has a mistyped incidentId, targetType or targetId';
  if (!isObject(v.payload)) return 'has no payload object';
  if (typeof v.prevHash !== 'string' || typeof v.hash !== 'string') return 'has no prevHash or hash';
  return null;
}
