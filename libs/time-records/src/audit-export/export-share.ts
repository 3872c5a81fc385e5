import { open } from 'node:fs/promises';
import { ACTOR_ACTIONS, AuditRecomputation, REPLAYED_ACTIONS, type ResponderShare, type ShareResults } from '../domain/audit-recompute';
import { entryOfLine, forEachLine, isClosing, peekLine, trimmedLine } from './export-lines';

/** One share of an export's recomputation: the file, where its entry lines start, and what to recompute. */
export interface ShareJob {
  file: string;
  /** The byte after the header line (`{...,"entries":[`). */
  start: number;
  share: ResponderShare;
  /** Also the agencies not certified, as of this time (ISO); null for the certified packages only. */
  provisionalAsOf: string | null;
}

export type ShareOutcome = { ok: true; results: ShareResults } | { ok: false; reason: string };

/**
 * Replays an export's entry lines (one entry per line, then `]}`) into a recomputation of one share of the responders
 * and recomputes its part of every package. Entries about another share's responders are passed over unread.
 * Runs on a worker thread (export-share.worker.ts) or on the calling one; imports no framework code.
 */
export async function recomputeShare(job: ShareJob): Promise<ShareOutcome> {
  const recomputation = new AuditRecomputation(job.share);
  const reading = { replayed: REPLAYED_ACTIONS, withActor: ACTOR_ACTIONS, share: job.share };
  // With one share every entry is read whole: passing over the few about unknown deployments would not pay the peek.
  const shared = job.share.count > 1;
  let closed = false;
  let problem: string | null = null;
  try {
    const lines = await open(job.file, 'r');
    try {
      await forEachLine(lines, job.start, (block, from, to) => {
        const text = trimmedLine(block, from, to);
        if (text.length === 0) return true;
        if (closed) problem = `${job.file}: text after the end of the entries`;
        else if (isClosing(text)) closed = true;
        else {
          const subject = shared ? peekLine(text) : null;
          if (subject && !recomputation.replays(subject)) {
            recomputation.skip(subject.seq);
            return true;
          }
          const entry = entryOfLine(text, reading, subject ?? undefined);
          if (entry) recomputation.add(entry);
          else problem = `${job.file}: an entry line is not an audit entry`;
        }
        return problem === null;
      });
    } finally {
      await lines.close();
    }
    if (problem !== null) return { ok: false, reason: problem };
    if (!closed) return { ok: false, reason: `${job.file}: the entries are not closed (a truncated export?)` };
    const provisional = job.provisionalAsOf === null ? [] : recomputation.provisional(new Date(job.provisionalAsOf));
    return { ok: true, results: { certified: recomputation.results(), provisional } };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}
