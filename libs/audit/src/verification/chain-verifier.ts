import type { JWK } from 'jose';
import { entryHash } from '../audit-hash';
import { GENESIS_HASH, type AuditEntryRecord } from '../audit.types';
import { CheckpointSignatureChecker, type CheckpointRecord } from './checkpoint-statement';

/**
 * The detection logic of the audit trail, shared by GET /audit/verify (entries read from PostgreSQL) and the
 * offline `audit-verify` CLI (entries read from an export bundle). No I/O: entries, checkpoints and public keys are
 * passed in.
 *
 * Verification has two steps, so the server can stream a long chain page by page:
 * 1. `linkOf(entry)`: recompute the entry's hash from its content and the previous hash it stores (the expensive
 *    part; each entry on its own).
 * 2. `findChainBreak(links)` then the checkpoints: walk the compact links in order and name the first entry that
 *    does not fit, and what is wrong with it.
 */

export type TamperKind = 'modified' | 'deleted' | 'inserted' | 'reordered' | 'checkpoint_mismatch';

export interface ChainProblem {
  kind: TamperKind;
  /** The sequence number where the chain first goes wrong. */
  seq: number;
  /** The audit_entry id of the offending entry, when there is one (a deleted entry has none). */
  entryId: string | null;
  /** What is wrong, in plain words. */
  message: string;
  /** For checkpoint mismatches: the tampering happened after this seq (the previous good checkpoint, or 0). */
  afterSeq?: number;
}

/** One entry reduced to what the walk needs. */
export interface ChainLink {
  id: string | null;
  seq: number;
  prevHash: string;
  hash: string;
  /** The stored hash equals the hash recomputed from the stored content and stored previous hash. */
  contentOk: boolean;
}

export type VerifiableEntry = Omit<AuditEntryRecord, 'id'> & { id?: string | null };

export function linkOf(entry: VerifiableEntry): ChainLink {
  let recomputed: string | undefined;
  try {
    recomputed = entryHash(entry.prevHash, entry);
  } catch {
    recomputed = undefined; // content that cannot be serialized cannot have produced the stored hash
  }
  return { id: entry.id ?? null, seq: entry.seq, prevHash: entry.prevHash, hash: entry.hash, contentOk: recomputed === entry.hash };
}

export interface ChainRange {
  /** First seq expected (1 for a whole chain). */
  fromSeq: number;
  /** Hash of entry fromSeq - 1 (GENESIS_HASH for fromSeq 1); undefined accepts whatever the first entry stores. */
  anchorHash?: string;
  /**
   * The chain head as recorded next to the chain (audit_chain, or the bundle's `head`). Checked only when the range
   * runs to the end of the chain.
   */
  head?: { seq: number; hash: string } | null;
}

