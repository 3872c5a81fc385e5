import { addTotals, emptyTotals, labourSummary, TOTAL_FIGURES, type AgencyTotals, type LabourSummary } from './labour-summary';
import { DeploymentRows } from './deployment-rows';
import { textOf, type IdBytes } from './id-index';
import { TimeLedger } from './ledger';
import { localDate } from './local-time';
import type { AgencyRules, Employment, ResponderProfile } from './pay-rules';
import { deriveTimeEntries, travelLegs, type DeploymentTimeline, type IncidentCalendar, type StatusChange } from './time-entries';

/** An audit entry as the export carries it (the fields the recomputation reads). */
export interface AuditedEntry {
  seq: number;
  occurredAt: string;
  /** `occurredAt` in milliseconds, when the reader read it already (else Date.parse of it). */
  occurredMs?: number;
  actor: Record<string, unknown>;
  action: string;
  targetId: string | null;
  payload: Record<string, unknown>;
}

/** The deployment facts a certification records: who worked for the agency, in which position. */
export interface CertifiedDeployment {
  deploymentId: string;
  responderId: string;
  position: string | null;
}

/** An agency not certified: its approved days recomputed from what the approvals recorded; the figures may still change. */
export interface Provisional {
  agency: string;
  /** As of when (the export's time): deployments still open count up to it. */
  asOf: string;
  /** Days approved and unchanged since: their figures are in `totals`. */
  approvedDates: string[];
  /** Days corrected after their approval, waiting for re-approval: not in `totals`. */
  reapprovalDates: string[];
  /** Totals of the approved days only. */
  totals: AgencyTotals;
}

export interface Recomputed {
  agency: string;
  certifiedAt: string;
  /** The totals recomputed from the entries. */
  totals: AgencyTotals;
  /** The totals the certification recorded. */
  certified: AgencyTotals;
  matches: boolean;
}

/**
 * A share of an incident's responders. Threads recomputing one export each replay every entry but keep only their
 * share's deployments, and the shares' totals add up to the whole: every pay rule is per responder, while the
 * corrections and approvals, which decide an agency day's status, are kept by every share.
 */
export interface ResponderShare {
  index: number;
  count: number;
}

/** The whole incident: one share. */
export const WHOLE_INCIDENT: ResponderShare = { index: 0, count: 1 };

/** The share a responder belongs to among `count` (FNV-1a of the id's UTF-16 code units). */
export function shareOf(responderId: string, count: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < responderId.length; i++) h = Math.imul(h ^ responderId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % count;
}

/** shareOf of an id written as UTF-8 bytes, `from` to `to`: the share of its text. */
export function shareOfBytes(bytes: Uint8Array, from: number, to: number, count: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) {
    const b = bytes[i];
    // One byte is one UTF-16 code unit only below 0x80.
    if (b >= 0x80) return shareOf(textOf({ bytes, from, to }), count);
    h = Math.imul(h ^ b, 0x01000193);
  }
  return (h >>> 0) % count;
}

/** The actions about one deployment (their target): replayed only for a deployment checked in before. */
const DEPLOYMENT_ACTIONS = new Set(['ics211.edited', 'demob.travel_recorded', 'deployment.status_changed', 'deployment.checked_out']);
/** The actions that check a responder in (the replay's `checkIn`). */
export const CHECK_IN_ACTIONS: ReadonlySet<string> = new Set(['checkin.admitted', 'checkin.admitted_with_warnings']);

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const sameTotals = (a: AgencyTotals, b: AgencyTotals): boolean => TOTAL_FIGURES.every((k) => a[k] === b[k]);
const userOf = (actor: Record<string, unknown>): string => str(actor.userId) ?? `${String(actor.kind)}`;
/**
 * Responders per batch when a certified package is recomputed: a batch of 50 month-long deployments allocates a few
 * MiB, less than the young generation, so its objects die there instead of being promoted (docs/benchmarks.md).
 */
const RECOMPUTE_BATCH = 50;

/** An entry as a handler that does not read the actor sees it (the export reader does not read it for such actions). */
type EntryWithoutActor = Omit<AuditedEntry, 'actor'>;

/**
 * How one action is replayed. `actor: true` declares that the handler reads the actor (the author or approver the
 * entry names); a handler without it gets the entry without its actor, so reading it does not compile.
 */
type Replay =
  | { readonly actor: true; readonly apply: (r: AuditRecomputation, e: AuditedEntry, ms: number) => void }
  | { readonly actor?: false; readonly apply: (r: AuditRecomputation, e: EntryWithoutActor, ms: number) => void };

