import { VERIFICATION_LIMITS } from '../../limits';
import { statusIndex } from '../../model/data-model';
import { toIso } from '../../model/instants';
import { StatusListError, StatusListService, type DecodedStatusList } from '../../status/status-list-service';
import { isRecord, oneOrMany, type JsonRecord } from '../../util/json';
import type { ReasonCode, StatusEvidence, VerificationCheck } from '../../verification-result';
import { truncate, type RunContext } from './context';

export interface StatusOutcome {
  check: VerificationCheck;
  evidence: StatusEvidence[];
}

/** What one credentialStatus entry says. */
export interface EntryOutcome {
  status: 'pass' | 'fail' | 'indeterminate';
  code?: ReasonCode;
  message: string;
  evidence?: StatusEvidence;
  /** Why a set bit was read from a copy that is not fresh (appended to the verdict). */
  staleNote?: string;
}

/** Has the issuer revoked or suspended the credential? Each Bitstring / StatusList2021 entry, from its (cached) list. */
export class StatusCheck {
  constructor(
    private readonly statusLists: StatusListService,
    private readonly skewMs: number,
  ) {}

  async check(credential: JsonRecord, issuerId: string, ctx: RunContext): Promise<StatusOutcome> {
    const entries = oneOrMany(credential.credentialStatus);
    return this.early(entries) ?? statusVerdict(await Promise.all(entries.filter(isRecord).map((entry) => this.entry(entry, issuerId, ctx))));
  }

  /** check() answered without a promise when every list the entries name is in memory; undefined when one must be fetched. */
  checkCached(credential: JsonRecord, issuerId: string, ctx: RunContext): StatusOutcome | undefined {
    const entries = oneOrMany(credential.credentialStatus);
    const early = this.early(entries);
    if (early) return early;
    const outcomes: EntryOutcome[] = [];
    for (const entry of entries) {
      if (!isRecord(entry)) continue;
      const outcome = this.entryCached(entry, issuerId, ctx);
      if (!outcome) return undefined;
      outcomes.push(outcome);
    }
    return statusVerdict(outcomes);
  }

  /** Too many entries, or none to read: decided before any list is looked at. */
  private early(named: readonly unknown[]): StatusOutcome | undefined {
    const max = VERIFICATION_LIMITS.statusEntriesPerCredential;
    if (named.length > max) {
      return {
        check: {
          id: 'status',
          status: 'fail',
          code: 'data_model_invalid',
          message: `The credential has ${named.length} status entries; at most ${max} are read.`,
        },
        evidence: [],
      };
    }
    if (!named.some(isRecord))
      return { check: { id: 'status', status: 'pass', code: 'ok', message: 'The issuer publishes no revocation status for this credential.' }, evidence: [] };
    return undefined;
  }

  /** One Bitstring Status List (or StatusList2021) entry. */
  async entry(entry: JsonRecord, issuerId: string, ctx: RunContext): Promise<EntryOutcome> {
    const named = readEntry(entry, ctx);
    if (!('base' in named)) return named;
    const { base, size } = named;
    let list: DecodedStatusList;
    try {
      // Judged now: a list that expired during the verification is fetched.
      list = this.statusLists.cached(base.listUrl) ?? (await this.statusLists.get(base.listUrl, ctx.budget));
    } catch (err) {
      return staleStatus(err, issuerId, base, size, ctx.now) ?? statusListFailure(err, base);
    }
    return this.read(list, issuerId, base, size, ctx.now);
  }

  /** entry() answered without a promise when its list is in memory (or the entry fails unread); undefined otherwise. */
  private entryCached(entry: JsonRecord, issuerId: string, ctx: RunContext): EntryOutcome | undefined {
    const named = readEntry(entry, ctx);
    if (!('base' in named)) return named;
    const list = this.statusLists.cached(named.base.listUrl);
    return list && this.read(list, issuerId, named.base, named.size, ctx.now);
  }