/** The first entry (in the order given) that does not fit the chain, or null. */
export function findChainBreak(links: readonly ChainLink[], range: ChainRange): ChainProblem | null {
  let expectedSeq = range.fromSeq;
  let expectedPrev = range.anchorHash ?? (range.fromSeq === 1 ? GENESIS_HASH : undefined);
  let positionsByHash: Map<string, number> | undefined;
  const positionOf = (hash: string): number | undefined => {
    positionsByHash ??= new Map(links.map((l, i) => [l.hash, i]));
    return positionsByHash.get(hash);
  };

  for (let i = 0; i < links.length; i++) {
    const e = links[i];
    const previous = i > 0 ? links[i - 1] : undefined;

    if (e.seq !== expectedSeq) {
      if (previous && e.seq === previous.seq) {
        // Two entries claim one seq: the intruder is the one the following entry does not link to.
        const next = links[i + 1];
        const intruder = next && next.prevHash === e.hash && next.prevHash !== previous.hash ? previous : e;
        return problem('inserted', intruder, `two entries claim seq ${e.seq}; entry id ${intruder.id ?? '?'} is not part of the chain`);
      }
      if (e.seq < expectedSeq) {
        return problem('reordered', e, `entry ${e.seq} comes after entry ${previous?.seq ?? '?'}: the entries are out of order`);
      }
      const missingLaterInList = links.slice(i + 1).some((l) => l.seq >= expectedSeq && l.seq < e.seq);
      if (missingLaterInList) {
        return problem('reordered', e, `entry ${e.seq} comes where entry ${expectedSeq} belongs: the entries are out of order`);
      }
      const gap = e.seq - expectedSeq === 1 ? `entry ${expectedSeq} is missing` : `entries ${expectedSeq} to ${e.seq - 1} are missing`;
      return { kind: 'deleted', seq: expectedSeq, entryId: null, message: `${gap} (the chain goes from ${expectedSeq - 1} to ${e.seq})` };
    }

    const linked = expectedPrev === undefined || e.prevHash === expectedPrev;
    if (!linked || !e.contentOk) {
      const next = links[i + 1];
      const prevAt = linked ? undefined : positionOf(e.prevHash);
      if (prevAt !== undefined && prevAt > i) {
        return problem('reordered', e, `entry ${e.seq} was written after entry ${links[prevAt].seq} but now comes before it`);
      }
      if (next && expectedPrev !== undefined && next.prevHash === expectedPrev) {
        return problem('inserted', e, `entry ${e.seq} is not part of the chain: entry ${next.seq} links straight to entry ${e.seq - 1}`);
      }
      if (linked) {
        return problem('modified', e, `entry ${e.seq} was changed after it was written: its content no longer matches its hash`);
      }
      if (prevAt !== undefined && prevAt < i - 1) {
        const intruder = links[prevAt + 1];
        return problem('inserted', intruder, `entry ${intruder.seq} is not part of the chain: entry ${e.seq} links to entry ${links[prevAt].seq}`);
      }
      if (previous && e.contentOk) {
        return problem('modified', previous, `entry ${previous.seq} was rewritten: entry ${e.seq} links to a hash entry ${previous.seq} no longer has`);
      }
      if (!previous) {
        return problem('modified', e, `entry ${e.seq} does not link to the entry before the range`);
      }
      return {
        kind: 'deleted',
        seq: e.seq,
        entryId: e.id,
        message: `an entry before ${e.seq} was removed and the rest renumbered: entry ${e.seq} links to a hash no entry has`,
      };
    }
    expectedSeq = e.seq + 1;
    expectedPrev = e.hash;
  }

  const head = range.head;
  if (head) {
    const last = links.length > 0 ? links[links.length - 1] : undefined;
    const lastSeq = last?.seq ?? range.fromSeq - 1;
    if (lastSeq < head.seq) {
      const gap = head.seq - lastSeq === 1 ? `entry ${head.seq} is missing` : `entries ${lastSeq + 1} to ${head.seq} are missing`;
      return { kind: 'deleted', seq: lastSeq + 1, entryId: null, message: `${gap}: the chain head records ${head.seq} entries` };
    }
    if (last && lastSeq > head.seq) {
      const extra = links.find((l) => l.seq === head.seq + 1) ?? last;
      return problem('inserted', extra, `entry ${extra.seq} is beyond the chain head (${head.seq} entries)`);
    }
    if (last && last.hash !== head.hash) {
      return problem('modified', last, `entry ${last.seq}'s hash differs from the chain head's`);
    }
  }
  return null;
}

function problem(kind: TamperKind, link: ChainLink, message: string): ChainProblem {
  return { kind, seq: link.seq, entryId: link.id, message };
}

export interface CheckpointFindings {
  verified: number;
  latest: { seq: number; createdAt: string } | null;
  problem: ChainProblem | null;
}

/**
 * Every checkpoint in the range must carry a valid signature by a key in `jwks`, sign exactly what its row says,
 * link to the previous checkpoint, and match the hash of the entry it names. A signed head that differs from the
 * entry's hash means entries up to it were rewritten (hashes recomputed) after the checkpoint: located between the
 * previous good checkpoint and this one.
 */