/**
 * Recomputes the packages of an incident from its audit entries alone, fed one at a time in chain order (an export
 * is read line by line, never whole): the incident's zone and dates, check-ins (with the departure time), ICS 211
 * corrections of the departure, ICS 221 travel home (ETA), status changes and check-outs, the agencies' rules and
 * rates, employment, corrections and their approvals, day and operational period approvals (with the deployment
 * facts each records), and each certification's deployment facts and totals. A certified package is computed as of
 * its certification, as the server did when it certified. What is kept is the replayed state (deployments, rules,
 * ledger), not the entries.
 */
export class AuditRecomputation {
  /**
   * The replay, one handler per action; any other action keeps only its place in the chain (seq, time). The export
   * reader's lists (REPLAYED_ACTIONS, ACTOR_ACTIONS) are derived from this table.
   */
  private static readonly replay: ReadonlyMap<string, Replay> = new Map<string, Replay>([
    [
      'incident.created',
      {
        apply: (r, e, ms) => {
          r.createdAt = new Date(ms);
          r.timeZone = str(e.payload.timeZone) ?? 'UTC';
        },
      },
    ],
    [
      'incident.updated',
      {
        apply: (r, e) => {
          const zone = str((e.payload.changes as Record<string, unknown> | undefined)?.timeZone);
          if (zone) r.timeZone = zone;
        },
      },
    ],
    [
      'incident.closed',
      {
        apply: (r, _e, ms) => {
          r.closedAt = new Date(ms);
        },
      },
    ],
    ['checkin.admitted', { apply: (r, e, ms) => r.checkIn(e, ms) }],
    ['checkin.admitted_with_warnings', { apply: (r, e, ms) => r.checkIn(e, ms) }],
    [
      'ics211.edited',
      {
        apply: (r, e) => {
          const row = r.targetRow(e);
          const departureAt = str((e.payload.after as Record<string, unknown> | undefined)?.departureAt);
          if (row !== undefined && departureAt !== null) r.deployments.setDeparture(row, departureAt);
        },
      },
    ],
    [
      'demob.travel_recorded',
      {
        apply: (r, e) => {
          const row = r.targetRow(e);
          const eta = str(e.payload.etaHome);
          if (row !== undefined && eta !== null) r.deployments.setEtaHome(row, Date.parse(eta));
        },
      },
    ],
    [
      'deployment.status_changed',
      {
        apply: (r, e, ms) => {
          const row = r.targetRow(e);
          const to = e.payload.to as { status?: StatusChange['status']; reason?: string } | undefined;
          if (row !== undefined && to?.status) r.deployments.addChange(row, ms, to.status, to.reason ?? null);
        },
      },
    ],
    [
      'deployment.checked_out',
      {
        apply: (r, e) => {
          const row = r.targetRow(e);
          if (row !== undefined) r.deployments.checkOut(row, Date.parse(str(e.payload.checkedOutAt) ?? e.occurredAt));
        },
      },
    ],
    [
      'time.rules_set',
      {
        apply: (r, e) => {
          r.rules.set(String(e.payload.agency), e.payload as unknown as AgencyRules);
        },
      },
    ],
    [
      'time.employment_set',
      {
        apply: (r, e) => {
          if (e.targetId) r.employment.set(e.targetId, e.payload.employment as Employment);
        },
      },
    ],
    [
      'time.correction_recorded',
      {
        actor: true,
        apply: (r, e) => {
          const p = e.payload;
          if (!e.targetId) return;
          r.recorded.set(e.targetId, {
            responderId: String(p.responderId),
            agency: String(p.agency),
            date: String(p.date),
            onDuty: p.onDuty as Array<{ start: string; end: string }>,
            reason: String(p.reason),
            author: userOf(e.actor),
          });
        },
      },
    ],
    [
      'time.correction_approved',
      {
        actor: true,
        apply: (r, e, ms) => {
          const c = e.targetId ? r.recorded.get(e.targetId) : undefined;
          const id = e.targetId;
          if (!c || !id) return;
          const correction = {
            id,
            ...c,
            onDuty: c.onDuty.map((i) => ({ start: Date.parse(i.start), end: Date.parse(i.end) })),
            approver: userOf(e.actor),
            at: new Date(ms),
          };
          r.ledgerEvents.push((ledger) => ledger.correct(correction));
        },
      },
    ],
    ['time.day_approved', { actor: true, apply: (r, e, ms) => r.approveDay(e, ms) }],
    ['time.day_reapproved', { actor: true, apply: (r, e, ms) => r.approveDay(e, ms) }],
    ['time.period_approved', { actor: true, apply: (r, e, ms) => r.approvePeriod(e, ms) }],
    ['time.period_reapproved', { actor: true, apply: (r, e, ms) => r.approvePeriod(e, ms) }],
    [
      'time.package_certified',
      {
        apply: (r, e, ms) => {
          const p = e.payload;
          const agency = String(p.agency);
          r.certified.add(agency);
          const totals = r.certifiedTotals(agency, p.deployments as CertifiedDeployment[], new Date(ms));
          const certified = { ...emptyTotals(agency), ...(p.totals as Partial<AgencyTotals>) };
          r.computed.push({
            agency,
            certifiedAt: e.occurredAt,
            totals,
            certified,
            matches: sameTotals(totals, certified),
          });
        },
      },
    ],
  ]);

