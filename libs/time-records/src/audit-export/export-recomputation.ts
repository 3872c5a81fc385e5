import { existsSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { parseBundle, parseBundleHeader } from '@app/audit/bundle';
import { AuditRecomputation, joinShares, type Provisional, type Recomputed, type ShareResults } from '../domain/audit-recompute';
import { auditedEntry } from './export-lines';
import { recomputeShare, type ShareJob, type ShareOutcome } from './export-share';

export interface ExportRecomputationOptions {
  /**
   * Threads, each replaying the whole export for its share of the responders (1: this thread only). Default: up to
   * DEFAULT_THREADS, as the machine has cores, for an export of PARALLEL_MIN_BYTES or more, else 1.
   */
  threads?: number;
  /** Also the agencies not certified yet, as of the export's time. */
  provisional?: boolean;
}

export type ExportRecomputation =
  | { ok: true; incidentId: string | null; exportedAt: string; certified: Recomputed[]; provisional: Provisional[]; threads: number }
  | { ok: false; reason: string };

/** Beyond this a file is read only in the export's line layout (header line, then one entry per line). */
const WHOLE_PARSE_LIMIT = 256 * 1024 * 1024;
const ENTRIES_MARKER = Buffer.from(',"entries":[');
const WORKER_SCRIPT = join(__dirname, 'export-share.worker.js');
/** Below this (some 60,000 entries) starting threads, each loading the rules, costs more than it saves. */
const PARALLEL_MIN_BYTES = 64 * 1024 * 1024;
/** Each thread reads the whole file and holds its own heap: past a few, memory grows faster than time falls. */
export const MAX_THREADS = 4;
/** Two threads keep the peak under 1 GiB at 1.5 M person-days (four pass it: docs/benchmarks.md). */
const DEFAULT_THREADS = 2;

/**
 * An auditor's offline recomputation of an incident's packages from its audit export alone, without holding the
 * entries. In the export's layout (the header, then `"entries":[` and one entry per line) the responders are split
 * into shares, each replayed on its own thread from the same file, and the shares' totals added up (ResponderShare);
 * any other JSON layout is parsed whole on this thread, up to WHOLE_PARSE_LIMIT.
 */
export async function recomputeAuditExport(file: string, options: ExportRecomputationOptions = {}): Promise<ExportRecomputation> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    return { ok: false, reason: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  const handle = await open(file, 'r');
  const head = Buffer.alloc(Math.min(size, 16 * 1024 * 1024));
  try {
    await handle.read(head, 0, head.length, 0);
  } finally {
    await handle.close();
  }
  const marker = head.indexOf(ENTRIES_MARKER);
  const firstBreak = head.indexOf(0x0a);
  if (marker > 0 && firstBreak === marker + ENTRIES_MARKER.length) {
    const header = parseBundleHeader(`${head.subarray(0, marker).toString('utf8')}}`);
    if (!header.ok) return header;
    const { incidentId, exportedAt } = header.header;
    const threads = Math.max(1, Math.min(MAX_THREADS, options.threads ?? (size >= PARALLEL_MIN_BYTES ? Math.min(availableParallelism(), DEFAULT_THREADS) : 1)));
    const jobs: ShareJob[] = Array.from({ length: threads }, (_, index) => ({
      file,
      start: firstBreak + 1,
      share: { index, count: threads },
      provisionalAsOf: options.provisional ? exportedAt : null,
    }));
    // Worker threads need the compiled script; from TypeScript sources (tests) the shares run one after another here.
    const outcomes: ShareOutcome[] = [];
    if (threads > 1 && existsSync(WORKER_SCRIPT)) outcomes.push(...(await Promise.all(jobs.map(inWorker))));
    else for (const job of jobs) outcomes.push(await recomputeShare(job));
    const parts: ShareResults[] = [];
    for (const outcome of outcomes) {
      if (!outcome.ok) return outcome;
      parts.push(outcome.results);
    }
    return { ok: true, incidentId, exportedAt, ...joinShares(parts), threads };
  }
  if (size > WHOLE_PARSE_LIMIT) return { ok: false, reason: `${file} is too large to read whole and is not in the export's one-entry-per-line layout` };
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return { ok: false, reason: `${file} is not JSON` };
  }
  const parsed = parseBundle(value);
  if (!parsed.ok) return parsed;
  const recomputation = new AuditRecomputation();
  try {
    for (const e of [...parsed.bundle.entries].sort((a, b) => a.seq - b.seq)) {
      const entry = auditedEntry(e);
      if (!entry) return { ok: false, reason: `${file}: entry ${e.seq} is not an audit entry` };
      recomputation.add(entry);
    }
    const { incidentId, exportedAt } = parsed.bundle;
    const provisional = options.provisional ? recomputation.provisional(new Date(exportedAt)) : [];
    return { ok: true, incidentId, exportedAt, certified: recomputation.results(), provisional, threads: 1 };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

function inWorker(job: ShareJob): Promise<ShareOutcome> {
  return new Promise((resolve) => {
    const worker = new Worker(WORKER_SCRIPT, { workerData: job });
    worker.once('message', (outcome: ShareOutcome) => resolve(outcome));
    worker.once('error', (err) => resolve({ ok: false, reason: `share ${job.share.index + 1} of ${job.share.count}: ${err.message}` }));
    worker.once('exit', (code) => {
      if (code !== 0) resolve({ ok: false, reason: `share ${job.share.index + 1} of ${job.share.count} stopped (exit code ${code})` });
    });
  });
}