export async function checkCheckpoints(
  chainId: string,
  checkpoints: readonly CheckpointRecord[],
  links: readonly ChainLink[],
  jwks: { keys: JWK[] },
  range: { fromSeq: number; toSeq: number },
): Promise<CheckpointFindings> {
  const checker = new CheckpointSignatureChecker(jwks);
  const inRange = checkpoints.filter((c) => c.seq >= range.fromSeq && c.seq <= range.toSeq).sort((a, b) => a.seq - b.seq);
  // Links are normally in seq order with no gaps: look there first, search only if the chain is broken.
  const first = links.length > 0 ? links[0].seq : 0;
  const linkBySeq = {
    get: (seq: number): ChainLink | undefined => {
      const guess = links[seq - first];
      return guess?.seq === seq ? guess : links.find((l) => l.seq === seq);
    },
  };
  let verified = 0;
  let latest: CheckpointFindings['latest'] = null;
  let previousGood: CheckpointRecord | undefined;
  const wholeChain = range.fromSeq === 1;

  for (const [index, cp] of inRange.entries()) {
    const fail = (message: string): CheckpointFindings => ({
      verified,
      latest,
      problem: { kind: 'checkpoint_mismatch', seq: cp.seq, entryId: linkBySeq.get(cp.seq)?.id ?? null, message, afterSeq: previousGood?.seq ?? 0 },
    });
    if (cp.chainId !== chainId) return fail(`checkpoint at seq ${cp.seq} belongs to chain ${cp.chainId}`);
    const check = await checker.check(cp);
    if (!check.ok) return fail(`checkpoint at seq ${cp.seq}: ${check.reason}`);
    const expectedPrevious = index > 0 ? inRange[index - 1] : undefined;
    const signedPrevious = check.statement.previous;
    if (expectedPrevious) {
      if (!signedPrevious || signedPrevious.seq !== expectedPrevious.seq || signedPrevious.headHash !== expectedPrevious.headHash) {
        return fail(
          `checkpoint at seq ${cp.seq} follows a checkpoint at seq ${signedPrevious?.seq ?? 'none'}, which is not the one before it (seq ${expectedPrevious.seq}): a checkpoint was removed or replaced`,
        );
      }
    } else if (wholeChain && signedPrevious) {
      return fail(`checkpoint at seq ${cp.seq} follows a checkpoint at seq ${signedPrevious.seq} that is missing: a checkpoint was removed`);
    }
    const entry = linkBySeq.get(cp.seq);
    if (!entry) {
      return {
        verified,
        latest,
        problem: {
          kind: 'deleted',
          seq: cp.seq,
          entryId: null,
          message: `entry ${cp.seq} is missing, but a signed checkpoint records it`,
          afterSeq: previousGood?.seq ?? 0,
        },
      };
    }
    if (entry.hash !== cp.headHash) {
      return fail(
        `entry ${cp.seq}'s hash differs from the signed checkpoint: entries after ${previousGood?.seq ?? 0} and up to ${cp.seq} were rewritten after it was signed`,
      );
    }
    verified++;
    latest = { seq: cp.seq, createdAt: cp.createdAt };
    previousGood = cp;
  }
  return { verified, latest, problem: null };
}

export interface ChainVerificationInput {
  chainId: string;
  /** In chain order (as stored: by seq). */
  links: readonly ChainLink[];
  checkpoints: readonly CheckpointRecord[];
  jwks: { keys: JWK[] };
  range?: { fromSeq?: number; toSeq?: number; anchorHash?: string };
  head?: { seq: number; hash: string } | null;
}

export type ChainVerification = {
  chainId: string;
  fromSeq: number;
  toSeq: number;
  /** Entries examined. */
  entries: number;
  checkpoints: { verified: number; latest: { seq: number; createdAt: string } | null };
} & ({ ok: true; head: { seq: number; hash: string } | null; problem?: undefined } | { ok: false; problem: ChainProblem });

/** Walks the links, then the checkpoints; reports the problem with the lowest seq (the chain's, on a tie). */
export async function verifyLinks(input: ChainVerificationInput): Promise<ChainVerification> {
  const fromSeq = input.range?.fromSeq ?? 1;
  const last = input.links.length > 0 ? input.links[input.links.length - 1] : undefined;
  const toSeq = input.range?.toSeq ?? Math.max(last?.seq ?? 0, input.head?.seq ?? 0);
  const reachesHead = input.head ? toSeq >= input.head.seq : false;
  const chainProblem = findChainBreak(input.links, {
    fromSeq,
    anchorHash: input.range?.anchorHash,
    head: reachesHead ? input.head : undefined,
  });
  const cps = await checkCheckpoints(input.chainId, input.checkpoints, input.links, input.jwks, { fromSeq, toSeq });
  const base = { chainId: input.chainId, fromSeq, toSeq, entries: input.links.length, checkpoints: { verified: cps.verified, latest: cps.latest } };
  const first = [chainProblem, cps.problem].filter((p): p is ChainProblem => p !== null).sort((a, b) => a.seq - b.seq)[0];
  if (first) return { ...base, ok: false, problem: first };
  return { ...base, ok: true, head: last ? { seq: last.seq, hash: last.hash } : null };
}

/** Whole entries in, verdict out: what the offline CLI runs on a bundle. */
export function verifyEntries(input: Omit<ChainVerificationInput, 'links'> & { entries: readonly VerifiableEntry[] }): Promise<ChainVerification> {
  const links = input.entries.map(linkOf);
  return verifyLinks({ ...input, links });
}