  /** A list that could not be had fresh: its last known copy's set bits, or the failure. */
  unreadList(err: unknown, issuerId: string, base: StatusEvidence, now: Date): EntryOutcome {
    return staleStatus(err, issuerId, base, 1, now) ?? statusListFailure(err, base);
  }

  /** The entry's value in a fresh list, after checking that the list may speak for this credential. */
  private read(list: DecodedStatusList, issuerId: string, base: StatusEvidence, size: number, now: Date): EntryOutcome {
    const fetchedAt = fetchedAtIso(list);
    if (list.issuer !== issuerId) return listRefused(base, fetchedAt, 'The status list is published by a different issuer.');
    if (!list.purposes.includes(base.purpose)) return listRefused(base, fetchedAt, `The status list is not a ${base.purpose || 'declared'} list.`);
    if (list.validUntil !== undefined && list.validUntil + this.skewMs <= now.getTime()) {
      return listRefused(base, fetchedAt, 'The status list credential has expired.');
    }
    let value: number;
    try {
      value = StatusListService.read(list, base.index, size);
    } catch (err) {
      return statusListFailure(err, base);
    }
    return { status: 'pass', message: 'ok', evidence: { listUrl: base.listUrl, purpose: base.purpose, index: base.index, fetchedAt, value } };
  }
}

/** A fresh list that may not speak for this credential. */
function listRefused(base: StatusEvidence, fetchedAt: string, message: string): EntryOutcome {
  return { status: 'indeterminate', code: 'status_list_invalid', message, evidence: { ...base, fetchedAt } };
}

/** What an entry names, or why it cannot be read; counts its list against the request's budget. */
function readEntry(entry: JsonRecord, ctx: RunContext): { base: StatusEvidence; size: number } | EntryOutcome {
  if (entry.type !== 'BitstringStatusListEntry' && entry.type !== 'StatusList2021Entry') {
    return {
      status: 'indeterminate',
      code: 'status_unavailable',
      message: `The status mechanism ${truncate(String(entry.type))} is not supported, so revocation cannot be checked.`,
    };
  }
  const url = entry.statusListCredential;
  const purpose = typeof entry.statusPurpose === 'string' ? entry.statusPurpose : '';
  const index = statusIndex(entry.statusListIndex);
  const size = typeof entry.statusSize === 'number' ? entry.statusSize : 1;
  if (typeof url !== 'string' || index === undefined || !Number.isInteger(size) || size < 1 || size > 8) {
    return { status: 'fail', code: 'data_model_invalid', message: 'A status entry is incomplete (list URL, index or size).' };
  }
  const base: StatusEvidence = { listUrl: url, purpose, index };
  if (ctx.budget && !ctx.budget.admitList(url)) {
    return {
      status: 'fail',
      code: 'data_model_invalid',
      message: `More than ${ctx.budget.maxLists} status lists are named in one verification; no more are read.`,
      evidence: base,
    };
  }
  return { base, size };
}

const fetchedAtTexts = new WeakMap<DecodedStatusList, string>();

/**
 * The list's fetch time as ISO text, formatted once per cached list: it is on every verification's evidence, and
 * formatting it each time costs 6 to 7% of a cached verification (bench:verify, docs/benchmarks.md).
 */
export function fetchedAtIso(list: DecodedStatusList): string {
  let text = fetchedAtTexts.get(list);
  if (text === undefined) {
    text = toIso(list.fetchedAt);
    fetchedAtTexts.set(list, text);
  }
  return text;
}

