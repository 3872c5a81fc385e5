import { closeSync, openSync, readSync } from 'node:fs';
import { linkOf, type ChainLink, type VerifiableEntry } from './chain-verifier';
import { linkHash } from '../audit-hash';
import { deviceAnchorOf, mayHoldDeviceAnchor, type DeviceAnchor } from './device-chains';

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
  /** What the entries say about offline stations' device chains (few entries have anything). */
  anchors: DeviceAnchor[];
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

/** Reads a range a window at a time (whole lines only), so memory stays flat however large the bundle. */
export function linkRange(range: ChunkRange, window = 32 * 1024 * 1024): ChunkResult {
  const all: ChunkLinks = { ids: [], seqs: [], prevHashes: [], hashes: [], contentOk: [], anchors: [] };
  let pos = range.start;
  while (pos < range.end) {
    let bytes = readRange({ path: range.path, start: pos, end: Math.min(range.end, pos + window) });
    if (bytes.length === 0) break;
    if (pos + bytes.length < range.end) {
      const lastNewline = bytes.lastIndexOf(0x0a);
      bytes = lastNewline >= 0 ? bytes.subarray(0, lastNewline + 1) : readRange({ path: range.path, start: pos, end: range.end });
    }
    const result = linkLines(bytes);
    if (!result.ok) return result;
    for (const key of ['ids', 'seqs', 'prevHashes', 'hashes', 'contentOk', 'anchors'] as const) {
      for (const v of result.links[key]) (all[key] as unknown[]).push(v);
    }
    pos += bytes.length;
  }
  return { ok: true, links: all };
}

/** Parses the entry lines in `bytes` and recomputes each entry's hash. Decodes line by line: no giant string. */
export function linkLines(bytes: Buffer): ChunkResult {
  const links: ChunkLinks = { ids: [], seqs: [], prevHashes: [], hashes: [], contentOk: [], anchors: [] };
  let from = 0;
  while (from < bytes.length) {
    let to = bytes.indexOf(0x0a, from);
    if (to < 0) to = bytes.length;
    let start = from;
    let end = to;
    from = to + 1;
    // Trim whitespace and the separating comma (the export writes "entry," on every line but the last) as bytes,
    // so each line is decoded once.
    while (start < end && (isSpace(bytes[start]) || bytes[start] === 0x2c)) start++;
    while (end > start && isSpace(bytes[end - 1])) end--;
    if (end > start && bytes[end - 1] === 0x2c) end--;
    if (end === start) continue;
    const line = bytes.toString('utf8', start, end);
    const fast = fastLink(line);
    const anchorable = mayHoldDeviceAnchor(line);
    if (fast && !anchorable) {
      pushLink(links, fast);
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return { ok: false, reason: `an entry line is not JSON: ${line.slice(0, 80)}` };
    }
    const shapeError = entryShapeError(value);
    if (shapeError) return { ok: false, reason: `an entry ${shapeError}: ${line.slice(0, 80)}` };
    pushLink(links, fast ?? linkOf(value as VerifiableEntry));
    const anchor = anchorable ? deviceAnchorOf(value as VerifiableEntry) : null;
    if (anchor) links.anchors.push(anchor);
  }
  return { ok: true, links };
}

function pushLink(links: ChunkLinks, link: ChainLink): void {
  links.ids.push(link.id);
  links.seqs.push(link.seq);
  links.prevHashes.push(link.prevHash);
  links.hashes.push(link.hash);
  links.contentOk.push(link.contentOk);
}

const JSON_STRING = String.raw`"(?:[^"\\]|\\.)*"`;
const LINE_HEAD = new RegExp(String.raw`^\{"action":${JSON_STRING},"actor":`);
const CHAIN_MEMBERS = new RegExp(String.raw`,"chainId":(${JSON_STRING}),"hash":"([0-9a-f]{64})","id":"(\d{1,19})","incidentId":`, 'y');
const LINE_TAIL = new RegExp(
  String.raw`,"prevHash":"([0-9a-f]{64})","seq":(\d{1,15}),"targetId":(?:null|${JSON_STRING}),"targetType":(?:null|${JSON_STRING})\}$`,
  'y',
);

/**
 * The link of an exported entry line without parsing or re-serializing it, or null (then parse it and use linkOf).
 *
 * The export writes each entry in canonical (JCS) form, so the hashed content is the line without its `"hash"`,
 * `"id"`, `"prevHash"` and `"seq"` members (the link hash covers prevHash and seq). Those are cut only where
 * canonical form puts them at the top level: right after the chainId member that follows the actor object (the actor
 * text must parse as a whole object, so that chainId is not one nested in it), and in the fixed tail
 * `,"prevHash":..,"seq":..,"targetId":..,"targetType":..}` that ends the line (scalars only, so it is the top
 * level's). Sound because a remainder that hashes to the entry's hash is, short of a SHA-256 preimage, the very text
 * the server hashed; with the cut members at the top level, the line is that text plus them, and means exactly what
 * the server wrote.
 */
export function fastLink(line: string): ChainLink | null {
  const head = LINE_HEAD.exec(line);
  if (!head) return null;
  const chainAt = line.indexOf(',"chainId":"', head[0].length);
  if (chainAt < 0) return null;
  try {
    const actor: unknown = JSON.parse(line.slice(head[0].length, chainAt));
    if (typeof actor !== 'object' || actor === null || Array.isArray(actor)) return null;
  } catch {
    return null;
  }
  CHAIN_MEMBERS.lastIndex = chainAt;
  const chain = CHAIN_MEMBERS.exec(line);
  if (!chain) return null;
  const tailAt = line.lastIndexOf(',"prevHash":"');
  if (tailAt <= chainAt) return null;
  LINE_TAIL.lastIndex = tailAt;
  const tail = LINE_TAIL.exec(line);
  if (!tail) return null;
  const [, chainIdText, entryHashHex, id] = chain;
  const [, prevHash, seqText] = tail;
  const cutFrom = chainAt + ',"chainId":'.length + chainIdText.length + 1;
  const cutTo = cutFrom + `"hash":"${entryHashHex}","id":"${id}",`.length;
  const afterTail = tailAt + `,"prevHash":"${prevHash}","seq":${seqText}`.length;
  const body = line.slice(0, cutFrom) + line.slice(cutTo, tailAt) + line.slice(afterTail);
  if (linkHash(prevHash, seqText, body) !== entryHashHex) return null;
  return { id, seq: Number(seqText), prevHash, hash: entryHashHex, contentOk: true };
}

/** The link of one exported entry line (already parsed as `entry`): fastLink when it applies, else linkOf. */
export function linkOfLine(line: string, entry: VerifiableEntry): ChainLink {
  return fastLink(line) ?? linkOf(entry);
}

const isSpace = (byte: number): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
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
  if (!isNullableString(v.incidentId) || !isNullableString(v.targetType) || !isNullableString(v.targetId))
    return 'has a mistyped incidentId, targetType or targetId';
  if (!isObject(v.payload)) return 'has no payload object';
  if (typeof v.prevHash !== 'string' || typeof v.hash !== 'string') return 'has no prevHash or hash';
  return null;
}
