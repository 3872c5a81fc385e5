import { labourSummary, type AgencyTotals, type LabourSummary } from './labour-summary';
import { TimeLedger } from './ledger';
import { localDate } from './local-time';
import type { AgencyRules, Employment, ResponderProfile } from './pay-rules';
import { deriveTimeEntries, travelLegs, type DeploymentTimeline, type IncidentCalendar, type StatusChange } from './time-entries';

/** An audit entry as the export carries it (the fields the recomputation reads). */
export interface AuditedEntry {
  seq: number;
  occurredAt: string;
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

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const userOf = (actor: Record<string, unknown>): string => str(actor.userId) ?? `${String(actor.kind)}`;
const zeroTotals = (agency: string): AgencyTotals => ({
  agency,
  travelMinutes: 0,
  regularMinutes: 0,
  overtimeMinutes: 0,
  claimCents: 0,
  donatedMinutes: 0,
  donatedCents: 0,
});
const TOTAL_KEYS = ['travelMinutes', 'regularMinutes', 'overtimeMinutes', 'claimCents', 'donatedMinutes', 'donatedCents'] as const;

/**
 * Recomputes the packages of an incident from its audit entries alone, fed one at a time in chain order (an export
 * is read line by line, never whole): the incident's zone and dates, check-ins (with the departure time), ICS 211
 * corrections of the departure, ICS 221 travel home (ETA), status changes and check-outs, the
 * agencies' rules and rates, employment, corrections and their approvals, day approvals (with the deployment facts
 * each records), and each certification's deployment facts and totals. A certified package is computed as of its
 * certification, as the server did when it certified. What is kept is the replayed state (deployments, rules,
 * ledger), not the entries.
 */
export class AuditRecomputation {
  private lastSeq = -Infinity;
  private timeZone = 'UTC';
  private createdAt: Date | null = null;
  private closedAt: Date | null = null;
  private lastAt: Date | null = null;
  private readonly deployments = new Map<
    string,
    { responderId: string; checkedInAt: Date; checkedOutAt: Date | null; changes: StatusChange[]; departureAt: string | null; etaHome: Date | null }
  >();
  private readonly rules = new Map<string, AgencyRules>();
  private readonly employment = new Map<string, Employment>();
  private readonly recorded = new Map<
    string,
    { responderId: string; agency: string; date: string; onDuty: Array<{ start: string; end: string }>; reason: string; author: string }
  >();
  private readonly ledgerEvents: Array<(ledger: TimeLedger) => void> = [];
  /** Per agency: the deployment facts its day approvals recorded (deployment id to facts). */
  private readonly approvedFacts = new Map<string, Map<string, CertifiedDeployment>>();
  private readonly certified = new Set<string>();
  private readonly computed: Recomputed[] = [];

  /** Feeds the next entry; entries must come in chain order (increasing `seq`), as the export writes them. */
  add(e: AuditedEntry): void {
    if (!(e.seq > this.lastSeq)) throw new Error(`audit entry ${e.seq} is out of chain order (after ${this.lastSeq})`);
    this.lastSeq = e.seq;
    const p = e.payload;
    const at = new Date(e.occurredAt);
    this.lastAt = at;
    switch (e.action) {
      case 'incident.created':
        this.createdAt = at;
        this.timeZone = str(p.timeZone) ?? 'UTC';
        break;
      case 'incident.updated': {
        const zone = str((p.changes as Record<string, unknown> | undefined)?.timeZone);
        if (zone) this.timeZone = zone;
        break;
      }
      case 'incident.closed':
        this.closedAt = at;
        break;
      case 'checkin.admitted':
      case 'checkin.admitted_with_warnings': {
        const id = str(p.deploymentId);
        const responderId = str(p.responderId);
        if (id && responderId && !this.deployments.has(id)) {
          this.deployments.set(id, { responderId, checkedInAt: at, checkedOutAt: null, changes: [], departureAt: str(p.departureAt), etaHome: null });
        }
        break;
      }
      case 'ics211.edited': {
        const d = e.targetId ? this.deployments.get(e.targetId) : undefined;
        const departureAt = str((p.after as Record<string, unknown> | undefined)?.departureAt);
        if (d && departureAt !== null) d.departureAt = departureAt;
        break;
      }
      case 'demob.travel_recorded': {
        const d = e.targetId ? this.deployments.get(e.targetId) : undefined;
        const eta = str(p.etaHome);
        if (d && eta !== null) d.etaHome = new Date(eta);
        break;
      }
      case 'deployment.status_changed': {
        const d = e.targetId ? this.deployments.get(e.targetId) : undefined;
        const to = p.to as { status?: StatusChange['status']; reason?: string } | undefined;
        if (d && to?.status) d.changes.push({ at, status: to.status, reason: to.reason ?? null });
        break;
      }
      case 'deployment.checked_out': {
        const d = e.targetId ? this.deployments.get(e.targetId) : undefined;
        if (d) d.checkedOutAt = new Date(str(p.checkedOutAt) ?? e.occurredAt);
        break;
      }
      case 'time.rules_set':
        this.rules.set(String(p.agency), p as unknown as AgencyRules);
        break;
      case 'time.employment_set':
        if (e.targetId) this.employment.set(e.targetId, p.employment as Employment);
        break;
      case 'time.correction_recorded':
        if (e.targetId) {
          this.recorded.set(e.targetId, {
            responderId: String(p.responderId),
            agency: String(p.agency),
            date: String(p.date),
            onDuty: p.onDuty as Array<{ start: string; end: string }>,
            reason: String(p.reason),
            author: userOf(e.actor),
          });
        }
        break;
      case 'time.correction_approved': {
        const c = e.targetId ? this.recorded.get(e.targetId) : undefined;
        const id = e.targetId;
        if (c && id) {
          const correction = {
            id,
            ...c,
            onDuty: c.onDuty.map((i) => ({ start: Date.parse(i.start), end: Date.parse(i.end) })),
            approver: userOf(e.actor),
            at,
          };
          this.ledgerEvents.push((ledger) => ledger.correct(correction));
        }
        break;
      }
      case 'time.day_approved':
      case 'time.day_reapproved': {
        const approval = { id: String(e.seq), agency: String(p.agency), date: String(p.date), approvedBy: userOf(e.actor), at };
        this.ledgerEvents.push((ledger) => ledger.approve(approval));
        if (Array.isArray(p.deployments)) {
          const facts = this.approvedFacts.get(approval.agency) ?? new Map<string, CertifiedDeployment>();
          for (const f of p.deployments as CertifiedDeployment[]) facts.set(f.deploymentId, f);
          this.approvedFacts.set(approval.agency, facts);
        }
        break;
      }
      case 'time.period_approved':
      case 'time.period_reapproved': {
        const approval = {
          id: String(e.seq),
          agency: String(p.agency),
          periodId: String(p.periodId),
          start: Date.parse(String(p.startsAt)),
          end: Date.parse(String(p.endsAt)),
          approvedBy: userOf(e.actor),
          at,
        };
        this.ledgerEvents.push((ledger) => ledger.approvePeriod(approval));
        if (Array.isArray(p.deployments)) {
          const facts = this.approvedFacts.get(approval.agency) ?? new Map<string, CertifiedDeployment>();
          for (const f of p.deployments as CertifiedDeployment[]) facts.set(f.deploymentId, f);
          this.approvedFacts.set(approval.agency, facts);
        }
        break;
      }
      case 'time.package_certified': {
        const agency = String(p.agency);
        this.certified.add(agency);
        const summary = this.summaryOf(agency, p.deployments as CertifiedDeployment[], at, true);
        const totals = summary.totals.find((t) => t.agency === agency) ?? zeroTotals(agency);
        const certified = { ...zeroTotals(agency), ...(p.totals as Partial<AgencyTotals>) };
        this.computed.push({
          agency,
          certifiedAt: e.occurredAt,
          totals,
          certified,
          matches: TOTAL_KEYS.every((k) => totals[k] === certified[k]),
        });
        break;
      }
      default:
        break;
    }
  }

