import type { FileHandle } from 'node:fs/promises';
import { CHECK_IN_ACTIONS, FACT_ACTIONS, shareOfBytes, type AuditedEntry, type CertifiedDeployment, type ResponderShare } from '../domain/audit-recompute';
import type { IdBytes } from '../domain/id-index';

/**
 * Reading an audit export's entry lines for the offline recomputation, which needs only a few members of each entry:
 * `seq`, `occurredAt`, `action`, `targetId`, the payload, and the actor for the actions that name their author.
 *
 * The export writes every entry on one line in canonical form (RFC 8785: members sorted), so the top level is
 * `action, actor, chainId, hash, id, incidentId, occurredAt, payload, prevHash, seq, targetId, targetType`. A line
 * in that form and without a backslash (so no string in it holds an escape) is read by position: its head walked member
 * by member (a flat actor object, then strings, each closed by the next quote: a `Buffer.indexOf` of one byte is several
 * times faster than a loop over the bytes), its tail walked backwards from the end (`targetType`, `targetId`, `seq`,
 * `prevHash`), and of the payload between them only the part the recomputation reads; the rest (the hashes, the chain
 * id, the actor when not needed, a check-in's verification evidence) is not parsed. The target id is handed on as
 * bytes (an entry about another share's deployment is passed over without making a string of its id), the time in
 * milliseconds when it is in the usual ISO form. Any other line (a nested actor, an escape anywhere, another member
 * order) is parsed whole, and a payload part cut inside a nested value does not parse and is read whole, so any
 * valid JSON line gives the same entry. That the entries are genuine is audit-verify's part, not this reader's.
 */

const OPENING = Buffer.from('{"action":"');
const ACTOR = Buffer.from(',"actor":{');
/** The plain-string members between the actor and the payload, in canonical order (incidentId may be null). */
const HEAD_MEMBERS = [',"chainId":', ',"hash":', ',"id":', ',"incidentId":'].map((m) => Buffer.from(m));
const OCCURRED_AT = Buffer.from(',"occurredAt":');
const PAYLOAD = Buffer.from(',"payload":');
const PREV_HASH = Buffer.from(',"prevHash":"');
const SEQ = Buffer.from(',"seq":');
const TARGET_ID = Buffer.from(',"targetId":');
const TARGET_TYPE = Buffer.from(',"targetType":');
const NULL = Buffer.from('null');
const VERIFICATION = Buffer.from(',"verification":');
const TO = Buffer.from(',"to":');
const CHECKED_IN_AT = Buffer.from('{"checkedInAt":');
const CHECKED_OUT_AT = Buffer.from('"checkedOutAt":');
const RESPONDER_ID = Buffer.from('"responderId":"');
const DEPLOYMENTS = Buffer.from('"deployments":[');
const FACT_DEPLOYMENT_ID = Buffer.from('{"deploymentId":"');
const FACT_POSITION = Buffer.from(',"position":');
const FACT_RESPONDER_ID = Buffer.from(',"responderId":"');
const CLOSING_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSING_BRACE = 0x7d;
const OPENING_BRACE = 0x7b;
const COMMA = 0x2c;
const ACTION_TEXT = /^[a-z0-9_.]+$/;

/** A status change: only its last member, `to` (the new status and reason), is read. */
const STATUS_CHANGED = 'deployment.status_changed';
/** A check-out: only `checkedOutAt`, its first member or the one after `checkedInAt`, is read. */
const CHECKED_OUT = 'deployment.checked_out';

/**
 * Values kept by the bytes they were read from, found again by a hash of the bytes and a comparison, without making a
 * string of them: an export has a dozen different actions in millions of lines, and few different status changes (a
 * status, its reason, an assignment). Up to `limit` values; past it, nothing more is kept.
 */
class BytesMemo<T> {
  private readonly byHash = new Map<number, Array<{ bytes: Buffer; value: T }>>();
  private size = 0;

  constructor(private readonly limit: number) {}

  /** The value kept for the bytes `from` to `to` of `line`, whose hashOf is `hash`. */
  find(line: Buffer, from: number, to: number, hash: number): T | undefined {
    const kept = this.byHash.get(hash);
    if (kept) for (const k of kept) if (k.bytes.length === to - from && matchesAt(line, from, k.bytes)) return k.value;
    return undefined;
  }

