import type { FileHandle } from 'node:fs/promises';
import type { AuditedEntry } from '../domain/audit-recompute';

/**
 * Reading an audit export's entry lines for the offline recomputation, which needs only a few members of each entry:
 * `seq`, `occurredAt`, `action`, `targetId`, the payload, and the actor for the actions that name their author.
 *
 * The export writes every entry on one line in canonical form (RFC 8785: members sorted), so the top level is
 * `action, actor, chainId, hash, id, incidentId, occurredAt, payload, prevHash, seq, targetId, targetType`. A line
 * in that form is read in parts: the action from its opening, `occurredAt` just before `,"payload":`, the payload,
 * and the tail from `,"prevHash":` on; the rest (the hashes, the chain id, the actor when not needed, a check-in's
 * verification evidence) is not parsed. Each part is cut where its member sits at the top level: a cut that falls
 * inside a nested value leaves text that does not parse, and the whole line is then parsed instead, so any valid
 * JSON line gives the same entry. That the entries are genuine is audit-verify's part, not this reader's.
 */

const OPENING = Buffer.from('{"action":"');
const PAYLOAD = Buffer.from(',"payload":');
const OCCURRED_AT = Buffer.from(',"occurredAt":"');
const PREV_HASH = Buffer.from(',"prevHash":"');
const SEQ = Buffer.from(',"seq":');
const TARGET_ID = Buffer.from('"targetId":');
const TARGET_TYPE = Buffer.from(',"targetType":');
const NULL = Buffer.from('null');
const VERIFICATION = Buffer.from(',"verification":');
const TO = Buffer.from(',"to":');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ACTION_TEXT = /^[a-z0-9_.]+$/;

/** Check-ins: only the members before the verification evidence are read (the deployment and the responder). */
const CHECK_INS = new Set(['checkin.admitted', 'checkin.admitted_with_warnings']);
/** A status change: only its last member, `to` (the new status and reason), is read. */
const STATUS_CHANGED = 'deployment.status_changed';