  /** The actions the replay handles (the keys of its handler table). */
  static replayedActions(): ReadonlySet<string> {
    return new Set(AuditRecomputation.replay.keys());
  }

  /** The handled actions whose handler reads the actor. */
  static actorActions(): ReadonlySet<string> {
    return new Set([...AuditRecomputation.replay].filter(([, h]) => h.actor === true).map(([action]) => action));
  }

  constructor(private readonly share: ResponderShare = WHOLE_INCIDENT) {
    if (!Number.isInteger(share.count) || share.count < 1 || !Number.isInteger(share.index) || share.index < 0 || share.index >= share.count) {
      throw new Error(`share ${share.index} of ${share.count} is not a share`);
    }
  }

  private lastSeq = -Infinity;
  private timeZone = 'UTC';
  private createdAt: Date | null = null;
  private closedAt: Date | null = null;
  private lastAtMs: number | null = null;
  /** The deployment row `replays` found for the entry of this seq, for `add` not to look it up again. */
  private foundSeq = -1;
  private foundRow = -1;
  private readonly deployments = new DeploymentRows();
  private readonly rules = new Map<string, AgencyRules>();
  private readonly employment = new Map<string, Employment>();
  private readonly recorded = new Map<
    string,
    { responderId: string; agency: string; date: string; onDuty: Array<{ start: string; end: string }>; reason: string; author: string }
  >();
  private readonly ledgerEvents: Array<(ledger: TimeLedger) => void> = [];
  /** Per agency: the deployment facts its day and period approvals recorded (deployment row to position). */
  private readonly approvedFacts = new Map<string, Map<number, string | null>>();
  /** Per agency: a deployment its approvals recorded whose check-in is not in the export (its provisional figures fail). */
  private readonly unmatchedFacts = new Map<string, string>();
  private readonly certified = new Set<string>();
  private readonly computed: Recomputed[] = [];
  private ledgerCache: { key: string; ledger: TimeLedger } | null = null;

  /** Feeds the next entry; entries must come in chain order (increasing `seq`), as the export writes them. */
  add(e: AuditedEntry): void {
    this.follow(e.seq);
    // Milliseconds, not a Date: most entries are check-ins and status changes, kept as numbers.
    const ms = e.occurredMs ?? Date.parse(e.occurredAt);
    this.lastAtMs = ms;
    AuditRecomputation.replay.get(e.action)?.apply(this, e, ms);
  }

  /**
   * Whether the replay needs an entry, told by what it is about: not one about a deployment not checked in here (by
   * another share's responder, or never), nor a check-in whose responder is another share's. A reader passes over
   * such an entry with `skip`. The responder of a check-in is a hint here: the check-in replayed is kept only if its
   * own responder is this share's, so a wrong hint loses a deployment, whose recorded facts then fail the
   * recomputation, and never counts one twice. The target and the hint may be bytes of the reader's line; the deployment row
   * found is kept for `add` of the same entry (its seq).
   */
  replays(subject: { action: string; seq: number; targetId: string | IdBytes | null; responderHint: string | IdBytes | null }): boolean {
    if (DEPLOYMENT_ACTIONS.has(subject.action)) {
      const row = subject.targetId === null ? undefined : this.deployments.row(subject.targetId);
      if (row === undefined) return false;
      this.foundSeq = subject.seq;
      this.foundRow = row;
      return true;
    }
    const hint = subject.responderHint;
    if (hint !== null && CHECK_IN_ACTIONS.has(subject.action)) {
      return typeof hint === 'string'
        ? this.owns(hint)
        : this.share.count === 1 || shareOfBytes(hint.bytes, hint.from, hint.to, this.share.count) === this.share.index;
    }
    return true;
  }