  keep(line: Buffer, from: number, to: number, hash: number, value: T): void {
    if (this.size >= this.limit) return;
    this.size++;
    const entry = { bytes: Buffer.from(line.subarray(from, to)), value };
    const kept = this.byHash.get(hash);
    if (kept) kept.push(entry);
    else this.byHash.set(hash, [entry]);
  }
}

/** FNV-1a of the bytes `from` to `to`. */
function hashOf(line: Buffer, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ line[i], 0x01000193);
  return h;
}

/** Actions by the bytes of their text (valid ones only: ACTION_TEXT). */
const actions = new BytesMemo<string>(256);
/** A status change's payload as read (`{"to":…}`), by the bytes of its `to` member. Read only (frozen). */
const statusPayloads = new BytesMemo<Readonly<Record<string, unknown>>>(1024);

export interface EntryReading {
  /** The actions the recomputation reads; any other entry keeps only its place in the chain (seq, time). */
  replayed: ReadonlySet<string>;
  /** The actions whose actor it reads. */
  withActor: ReadonlySet<string>;
  /** The share of the responders replayed: the deployment facts of the others' may be left out (FACT_ACTIONS). */
  share?: ResponderShare;
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The entry of a whole parsed line, or null when it is not one. */
export function auditedEntry(value: unknown): AuditedEntry | null {
  const e = value as Partial<AuditedEntry> | null;
  if (!e || typeof e !== 'object' || typeof e.seq !== 'number' || typeof e.action !== 'string' || typeof e.occurredAt !== 'string') return null;
  if (typeof e.payload !== 'object' || e.payload === null || typeof e.actor !== 'object' || e.actor === null) return null;
  return { seq: e.seq, occurredAt: e.occurredAt, actor: e.actor, action: e.action, targetId: e.targetId ?? null, payload: e.payload };
}

const matchesAt = (line: Buffer, at: number, text: Buffer): boolean => {
  if (at < 0 || at + text.length > line.length) return false;
  for (let i = 0; i < text.length; i++) if (line[at + i] !== text[i]) return false;
  return true;
};

// In a line without a backslash no string holds an escape: the next quote closes a string, the one before opens it.

/** The end of the string or null at `at` (in a line without escapes), or -1. */
function plainOrNullEnd(line: Buffer, at: number): number {
  if (line[at] !== QUOTE) return matchesAt(line, at, NULL) ? at + NULL.length : -1;
  const close = line.indexOf(QUOTE, at + 1);
  return close < 0 ? -1 : close + 1;
}

/** Where the string or null ending at `last` (its closing quote or `l`) starts (in a line without escapes), or -1. */
function plainOrNullStart(line: Buffer, last: number): number {
  if (line[last] !== QUOTE) return matchesAt(line, last + 1 - NULL.length, NULL) ? last + 1 - NULL.length : -1;
  // lastIndexOf counts a negative offset from the end.
  return last > 0 ? line.lastIndexOf(QUOTE, last - 1) : -1;
}

/** The whole number written in the `length` digits at `at`, or -1. */
function digitsAt(line: Buffer, at: number, length: number): number {
  let value = 0;
  for (let i = at; i < at + length; i++) {
    const d = line[i] - 0x30;
    if (!(d >= 0 && d <= 9)) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * Date.parse of the time between `from` and `to` when it is written `YYYY-MM-DDTHH:MM:SS.sssZ` (as the server writes
 * it) with a year from 1000 and a day up to the 28th; undefined for anything else, left to Date.parse.
 */
function isoMs(line: Buffer, from: number, to: number): number | undefined {
  if (to - from !== 24 || line[from + 4] !== 0x2d || line[from + 7] !== 0x2d || line[from + 10] !== 0x54) return undefined;
  if (line[from + 13] !== 0x3a || line[from + 16] !== 0x3a || line[from + 19] !== 0x2e || line[from + 23] !== 0x5a) return undefined;
  const year = digitsAt(line, from, 4);
  const month = digitsAt(line, from + 5, 2);
  const day = digitsAt(line, from + 8, 2);
  const hour = digitsAt(line, from + 11, 2);
  const minute = digitsAt(line, from + 14, 2);
  const second = digitsAt(line, from + 17, 2);
  const milli = digitsAt(line, from + 20, 3);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > 28 || hour < 0 || hour > 23 || minute < 0 || minute > 59) return undefined;
  if (second < 0 || second > 59 || milli < 0) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, milli);
}

/** The action written between `from` and `to`, a string made only for an action not met before. */
function actionOf(line: Buffer, from: number, to: number): string {
  const hash = hashOf(line, from, to);
  const kept = actions.find(line, from, to, hash);
  if (kept !== undefined) return kept;
  const action = line.toString('latin1', from, to);
  if (ACTION_TEXT.test(action)) actions.keep(line, from, to, hash, action);
  return action;
}

/** The first place `text` lies whole between `from` and `to`, or -1 (a short range: a loop, not a native search). */
function firstWithin(line: Buffer, text: Buffer, from: number, to: number): number {
  for (let i = from; i + text.length <= to; i++) if (line[i] === text[0] && matchesAt(line, i, text)) return i;
  return -1;
}

/** The last place `text` starts at or before `from`, scanning back by hand (the parts looked for are near). */
function lastAt(line: Buffer, text: Buffer, from: number): number {
  for (let i = Math.min(from, line.length - text.length); i >= 0; i--) if (line[i] === text[0] && matchesAt(line, i, text)) return i;
  return -1;
}

/** What an entry line is about, read from its opening and its tail only (see peekLine). */
export interface LineSubject {
  action: string;
  seq: number;
  /** The target id: its bytes in the line, the string read as JSON (a tail in another layout), or null. */
  targetId: LineTarget | string | null;
  /** A check-in's responder: the bytes of the first `"responderId":"…"` of its payload (a hint, not parsed); null for any other. */
  responderHint: LineTarget | null;
  /** Where the action ends and the top-level `,"seq":` starts, and the head when read, for entryOfLine not to look again. */
  actionEnd: number;
  seqAt: number;
  head?: LineHead;
}

/** A target's or responder's id: its bytes in its line. */
interface LineTarget extends IdBytes {
  readonly bytes: Buffer;
}

/** Where a canonical line's payload starts (`,"payload":`), and its `occurredAt` text. */
interface LineHead {
  payloadAt: number;
  occurredFrom: number;
  occurredTo: number;
}

/** The target id of a subject as a string. */
export function targetIdOf(subject: LineSubject): string | null {
  const t = subject.targetId;
  return t === null || typeof t === 'string' ? t : t.bytes.toString('utf8', t.from, t.to);
}

/** The end of the string opened at `at` (in a line without escapes), or -1. */
function plainEnd(line: Buffer, at: number): number {
  return line[at] === QUOTE ? plainOrNullEnd(line, at) : -1;
}

/**
 * The opening and the tail of a canonical line: the action, and `"seq":N,"targetId":S,"targetType":S}` (N a whole
 * number, S a string or null, walked backwards; another tail read as JSON); null when the line is not in that layout
 * or holds an escape anywhere (a note with a quote or a line break, say: few lines, read whole).
 */
function subjectOf(line: Buffer): LineSubject | null {
  if (!matchesAt(line, 0, OPENING) || line.indexOf(BACKSLASH) >= 0) return null;
  const actionEnd = plainEnd(line, OPENING.length - 1) - 1;
  if (actionEnd < 0) return null;
  const action = actionOf(line, OPENING.length, actionEnd);
  const last = line.length - 1;
  const typeAt = line[last] === CLOSING_BRACE ? plainOrNullStart(line, last - 1) - TARGET_TYPE.length : -1;
  const targetAt = matchesAt(line, typeAt, TARGET_TYPE) ? plainOrNullStart(line, typeAt - 1) : -1;
  let i = targetAt - TARGET_ID.length;
  if (targetAt >= 0 && matchesAt(line, i, TARGET_ID)) {
    const digitsEnd = i;
    while (i > actionEnd && line[i - 1] >= 0x30 && line[i - 1] <= 0x39) i--;
    const seqAt = i - SEQ.length;
    const digits = digitsEnd - i;
    if (digits > 0 && digits <= 15 && !(line[i] === 0x30 && digits > 1) && seqAt > actionEnd && matchesAt(line, seqAt, SEQ)) {
      const seq = digitsAt(line, i, digits);
      const targetId = line[targetAt] === QUOTE ? { bytes: line, from: targetAt + 1, to: typeAt - 1 } : null;
      return { action, seq, targetId, responderHint: null, actionEnd, seqAt };
    }
  }
  // After the top-level seq come only targetId and targetType: their text closes the line alone.
  const seqAt = lastAt(line, SEQ, line.length);
  if (seqAt < actionEnd) return null;
  const value = parsed(`{${line.toString('utf8', seqAt + 1, line.length)}`);
  if (!isObject(value) || typeof value.seq !== 'number' || !Number.isSafeInteger(value.seq) || value.seq < 0) return null;
  const targetId = value.targetId === undefined ? null : value.targetId;
  if (typeof targetId !== 'string' && targetId !== null) return null;
  return { action, seq: value.seq, targetId, responderHint: null, actionEnd, seqAt };
}

/** Where the payload starts (`,"payload":`) and `occurredAt`'s text, walking the head; null when it is not canonical. */
function headOf(line: Buffer, actionEnd: number): LineHead | null {
  if (!matchesAt(line, actionEnd + 1, ACTOR)) return null;
  // A flat actor object (what the server writes) ends at its first brace; a nested one fails the next member's test.
  let at = line.indexOf(CLOSING_BRACE, actionEnd + 1 + ACTOR.length) + 1;
  for (const member of HEAD_MEMBERS) {
    if (!matchesAt(line, at, member)) return null;
    at = plainOrNullEnd(line, at + member.length);
  }
  if (!matchesAt(line, at, OCCURRED_AT) || line[at + OCCURRED_AT.length] !== QUOTE) return null;
  const end = plainOrNullEnd(line, at + OCCURRED_AT.length);
  if (!matchesAt(line, end, PAYLOAD)) return null;
  return { payloadAt: end, occurredFrom: at + OCCURRED_AT.length + 1, occurredTo: end - 1 };
}

/** The top-level `,"prevHash":"` just before seq: a string closing where seq's member starts; -1 if not. */
function prevHashOf(line: Buffer, seqAt: number): number {
  if (seqAt < 2 || line[seqAt - 1] !== QUOTE) return -1;
  const at = line.lastIndexOf(QUOTE, seqAt - 2) + 1 - PREV_HASH.length;
  return matchesAt(line, at, PREV_HASH) ? at : -1;
}

/** The canonical-layout reading (see the top of this file), or null when the line is not in that layout. */
function partsOf(line: Buffer, reading: EntryReading, known?: LineSubject): AuditedEntry | null {
  const subject = known ?? subjectOf(line);
  if (!subject || !ACTION_TEXT.test(subject.action)) return null;
  const { action } = subject;
  const head = subject.head ?? headOf(line, subject.actionEnd);
  if (!head) return null;
  const prevHashAt = prevHashOf(line, subject.seqAt);
  if (prevHashAt <= head.payloadAt) return null;

  const occurredAt = line.toString('utf8', head.occurredFrom, head.occurredTo);
  let actor: Record<string, unknown> = {};
  if (reading.withActor.has(action)) {
    const value = parsed(`${line.toString('utf8', 0, head.payloadAt)}}`);
    if (!isObject(value) || !isObject(value.actor) || value.occurredAt !== occurredAt) return null;
    actor = value.actor;
  }

  let payload: unknown = {};
  if (reading.replayed.has(action)) {
    const from = head.payloadAt + PAYLOAD.length;
    const to = prevHashAt;
    payload = undefined;
    if (CHECK_IN_ACTIONS.has(action)) {
      // The verification evidence is last in canonical order and not needed: the members before it, when that cut
      // is at the payload's top level.
      const cut = line.indexOf(VERIFICATION, from);
      if (cut > 0 && cut < to) payload = parsed(`${line.toString('utf8', from, cut)}}`);
    } else if (action === STATUS_CHANGED) {
      // `to` is last in canonical order: from its member on, when that cut is at the payload's top level.
      const cut = toMemberAt(line, to);
      if (cut > from) payload = statusPayload(line, cut + 1, to);
    } else if (action === CHECKED_OUT) payload = checkOutPayload(line, from, to);
    else if (reading.share && reading.share.count > 1 && FACT_ACTIONS.has(action)) payload = factsPayload(line, from, to, reading.share);
    if (!isObject(payload)) payload = parsed(line.toString('utf8', from, to));
  }
  if (!isObject(payload)) return null;
  const occurredMs = isoMs(line, head.occurredFrom, head.occurredTo);
  return { seq: subject.seq, occurredAt, occurredMs, actor, action, targetId: targetIdOf(subject), payload };
}

/**
 * `{ checkedOutAt }` of a check-out's payload between `from` and `to`, when it is a string at the top level's start
 * (after `checkedInAt` or first) and named once; undefined otherwise (read whole).
 */
function checkOutPayload(line: Buffer, from: number, to: number): Record<string, unknown> | undefined {
  let at: number;
  if (matchesAt(line, from, CHECKED_IN_AT)) {
    const end = plainOrNullEnd(line, from + CHECKED_IN_AT.length);
    if (end < 0 || line[end] !== COMMA) return undefined;
    at = end + 1;
  } else if (line[from] === OPENING_BRACE) at = from + 1;
  else return undefined;
  const valueAt = at + CHECKED_OUT_AT.length;
  if (!matchesAt(line, at, CHECKED_OUT_AT) || line[valueAt] !== QUOTE) return undefined;
  const end = plainOrNullEnd(line, valueAt);
  if (end < 0 || end >= to) return undefined;
  // Named twice, JSON keeps the last: read whole.
  if (firstWithin(line, CHECKED_OUT_AT, end, to) >= 0) return undefined;
  return { checkedOutAt: line.toString('utf8', valueAt + 1, end - 1) };
}

/**
 * An approval's or certification's payload between `from` and `to` with, in its `deployments`, only the facts of the
 * share's responders: the list is walked fact by fact (`{"deploymentId":S,"position":S or null,"responderId":S}`,
 * a responder's share told from the bytes of its id) and the rest of the payload parsed. A full-size incident's
 * certification lists 30,000 facts and its approvals as many again: a share makes objects of its own only. Undefined
 * when the list is in any other form, or not the payload's own `deployments` (read whole).
 */
function factsPayload(line: Buffer, from: number, to: number, share: ResponderShare): Record<string, unknown> | undefined {
  const listAt = line.indexOf(DEPLOYMENTS, from);
  if (listAt < 0 || listAt >= to) return undefined;
  const facts: CertifiedDeployment[] = [];
  let at = listAt + DEPLOYMENTS.length;
  for (let first = true; line[at] !== CLOSING_BRACKET; first = false) {
    if (!first && line[at++] !== COMMA) return undefined;
    if (!matchesAt(line, at, FACT_DEPLOYMENT_ID)) return undefined;
    const idFrom = at + FACT_DEPLOYMENT_ID.length;
    const idTo = line.indexOf(QUOTE, idFrom);
    if (idTo < 0 || idTo >= to || !matchesAt(line, idTo + 1, FACT_POSITION)) return undefined;
    const positionAt = idTo + 1 + FACT_POSITION.length;
    const positionEnd = plainOrNullEnd(line, positionAt);
    if (positionEnd < 0 || positionEnd >= to || !matchesAt(line, positionEnd, FACT_RESPONDER_ID)) return undefined;
    const responderFrom = positionEnd + FACT_RESPONDER_ID.length;
    const responderTo = line.indexOf(QUOTE, responderFrom);
    if (responderTo < 0 || responderTo >= to || line[responderTo + 1] !== CLOSING_BRACE) return undefined;
    if (shareOfBytes(line, responderFrom, responderTo, share.count) === share.index) {
      facts.push({
        deploymentId: line.toString('utf8', idFrom, idTo),
        position: line[positionAt] === QUOTE ? line.toString('utf8', positionAt + 1, positionEnd - 1) : null,
        responderId: line.toString('utf8', responderFrom, responderTo),
      });
    }
    at = responderTo + 2;
    if (at >= to) return undefined;
  }
  // The list replaced by a 0, which must come back as the top-level `deployments` (not a nested one, not named twice).
  const rest = parsed(`${line.toString('utf8', from, listAt)}"deployments":0${line.toString('utf8', at + 1, to)}`);
  if (!isObject(rest) || rest.deployments !== 0) return undefined;
  rest.deployments = facts;
  return rest;
}

/**
 * Where the last `,"to":` of a status change's payload ending before `to` starts: before the last opening brace when
 * `to` is a flat object (a status, its reason, an assignment), else found by a scan back.
 */
function toMemberAt(line: Buffer, to: number): number {
  let brace = to - 2;
  while (brace > 0 && line[brace] !== OPENING_BRACE) brace--;
  return matchesAt(line, brace - TO.length, TO) ? brace - TO.length : lastAt(line, TO, to);
}

/** The payload `{"to":…}` of a status change whose `"to":…}` is between `from` and `to`, parsed once per different bytes. */
function statusPayload(line: Buffer, from: number, to: number): unknown {
  const hash = hashOf(line, from, to);
  const kept = statusPayloads.find(line, from, to, hash);
  if (kept) return kept;
  const payload = parsed(`{${line.toString('utf8', from, to)}`);
  if (!isObject(payload)) return payload;
  if (isObject(payload.to)) Object.freeze(payload.to);
  statusPayloads.keep(line, from, to, hash, Object.freeze(payload));
  return payload;
}

/**
 * The action, seq and target of a line in the canonical layout, and a check-in's responder, from its opening and tail:
 * enough to pass over an entry about another share's responder. Null when the line is not in that layout.
 */
export function peekLine(line: Buffer): LineSubject | null {
  const subject = subjectOf(line);
  if (!subject || !CHECK_IN_ACTIONS.has(subject.action)) return subject;
  const head = headOf(line, subject.actionEnd);
  if (head) subject.head = head;
  const hint = head ? line.indexOf(RESPONDER_ID, head.payloadAt) : -1;
  const close = hint < 0 ? -1 : line.indexOf(QUOTE, hint + RESPONDER_ID.length);
  if (close > 0) subject.responderHint = { bytes: line, from: hint + RESPONDER_ID.length, to: close };
  return subject;
}

/**
 * One entry line (without its line break; a trailing comma and surrounding blanks are allowed): the entry, or null
 * when the line is not an audit entry. `subject`: what peekLine read of this line already.
 */
export function entryOfLine(line: Buffer, reading: EntryReading, subject?: LineSubject): AuditedEntry | null {
  const fast = partsOf(line, reading, subject);
  if (fast) return fast;
  const text = line.toString('utf8').trim();
  return auditedEntry(parsed(text.endsWith(',') ? text.slice(0, -1) : text));
}

const isBlank = (b: number | undefined): boolean => b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a;

/** The line between `from` and `to` without surrounding blanks and a trailing comma. */
export function trimmedLine(buffer: Buffer, from: number, to: number): Buffer {
  let start = from;
  let end = to;
  while (start < end && isBlank(buffer[start])) start++;
  while (end > start && isBlank(buffer[end - 1])) end--;
  if (end > start && buffer[end - 1] === 0x2c) end--;
  return buffer.subarray(start, end);
}

/** `]` then `}`, blanks between: the end of the entries. */
export function isClosing(line: Buffer): boolean {
  if (line.length < 2 || line[0] !== 0x5d || line[line.length - 1] !== 0x7d) return false;
  for (let i = 1; i < line.length - 1; i++) if (!isBlank(line[i])) return false;
  return true;
}

/**
 * Calls `line` with each line of a file from `start` (without its line break) as a range of a block, valid during the
 * call: no buffer object per line. Two blocks take turns: the next is read while the lines of this one are handed on,
 * so the thread does not wait for the disk or the copy. A line across two blocks (or longer than one) is put together
 * in a buffer of its own. `line` returns false to stop.
 */
export async function forEachLine(
  handle: FileHandle,
  start: number,
  line: (block: Buffer, from: number, to: number) => boolean,
  blockSize = 8 * 1024 * 1024,
): Promise<void> {
  let current = Buffer.allocUnsafe(blockSize);
  let next = Buffer.allocUnsafe(blockSize);
  let carried = Buffer.allocUnsafe(0);
  let carriedLength = 0;
  const carry = (block: Buffer, from: number, to: number): void => {
    const length = carriedLength + to - from;
    if (length > carried.length) {
      const grown = Buffer.allocUnsafe(Math.max(length, carried.length * 2, 1024));
      carried.copy(grown, 0, 0, carriedLength);
      carried = grown;
    }
    block.copy(carried, carriedLength, from, to);
    carriedLength = length;
  };
  let position = start;
  let reading = handle.read(current, 0, blockSize, position);
  try {
    for (;;) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) {
        if (carriedLength > 0) line(carried, 0, carriedLength);
        return;
      }
      position += bytesRead;
      const block = current;
      reading = handle.read(next, 0, blockSize, position);
      [current, next] = [next, block];
      let from = 0;
      let nl = block.indexOf(0x0a, 0);
      if (carriedLength > 0 && nl >= 0 && nl < bytesRead) {
        carry(block, 0, nl);
        const length = carriedLength;
        carriedLength = 0;
        if (!line(carried, 0, length)) return;
        from = nl + 1;
        nl = block.indexOf(0x0a, from);
      }
      for (; nl >= 0 && nl < bytesRead; nl = block.indexOf(0x0a, from)) {
        if (!line(block, from, nl)) return;
        from = nl + 1;
      }
      carry(block, from, bytesRead);
    }
  } finally {
    // The read ahead is settled before the caller closes the file.
    await reading.catch(() => undefined);
  }
}