export interface EntryReading {
  /** The actions the recomputation reads; any other entry keeps only its place in the chain (seq, time). */
  replayed: ReadonlySet<string>;
  /** The actions whose actor it reads. */
  withActor: ReadonlySet<string>;
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

/** A plain string's text between `from` and the closing quote at `to` (null if it has an escape or a quote). */
function plainString(line: Buffer, from: number, to: number): string | null {
  for (let i = from; i < to; i++) if (line[i] === QUOTE || line[i] === BACKSLASH) return null;
  return line.toString('utf8', from, to);
}

const matchesAt = (line: Buffer, at: number, text: Buffer): boolean => {
  if (at < 0 || at + text.length > line.length) return false;
  for (let i = 0; i < text.length; i++) if (line[at + i] !== text[i]) return false;
  return true;
};

/** A plain string (no escape) or null at `at`: its value and where it ends, or undefined. */
function plainOrNull(line: Buffer, at: number): { value: string | null; end: number } | undefined {
  if (matchesAt(line, at, NULL)) return { value: null, end: at + NULL.length };
  if (line[at] !== QUOTE) return undefined;
  const close = line.indexOf(QUOTE, at + 1);
  if (close < 0) return undefined;
  const value = plainString(line, at + 1, close);
  return value === null ? undefined : { value, end: close + 1 };
}

/**
 * The canonical tail `"seq":N,"targetId":S,"targetType":S}` (N a whole number, S a plain string or null) read by
 * hand from `at` to the end of the line; undefined when the tail is anything else.
 */
function tailOf(line: Buffer, at: number): { seq: number; targetId: string | null } | undefined {
  let i = at + SEQ.length;
  let seq = 0;
  const digits = i;
  for (; i < line.length && line[i] >= 0x30 && line[i] <= 0x39; i++) seq = seq * 10 + (line[i] - 0x30);
  if (i === digits || i - digits > 15 || (line[digits] === 0x30 && i - digits > 1) || line[i] !== 0x2c) return undefined;
  if (!matchesAt(line, i + 1, TARGET_ID)) return undefined;
  const targetId = plainOrNull(line, i + 1 + TARGET_ID.length);
  if (!targetId || !matchesAt(line, targetId.end, TARGET_TYPE)) return undefined;
  const targetType = plainOrNull(line, targetId.end + TARGET_TYPE.length);
  if (!targetType || targetType.end !== line.length - 1 || line[targetType.end] !== 0x7d) return undefined;
  return { seq, targetId: targetId.value };
}

/** The canonical-layout reading (see the top of this file), or null when the line is not in that layout. */
function partsOf(line: Buffer, reading: EntryReading): AuditedEntry | null {
  if (!matchesAt(line, 0, OPENING)) return null;
  const actionEnd = line.indexOf(QUOTE, OPENING.length);
  if (actionEnd < 0) return null;
  const action = line.toString('latin1', OPENING.length, actionEnd);
  if (!ACTION_TEXT.test(action)) return null;
  const payloadAt = line.indexOf(PAYLOAD, actionEnd);
  // After the top-level seq come only targetId and targetType: read by hand when they are plain, else parsed. The
  // text from there closes the line alone only when the cut is at the top level.
  const seqAt = line.lastIndexOf(SEQ);
  if (payloadAt < 0 || seqAt < payloadAt) return null;
  let tail = tailOf(line, seqAt);
  if (!tail) {
    const value = parsed(`{${line.toString('utf8', seqAt + 1, line.length)}`);
    if (!isObject(value) || typeof value.seq !== 'number') return null;
    const targetId = value.targetId === undefined ? null : value.targetId;
    if (typeof targetId !== 'string' && targetId !== null) return null;
    tail = { seq: value.seq, targetId };
  }
  // Just before seq, the top-level prevHash: a plain string ending where seq's member starts.
  const prevHashAt = line.lastIndexOf(PREV_HASH, seqAt);
  if (prevHashAt < payloadAt || line[seqAt - 1] !== QUOTE || plainString(line, prevHashAt + PREV_HASH.length, seqAt - 1) === null) return null;

  let occurredAt: string | null = null;
  let actor: Record<string, unknown> = {};
  if (reading.withActor.has(action)) {
    // The head (action to occurredAt) parses on its own only when the payload's cut is at the top level.
    const head = parsed(`${line.toString('utf8', 0, payloadAt)}}`);
    if (!isObject(head) || !isObject(head.actor) || typeof head.occurredAt !== 'string' || head.action !== action) return null;
    occurredAt = head.occurredAt;
    actor = head.actor;
  } else {
    const at = line.lastIndexOf(OCCURRED_AT, payloadAt);
    if (at < 0 || line[payloadAt - 1] !== QUOTE) return null;
    occurredAt = plainString(line, at + OCCURRED_AT.length, payloadAt - 1);
  }
  if (occurredAt === null) return null;

  let payload: unknown = {};
  if (reading.replayed.has(action)) {
    const from = payloadAt + PAYLOAD.length;
    const to = prevHashAt;
    payload = undefined;
    if (CHECK_INS.has(action)) {
      // The verification evidence is last in canonical order and not needed: the members before it, when that cut
      // is at the payload's top level.
      const cut = line.indexOf(VERIFICATION, from);
      if (cut > 0 && cut < to) payload = parsed(`${line.toString('utf8', from, cut)}}`);
    } else if (action === STATUS_CHANGED) {
      // `to` is last in canonical order: from its member on, when that cut is at the payload's top level.
      const cut = line.lastIndexOf(TO, to);
      if (cut > from) payload = parsed(`{${line.toString('utf8', cut + 1, to)}`);
    }
    if (!isObject(payload)) payload = parsed(line.toString('utf8', from, to));
  }
  if (!isObject(payload)) return null;
  return { seq: tail.seq, occurredAt, actor, action, targetId: tail.targetId, payload };
}

/** What an entry line is about, read without its payload (see peekLine). */
export interface LineSubject {
  action: string;
  seq: number;
  targetId: string | null;
  /** A check-in's responder: the first `"responderId":"…"` after the payload starts (a hint: not parsed). */
  responderHint: string | null;
}

const RESPONDER_ID = Buffer.from('"responderId":"');

/**
 * The action, seq and target of a line in the canonical layout, and a check-in's responder, without reading the rest:
 * enough to pass over an entry about another share's responder. Null when the line is not in that layout.
 */
export function peekLine(line: Buffer): LineSubject | null {
  if (!matchesAt(line, 0, OPENING)) return null;
  const actionEnd = line.indexOf(QUOTE, OPENING.length);
  if (actionEnd < 0) return null;
  const tail = tailOf(line, line.lastIndexOf(SEQ));
  if (!tail) return null;
  const action = line.toString('latin1', OPENING.length, actionEnd);
  let responderHint: string | null = null;
  if (CHECK_INS.has(action)) {
    const hint = line.indexOf(RESPONDER_ID, line.indexOf(PAYLOAD, actionEnd));
    const close = hint < 0 ? -1 : line.indexOf(QUOTE, hint + RESPONDER_ID.length);
    if (close > 0) responderHint = plainString(line, hint + RESPONDER_ID.length, close);
  }
  return { action, seq: tail.seq, targetId: tail.targetId, responderHint };
}

/**
 * One entry line (without its line break; a trailing comma and surrounding blanks are allowed): the entry, or null
 * when the line is not an audit entry.
 */
export function entryOfLine(line: Buffer, reading: EntryReading): AuditedEntry | null {
  const fast = partsOf(line, reading);
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
 * Calls `line` with each line of a file from `start` (without its line break) as a range of a block read in large
 * blocks (a line longer than a block grows it), valid during the call: no buffer object per line. `line` returns false
 * to stop.
 */
export async function forEachLine(
  handle: FileHandle,
  start: number,
  line: (block: Buffer, from: number, to: number) => boolean,
  blockSize = 8 * 1024 * 1024,
): Promise<void> {
  let buffer = Buffer.allocUnsafe(blockSize);
  let filled = 0;
  let position = start;
  for (;;) {
    if (filled === buffer.length) {
      const grown = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(grown, 0, 0, filled);
      buffer = grown;
    }
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, position);
    position += bytesRead;
    filled += bytesRead;
    let from = 0;
    for (let nl = buffer.indexOf(0x0a, from); nl >= 0 && nl < filled; nl = buffer.indexOf(0x0a, from)) {
      if (!line(buffer, from, nl)) return;
      from = nl + 1;
    }
    if (bytesRead === 0) {
      if (from < filled) line(buffer, from, filled);
      return;
    }
    buffer.copy(buffer, 0, from, filled);
    filled -= from;
  }
}