  /** The row of the deployment a deployment action is about, if it was checked in here. */
  private targetRow(e: EntryWithoutActor): number | undefined {
    if (e.seq === this.foundSeq) return this.foundRow;
    return e.targetId === null ? undefined : this.deployments.row(e.targetId);
  }

  /** Passes over an entry `replays` declined: it keeps only its place in the chain. */
  skip(seq: number): void {
    this.follow(seq);
  }

  private follow(seq: number): void {
    if (!(seq > this.lastSeq)) throw new Error(`audit entry ${seq} is out of chain order (after ${this.lastSeq})`);
    this.lastSeq = seq;
  }

  private owns(responderId: string): boolean {
    return this.share.count === 1 || shareOf(responderId, this.share.count) === this.share.index;
  }

  private checkIn(e: EntryWithoutActor, ms: number): void {
    const id = str(e.payload.deploymentId);
    const responderId = str(e.payload.responderId);
    // A deployment checked in twice keeps its first check-in.
    if (id && responderId && this.owns(responderId)) this.deployments.add(id, responderId, ms, str(e.payload.departureAt));
  }

  /**
   * The row of a deployment fact an approval or certification recorded: null when the fact is another share's,
   * undefined when its check-in is not in the export. A fact naming no responder, or another one than its check-in,
   * is an error: the package cannot be recomputed from this export.
   */
  private rowOfFact(f: CertifiedDeployment, agency: string): number | null | undefined {
    if (typeof f.responderId !== 'string') throw new Error(`deployment ${String(f.deploymentId)} is recorded for ${agency} without its responder`);
    if (!this.owns(f.responderId)) return null;
    const row = this.deployments.row(f.deploymentId);
    if (row === undefined) return undefined;
    const responderId = this.deployments.responderAt(row);
    if (f.responderId !== responderId) {
      throw new Error(`deployment ${f.deploymentId} is recorded for ${agency} with responder ${f.responderId} but was checked in for ${responderId}`);
    }
    return row;
  }

  private timelineAt(row: number, agency: string, timeZone: string): DeploymentTimeline {
    const d = this.deployments.deploymentAt(row);
    return {
      deploymentId: this.deployments.idAt(row),
      responderId: d.responderId,
      agency,
      checkedInAt: d.checkedInAt,
      checkedOutAt: d.checkedOutAt,
      statusChanges: d.changes,
      ...travelLegs(d, timeZone),
    };
  }

  private approveDay(e: AuditedEntry, ms: number): void {
    const p = e.payload;
    const approval = { id: String(e.seq), agency: String(p.agency), date: String(p.date), approvedBy: userOf(e.actor), at: new Date(ms) };
    this.ledgerEvents.push((ledger) => ledger.approve(approval));
    this.recordFacts(approval.agency, p.deployments);
  }

  private approvePeriod(e: AuditedEntry, ms: number): void {
    const p = e.payload;
    const approval = {
      id: String(e.seq),
      agency: String(p.agency),
      periodId: String(p.periodId),
      start: Date.parse(String(p.startsAt)),
      end: Date.parse(String(p.endsAt)),
      approvedBy: userOf(e.actor),
      at: new Date(ms),
    };
    this.ledgerEvents.push((ledger) => ledger.approvePeriod(approval));
    this.recordFacts(approval.agency, p.deployments);
  }

  private recordFacts(agency: string, deployments: unknown): void {
    if (!Array.isArray(deployments)) return;
    const facts = this.approvedFacts.get(agency) ?? new Map<number, string | null>();
    for (const f of deployments as CertifiedDeployment[]) {
      const row = this.rowOfFact(f, agency);
      if (row === undefined) {
        if (!this.unmatchedFacts.has(agency)) this.unmatchedFacts.set(agency, f.deploymentId);
      } else if (row !== null) facts.set(row, f.position);
    }
    this.approvedFacts.set(agency, facts);
  }

  /** The certified packages, in the order they were certified. */
  results(): Recomputed[] {
    return [...this.computed];
  }

