import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { JWK } from 'jose';
import { parseBundle, parseBundleHeader, verifyBundle, type AuditBundle } from './audit-bundle';
import { linkRange, readRange, type ChunkLinks, type ChunkRange, type ChunkResult } from './bundle-chunk';
import { verifyLinks, type ChainLink, type ChainVerification } from './chain-verifier';
import { deviceAnchorOf, verifyDeviceChains, type DeviceAnchor, type DeviceChainsVerification } from './device-chains';

export interface BundleFileVerification {
  header: Omit<AuditBundle, 'entries'>;
  verification: ChainVerification;
  /** The offline stations' device chains checked against the audit chain's anchors (docs/offline.md). */
  devices: DeviceChainsVerification;
  /** Threads that recomputed hashes (1 when the file is not in the export's one-entry-per-line layout). */
  threads: number;
}

export type BundleFileResult = { ok: true; result: BundleFileVerification } | { ok: false; reason: string };

/** Beyond this a bundle cannot be one JavaScript string: only the line layout (what the export writes) is readable. */
const WHOLE_PARSE_LIMIT = 256 * 1024 * 1024;
const ENTRIES_MARKER = Buffer.from(',"entries":[');
const WORKER_SCRIPT = join(__dirname, 'bundle-chunk.worker.js');
/** Below this (about ten thousand entries) starting threads costs more than it saves. */
const PARALLEL_MIN_BYTES = 8 * 1024 * 1024;

/**
 * Verifies a bundle file offline. The export writes the header first and then one entry per line, so the entries
 * can be hashed in parallel, each worker thread reading its own byte range of the file (and bundles larger than a
 * JavaScript string can hold still verify). Any other valid JSON layout is parsed whole and verified on one thread.
 * `reason` (not ok) means the file cannot be read as a bundle at all.
 */
export async function verifyBundleFile(path: string, options: { threads?: number; trustedJwks: { keys: JWK[] } }): Promise<BundleFileResult> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    return { ok: false, reason: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  const lineLayout = await verifyLineLayout(path, size, options);
  if (lineLayout) return lineLayout;
  if (size > WHOLE_PARSE_LIMIT) return { ok: false, reason: `${path} is too large to read whole and is not in the export's one-entry-per-line layout` };
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return { ok: false, reason: `${path} is not JSON` };
  }
  const parsed = parseBundle(value);
  if (!parsed.ok) return { ok: false, reason: `${path}: ${parsed.reason}` };
  const { entries, ...header } = parsed.bundle;
  const anchors = entries.map(deviceAnchorOf).filter((a): a is DeviceAnchor => a !== null);
  return {
    ok: true,
    result: {
      header,
      verification: await verifyBundle(parsed.bundle, options.trustedJwks),
      devices: verifyDeviceChains(header.deviceChains, anchors),
      threads: 1,
    },
  };
}

/**
 * The export's layout: `{header...,"entries":[` then one entry per line, then `]}`. Null when the file is laid out
 * otherwise (or its entry lines do not parse), so the caller falls back to parsing it whole.
 */
async function verifyLineLayout(path: string, size: number, options: { threads?: number; trustedJwks: { keys: JWK[] } }): Promise<BundleFileResult | null> {
  const head = readRange({ path, start: 0, end: Math.min(size, 16 * 1024 * 1024) });
  const marker = head.indexOf(ENTRIES_MARKER);
  if (marker <= 0) return null;
  const tailStart = Math.max(0, size - 64);
  const tail = readRange({ path, start: tailStart, end: size });
  const close = tail.lastIndexOf(0x5d); // ']'
  if (close < 0 || !/^\]\s*\}\s*$/.test(tail.subarray(close).toString('utf8'))) return null;
  const header = parseBundleHeader(`${head.subarray(0, marker).toString('utf8')}}`);
  if (!header.ok) return null;
  const links = await linkEntries(path, marker + ENTRIES_MARKER.length, tailStart + close, options.threads ?? availableParallelism());
  if (!links.ok) return size > WHOLE_PARSE_LIMIT ? { ok: false, reason: `${path}: ${links.reason}` } : null;
  const verification = await verifyLinks({
    chainId: header.header.chainId,
    links: links.links,
    checkpoints: header.header.checkpoints,
    jwks: options.trustedJwks,
    head: header.header.head,
  });
  const devices = verifyDeviceChains(header.header.deviceChains, links.anchors);
  return { ok: true, result: { header: header.header, verification, devices, threads: links.threads } };
}

/** Splits [start, end) at line breaks into one range per thread and recomputes every entry's hash. */
async function linkEntries(
  path: string,
  start: number,
  end: number,
  threads: number,
): Promise<{ ok: true; links: ChainLink[]; anchors: DeviceAnchor[]; threads: number } | { ok: false; reason: string }> {
  // Worker threads need the compiled worker script; from TypeScript sources (tests) everything runs on this thread.
  const parallel = existsSync(WORKER_SCRIPT) && end - start >= PARALLEL_MIN_BYTES ? Math.max(1, Math.min(threads, 16)) : 1;
  const ranges: ChunkRange[] = [];
  let from = start;
  for (let i = 1; i <= parallel && from < end; i++) {
    let to = i === parallel ? end : Math.max(from, start + Math.floor(((end - start) * i) / parallel));
    if (to < end) {
      const probe = readRange({ path, start: to, end: Math.min(end, to + 1024 * 1024) });
      const newline = probe.indexOf(0x0a);
      to = newline < 0 ? end : to + newline + 1;
    }
    ranges.push({ path, start: from, end: to });
    from = to;
  }
  const results: ChunkResult[] = parallel === 1 ? ranges.map((r) => linkRange(r)) : await Promise.all(ranges.map((r) => inWorker(r)));
  const links: ChainLink[] = [];
  const anchors: DeviceAnchor[] = [];
  for (const r of results) {
    if (!r.ok) return r;
    appendLinks(links, r.links);
    anchors.push(...r.links.anchors);
  }
  return { ok: true, links, anchors, threads: ranges.length };
}

function inWorker(range: ChunkRange): Promise<ChunkResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SCRIPT, { workerData: range });
    worker.once('message', (result: ChunkResult) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`bundle worker exited with code ${code}`));
    });
  });
}

function appendLinks(into: ChainLink[], c: ChunkLinks): void {
  for (let i = 0; i < c.seqs.length; i++) {
    into.push({ id: c.ids[i], seq: c.seqs[i], prevHash: c.prevHashes[i], hash: c.hashes[i], contentOk: c.contentOk[i] });
  }
}