  /** The certified packages, in the order they were certified. */
  results(): Recomputed[] {
    return [...this.computed];
  }

  /**
   * The agencies with approved days and no certification: their approved days recomputed as of `asOf` (default: the
   * last entry) on the deployments their approvals recorded. Weekly overtime counts the days of the week whose
   * deployments an approval recorded; a day nobody approved yet may still move time of a later day into overtime.
   */
  provisional(asOf: Date | null = this.lastAt): Provisional[] {
    const out: Provisional[] = [];
    const when = asOf ?? new Date(0);
    for (const [agency, facts] of [...this.approvedFacts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (this.certified.has(agency)) continue;
      const summary = this.summaryOf(agency, [...facts.values()], when, false);
      const totals = zeroTotals(agency);
      const approved = new Set<string>();
      const waiting = new Set<string>();
      for (const r of summary.rows) {
        if (r.status === 'reapproval_required') waiting.add(r.date);
        if (r.status !== 'approved') continue;
        approved.add(r.date);
        for (const k of TOTAL_KEYS) totals[k] += r[k];
      }
      out.push({ agency, asOf: when.toISOString(), approvedDates: [...approved].sort(), reapprovalDates: [...waiting].sort(), totals });
    }
    return out;
  }

  private summaryOf(agency: string, facts: readonly CertifiedDeployment[], at: Date, settledOnly: boolean): LabourSummary {
    if (!this.createdAt) throw new Error('the export has no incident.created entry: the incident dates are unknown');
    const tz = this.timeZone;
    const calendar: IncidentCalendar = { timeZone: tz, startDate: localDate(this.createdAt, tz), endDate: this.closedAt ? localDate(this.closedAt, tz) : null };
    const timelines: DeploymentTimeline[] = [];
    const profiles = new Map<string, ResponderProfile>();
    for (const f of facts) {
      const d = this.deployments.get(f.deploymentId);
      if (!d) throw new Error(`deployment ${f.deploymentId} is recorded for ${agency} but its check-in is not in the export`);
      timelines.push({
        deploymentId: f.deploymentId,
        responderId: d.responderId,
        agency,
        checkedInAt: d.checkedInAt,
        checkedOutAt: d.checkedOutAt,
        statusChanges: d.changes,
        ...travelLegs(d, tz),
      });
      profiles.set(d.responderId, {
        responderId: d.responderId,
        name: d.responderId,
        position: f.position,
        employment: this.employment.get(d.responderId) ?? 'employee',
      });
    }
    const ledger = new TimeLedger(calendar);
    for (const apply of this.ledgerEvents) apply(ledger);
    return labourSummary(deriveTimeEntries(calendar, timelines, at), ledger, this.rules, profiles, { agency, settledOnly });
  }
}

/** Recomputes the certified packages of an incident from its audit entries (any order: sorted by `seq` first). */
export function recomputeFromAudit(entries: readonly AuditedEntry[]): Recomputed[] {
  const r = new AuditRecomputation();
  for (const e of [...entries].sort((a, b) => a.seq - b.seq)) r.add(e);
  return r.results();
}