  /**
   * The agencies with approved days and no certification: their approved days recomputed as of `asOf` (default: the
   * last entry replayed) on the deployments their approvals recorded. Weekly overtime counts the days of the week whose
   * deployments an approval recorded; a day nobody approved yet may still move time of a later day into overtime.
   */
  provisional(asOf: Date | null = this.lastAtMs === null ? null : new Date(this.lastAtMs)): Provisional[] {
    const out: Provisional[] = [];
    const when = asOf ?? new Date(0);
    for (const [agency, facts] of [...this.approvedFacts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (this.certified.has(agency)) continue;
      const unmatched = this.unmatchedFacts.get(agency);
      if (unmatched !== undefined) throw new Error(`deployment ${unmatched} is recorded for ${agency} but its check-in is not in the export`);
      const summary = this.summaryOf(agency, facts, when);
      const totals = emptyTotals(agency);
      const approved = new Set<string>();
      const waiting = new Set<string>();
      for (const r of summary.rows) {
        if (r.status === 'reapproval_required') waiting.add(r.date);
        if (r.status !== 'approved') continue;
        approved.add(r.date);
        addTotals(totals, r);
      }
      out.push({ agency, asOf: when.toISOString(), approvedDates: [...approved].sort(), reapprovalDates: [...waiting].sort(), totals });
    }
    return out;
  }

  /**
   * The ledger of every correction and approval so far: built again only when one was added or the calendar changed
   * since the last build (the summary only reads it), not once per certification.
   */
  private ledgerFor(calendar: IncidentCalendar): TimeLedger {
    const key = `${calendar.timeZone}|${calendar.startDate}|${String(calendar.endDate)}|${this.ledgerEvents.length}`;
    if (this.ledgerCache?.key === key) return this.ledgerCache.ledger;
    const ledger = new TimeLedger(calendar);
    for (const apply of this.ledgerEvents) apply(ledger);
    this.ledgerCache = { key, ledger };
    return ledger;
  }

  /**
   * An agency's totals as of its certification, computed a batch of responders at a time (RECOMPUTE_BATCH): every
   * rule is per responder but approval, and the ledger shared by the batches holds every correction and approval, so
   * an agency day's status is the whole agency's and a responder day's status under period approvals depends only on
   * that responder's entry in effect and the agency's periods. The batches' rows are the agency's rows, and a batch's
   * intermediate state is short-lived whatever the size of the agency. Responders with a correction for the agency
   * and no listed deployment count too, as in a summary of the whole agency.
   */
  private certifiedTotals(agency: string, facts: readonly CertifiedDeployment[], at: Date): AgencyTotals {
    const calendar = this.calendarNow();
    const ledger = this.ledgerFor(calendar);
    const byResponder = new Map<string, Array<{ row: number; position: string | null }>>();
    for (const f of facts) {
      const row = this.rowOfFact(f, agency);
      if (row === null) continue;
      if (row === undefined) throw new Error(`deployment ${f.deploymentId} is recorded for ${agency} but its check-in is not in the export`);
      const responderId = this.deployments.responderAt(row);
      const list = byResponder.get(responderId);
      const fact = { row, position: f.position };
      if (list) list.push(fact);
      else byResponder.set(responderId, [fact]);
    }
    const correctedOnly = new Set<string>();
    for (const c of this.recorded.values())
      if (c.agency === agency && !byResponder.has(c.responderId) && this.owns(c.responderId)) correctedOnly.add(c.responderId);
    const totals = emptyTotals(agency);
    const add = (summary: LabourSummary): void => {
      const t = summary.totals.find((x) => x.agency === agency);
      if (t) addTotals(totals, t);
    };
    const responders = [...byResponder.keys()];
    for (let from = 0; from < responders.length; from += RECOMPUTE_BATCH) {
      const batch = responders.slice(from, from + RECOMPUTE_BATCH);
      const timelines: DeploymentTimeline[] = [];
      const profiles = new Map<string, ResponderProfile>();
      for (const responderId of batch) {
        for (const f of byResponder.get(responderId) ?? []) {
          timelines.push(this.timelineAt(f.row, agency, calendar.timeZone));
          profiles.set(responderId, { responderId, name: responderId, position: f.position, employment: this.employment.get(responderId) ?? 'employee' });
        }
      }
      add(labourSummary(deriveTimeEntries(calendar, timelines, at), ledger, this.rules, profiles, { agency, settledOnly: true, responders: new Set(batch) }));
    }
    if (correctedOnly.size > 0) add(labourSummary([], ledger, this.rules, new Map(), { agency, settledOnly: true, responders: correctedOnly }));
    return totals;
  }

  private calendarNow(): IncidentCalendar {
    if (!this.createdAt) throw new Error('the export has no incident.created entry: the incident dates are unknown');
    const tz = this.timeZone;
    return { timeZone: tz, startDate: localDate(this.createdAt, tz), endDate: this.closedAt ? localDate(this.closedAt, tz) : null };
  }

  /**
   * An agency's summary on the deployment facts given (row to position), with the corrections of their responders
   * and of this share's responders who have only a correction at the agency.
   */
  private summaryOf(agency: string, facts: ReadonlyMap<number, string | null>, at: Date): LabourSummary {
    const calendar = this.calendarNow();
    const timelines: DeploymentTimeline[] = [];
    const profiles = new Map<string, ResponderProfile>();
    for (const [row, position] of facts) {
      const t = this.timelineAt(row, agency, calendar.timeZone);
      timelines.push(t);
      profiles.set(t.responderId, { responderId: t.responderId, name: t.responderId, position, employment: this.employment.get(t.responderId) ?? 'employee' });
    }
    const responders = new Set(profiles.keys());
    for (const c of this.recorded.values()) if (c.agency === agency && this.owns(c.responderId)) responders.add(c.responderId);
    const ledger = this.ledgerFor(calendar);
    return labourSummary(deriveTimeEntries(calendar, timelines, at), ledger, this.rules, profiles, { agency, responders });
  }
}

/** What one share of the responders recomputed: its part of each certified package, in certification order, and of each provisional agency. */
export interface ShareResults {
  certified: Recomputed[];
  provisional: Provisional[];
}

/**
 * The shares' parts as the whole incident's (see ResponderShare): each certified package's totals added up over the
 * shares, which all replay every certification in the same order, and compared with the certified ones; each
 * provisional agency's totals added up and its days joined.
 */
export function joinShares(shares: readonly ShareResults[]): ShareResults {
  const [first, ...rest] = shares;
  if (!first) return { certified: [], provisional: [] };
  const certified = first.certified.map((c, i): Recomputed => {
    const totals = { ...c.totals };
    for (const share of rest) {
      const part = share.certified[i];
      if (share.certified.length !== first.certified.length || part.agency !== c.agency || part.certifiedAt !== c.certifiedAt) {
        throw new Error('the shares of the recomputation replayed different certifications');
      }
      addTotals(totals, part.totals);
    }
    return { ...c, totals, matches: sameTotals(totals, c.certified) };
  });
  const provisional = first.provisional.map((p, i): Provisional => {
    const totals = { ...p.totals };
    const approved = new Set(p.approvedDates);
    const waiting = new Set(p.reapprovalDates);
    for (const share of rest) {
      const part = share.provisional[i];
      if (share.provisional.length !== first.provisional.length || part.agency !== p.agency)
        throw new Error('the shares of the recomputation replayed different approvals');
      addTotals(totals, part.totals);
      for (const d of part.approvedDates) approved.add(d);
      for (const d of part.reapprovalDates) waiting.add(d);
    }
    return { ...p, approvedDates: [...approved].sort(), reapprovalDates: [...waiting].sort(), totals };
  });
  return { certified, provisional };
}

/** Recomputes the certified packages of an incident from its audit entries (any order: sorted by `seq` first). */
export function recomputeFromAudit(entries: readonly AuditedEntry[]): Recomputed[] {
  const r = new AuditRecomputation();
  for (const e of [...entries].sort((a, b) => a.seq - b.seq)) r.add(e);
  return r.results();
}

/**
 * The actions the recomputation reads (the replay's handler table); the export reader (`time-package`) skips the
 * payload of any other action, and reads of a check-in only the members before `verification`, of a status change
 * only `to`, of a check-out only `checkedOutAt`.
 */
export const REPLAYED_ACTIONS: ReadonlySet<string> = AuditRecomputation.replayedActions();

/**
 * The actions whose payload lists deployment facts (`deployments`: deployment, responder, position): day and period
 * approvals and certifications. A share reads only its own responders' facts, so a reader may leave out the others'.
 */
export const FACT_ACTIONS: ReadonlySet<string> = new Set([
  'time.day_approved',
  'time.day_reapproved',
  'time.period_approved',
  'time.period_reapproved',
  'time.package_certified',
]);

/** The replayed actions whose actor the recomputation reads (the author or approver they name). */
export const ACTOR_ACTIONS: ReadonlySet<string> = AuditRecomputation.actorActions();
