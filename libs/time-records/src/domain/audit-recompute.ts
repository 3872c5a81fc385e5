import { labourSummary, type AgencyTotals } from './labour-summary';
import { TimeLedger } from './ledger';
import { localDate } from './local-time';
import type { AgencyRules, Employment, ResponderProfile } from './pay-rules';
import { deriveTimeEntries, type DeploymentTimeline, type IncidentCalendar, type StatusChange } from './time-entries';

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

/**
 * Recomputes the certified packages of an incident from its audit entries alone (in chain order): the incident's
 * zone and dates, check-ins, status changes and check-outs, the agencies' rules and rates, employment, corrections
 * and their approvals, day approvals, and each certification's deployment facts and totals. The figures are
 * computed as of the certification, as the server did when it certified.
 */
export function recomputeFromAudit(entries: readonly AuditedEntry[]): Recomputed[] {
  let timeZone = 'UTC';
  let createdAt: Date | null = null;
  let closedAt: Date | null = null;
  const deployments = new Map<string, { responderId: string; checkedInAt: Date; checkedOutAt: Date | null; changes: StatusChange[] }>();
  const rules = new Map<string, AgencyRules>();
  const employment = new Map<string, Employment>();
  const recorded = new Map<
    string,
    { responderId: string; agency: string; date: string; onDuty: Array<{ start: string; end: string }>; reason: string; author: string }
  >();
  const ledgerEvents: Array<(ledger: TimeLedger) => void> = [];
  const results: Recomputed[] = [];

  for (const e of [...entries].sort((a, b) => a.seq - b.seq)) {
    const p = e.payload;
    const at = new Date(e.occurredAt);
    switch (e.action) {
      case 'incident.created':
        createdAt = at;
        timeZone = str(p.timeZone) ?? 'UTC';
        break;
      case 'incident.updated': {
        const zone = str((p.changes as Record<string, unknown> | undefined)?.timeZone);
        if (zone) timeZone = zone;
        break;
      }
      case 'incident.closed':
        closedAt = at;
        break;
      case 'checkin.admitted':
      case 'checkin.admitted_with_warnings': {
        const id = str(p.deploymentId);
        const responderId = str(p.responderId);
        if (id && responderId && !deployments.has(id)) deployments.set(id, { responderId, checkedInAt: at, checkedOutAt: null, changes: [] });
        break;
      }
      case 'deployment.status_changed': {
        const d = e.targetId ? deployments.get(e.targetId) : undefined;
        const to = p.to as { status?: StatusChange['status']; reason?: string } | undefined;
        if (d && to?.status) d.changes.push({ at, status: to.status, reason: to.reason ?? null });
        break;
      }
      case 'deployment.checked_out': {
        const d = e.targetId ? deployments.get(e.targetId) : undefined;
        if (d) d.checkedOutAt = new Date(str(p.checkedOutAt) ?? e.occurredAt);
        break;
      }
      case 'time.rules_set':
        rules.set(String(p.agency), p as unknown as AgencyRules);
        break;
      case 'time.employment_set':
        if (e.targetId) employment.set(e.targetId, p.employment as Employment);
        break;
      case 'time.correction_recorded':
        if (e.targetId) {
          recorded.set(e.targetId, {
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
        const c = e.targetId ? recorded.get(e.targetId) : undefined;
        const id = e.targetId;
        if (c && id) {
          const correction = {
            id,
            ...c,
            onDuty: c.onDuty.map((i) => ({ start: Date.parse(i.start), end: Date.parse(i.end) })),
            approver: userOf(e.actor),
            at,
          };
          ledgerEvents.push((ledger) => ledger.correct(correction));
        }
        break;
      }
      case 'time.day_approved':
      case 'time.day_reapproved': {
        const approval = { id: String(e.seq), agency: String(p.agency), date: String(p.date), approvedBy: userOf(e.actor), at };
        ledgerEvents.push((ledger) => ledger.approve(approval));
        break;
      }
      case 'time.package_certified': {
        if (!createdAt) throw new Error('the export has no incident.created entry: the incident dates are unknown');
        const agency = String(p.agency);
        const calendar: IncidentCalendar = { timeZone, startDate: localDate(createdAt, timeZone), endDate: closedAt ? localDate(closedAt, timeZone) : null };
        const facts = p.deployments as CertifiedDeployment[];
        const timelines: DeploymentTimeline[] = [];
        const profiles = new Map<string, ResponderProfile>();
        for (const f of facts) {
          const d = deployments.get(f.deploymentId);
          if (!d) throw new Error(`deployment ${f.deploymentId} is certified but its check-in is not in the export`);
          timelines.push({
            deploymentId: f.deploymentId,
            responderId: d.responderId,
            agency,
            checkedInAt: d.checkedInAt,
            checkedOutAt: d.checkedOutAt,
            statusChanges: d.changes,
          });
          profiles.set(d.responderId, {
            responderId: d.responderId,
            name: d.responderId,
            position: f.position,
            employment: employment.get(d.responderId) ?? 'employee',
          });
        }
        const ledger = new TimeLedger(calendar);
        for (const apply of ledgerEvents) apply(ledger);
        const summary = labourSummary(deriveTimeEntries(calendar, timelines, at), ledger, rules, profiles, { agency, settledOnly: true });
        const zero: AgencyTotals = { agency, regularMinutes: 0, overtimeMinutes: 0, claimCents: 0, donatedMinutes: 0, donatedCents: 0 };
        const totals = summary.totals.find((t) => t.agency === agency) ?? zero;
        const certified = { ...zero, ...(p.totals as Partial<AgencyTotals>) };
        results.push({
          agency,
          certifiedAt: e.occurredAt,
          totals,
          certified,
          matches: (['regularMinutes', 'overtimeMinutes', 'claimCents', 'donatedMinutes', 'donatedCents'] as const).every((k) => totals[k] === certified[k]),
        });
        break;
      }
      default:
        break;
    }
  }
  return results;
}