/** The status check from its entries' outcomes: revoked, then suspended, then any failure, then anything unknown. */
export function statusVerdict(outcomes: EntryOutcome[]): StatusOutcome {
  const evidence: StatusEvidence[] = [];
  let revoked: EntryOutcome | undefined;
  let suspended: EntryOutcome | undefined;
  let failed: EntryOutcome | undefined;
  let unknown: EntryOutcome | undefined;
  for (const o of outcomes) {
    if (o.evidence) {
      evidence.push(o.evidence);
      const set = (o.evidence.value ?? 0) !== 0;
      if (set && o.evidence.purpose === 'revocation') revoked ??= o;
      if (set && o.evidence.purpose === 'suspension') suspended ??= o;
    }
    // A Token Status List says revoked or suspended by its value, not by a list purpose.
    if (o.code === 'revoked') revoked ??= o;
    if (o.code === 'suspended') suspended ??= o;
    if (o.status === 'fail') failed ??= o;
    if (o.status === 'indeterminate') unknown ??= o;
  }
  if (revoked)
    return { check: { id: 'status', status: 'fail', code: 'revoked', message: `The issuer has revoked this credential${revoked.staleNote ?? ''}.` }, evidence };
  if (suspended)
    return {
      check: { id: 'status', status: 'fail', code: 'suspended', message: `The issuer has suspended this credential${suspended.staleNote ?? ''}.` },
      evidence,
    };
  if (failed) return { check: { id: 'status', status: 'fail', code: failed.code ?? 'status_list_invalid', message: failed.message }, evidence };
  if (unknown) return { check: { id: 'status', status: 'indeterminate', code: unknown.code ?? 'status_unavailable', message: unknown.message }, evidence };
  return { check: { id: 'status', status: 'pass', code: 'ok', message: 'Neither revoked nor suspended.' }, evidence };
}

/** A list that cannot be read: an index outside it or a request over its limits fails, anything else is unknown. */
function statusListFailure(err: unknown, base: StatusEvidence): EntryOutcome {
  if (err instanceof StatusListError) return { status: err.opts.fails ? 'fail' : 'indeterminate', code: err.code, message: err.message, evidence: base };
  return { status: 'indeterminate', code: 'status_unavailable', message: 'The status list could not be read.', evidence: base };
}

/**
 * A list that cannot be had fresh: when the last copy known here, from this issuer, has the entry's revocation or
 * suspension bit set, that bit decides (fail closed), and the verdict says how old the copy is. A clear bit in an
 * old copy proves nothing: then the entry stays unknown.
 */
function staleStatus(err: unknown, issuerId: string, base: StatusEvidence, size: number, now: Date): EntryOutcome | undefined {
  const stale = err instanceof StatusListError ? err.stale : undefined;
  if (!stale || stale.issuer !== issuerId || !stale.purposes.includes(base.purpose)) return undefined;
  if (!stale.tokenBits && base.purpose !== 'revocation' && base.purpose !== 'suspension') return undefined;
  let value: number;
  try {
    value = StatusListService.read(stale, base.index, size);
  } catch {
    return undefined;
  }
  // A Token Status List: 1 revoked, 2 suspended (other values prove nothing); a Bitstring list: its purpose.
  const code = stale.tokenBits
    ? value === 1
      ? 'revoked'
      : value === 2
        ? 'suspended'
        : undefined
    : value === 0
      ? undefined
      : base.purpose === 'revocation'
        ? 'revoked'
        : 'suspended';
  if (!code) return undefined;
  const fetchedAt = fetchedAtIso(stale);
  return {
    status: 'fail',
    code,
    message: 'ok',
    evidence: { listUrl: base.listUrl, purpose: base.purpose, index: base.index, value, fetchedAt },
    staleNote: `, as its status list read ${describeAge(now.getTime() - stale.fetchedAt)} ago (${fetchedAt}) shows; a current copy cannot be had: ${(err as StatusListError).message}`,
  };
}

/** "3 minutes", "1 hour", "2 days": how old a copy is, for people. */
function describeAge(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const [value, unit] =
    seconds < 120
      ? [seconds, 'second']
      : seconds < 7200
        ? [Math.round(seconds / 60), 'minute']
        : seconds < 172800
          ? [Math.round(seconds / 3600), 'hour']
          : [Math.round(seconds / 86400), 'day'];
  return `${value} ${unit}${value === 1 ? '' : 's'}`;
}
