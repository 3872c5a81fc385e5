/**
 * The commander board's state: a snapshot from the live gateway with the incident's events applied on top, in
 * sequence order. Pure functions (no DOM, no socket), so the rules are unit-tested on their own.
 */
import type { LiveAlert, LiveBoardCounts, LiveEvent, LiveEventMap, LiveIncidentSummary, LiveSnapshot, ResourceStatus, RosterEntry } from './protocol';
import { foldText } from '../text';

export interface DeniedScan {
  attemptId: string;
  name?: string;
  reasons: Array<{ code: string; message: string }>;
  at: string;
}

export interface ExpiringCredential {
  deploymentId: string;
  name: string;
  validUntil: string;
}

export interface BoardState {
  incidentId: string;
  /** The last incident sequence number applied. */
  seq: number;
  incident: LiveIncidentSummary;
  roster: RosterEntry[];
  /** Open credential problems, newest first. */
  alerts: LiveAlert[];
  expiring: ExpiringCredential[];
  /** The latest denied scans (newest first), for the commander's awareness. */
  denied: DeniedScan[];
}

const MAX_DENIED = 10;

export function fromSnapshot(s: LiveSnapshot): BoardState {
  return {
    incidentId: s.incidentId,
    seq: s.seq,
    incident: s.incident,
    roster: s.roster,
    alerts: [...s.alerts].sort((a, b) => b.flag.at.localeCompare(a.flag.at)),
    expiring: [],
    denied: [],
  };
}

/**
 * Applies one event. Events at or below the state's seq were already applied (a resync can repeat them) and are
 * ignored; gaps are the connection's business (it resyncs before handing events over).
 */
export function applyEvent(state: BoardState, event: LiveEvent): BoardState {
  if (event.incidentId !== state.incidentId || event.seq <= state.seq) return state;
  const next: BoardState = { ...state, seq: event.seq };
  switch (event.name) {
    case 'deployment.checked_in':
    case 'deployment.updated': {
      const { deployment } = event.payload as LiveEventMap['deployment.checked_in'];
      next.roster = [...state.roster.filter((r) => r.deploymentId !== deployment.deploymentId), deployment];
      if (deployment.credentialFlag) next.alerts = upsertAlert(state.alerts, { ...deployment, flag: deployment.credentialFlag });
      return next;
    }
    case 'deployment.status_changed': {
      const p = event.payload as LiveEventMap['deployment.status_changed'];
      next.roster = state.roster.map((r) =>
        r.deploymentId === p.deploymentId ? { ...r, status: p.to.status, statusReason: p.to.reason, assignment: p.to.assignment } : r,
      );
      return next;
    }
    case 'deployment.checked_out': {
      const p = event.payload as LiveEventMap['deployment.checked_out'];
      next.roster = state.roster.filter((r) => r.deploymentId !== p.deploymentId);
      next.alerts = state.alerts.filter((a) => a.deploymentId !== p.deploymentId);
      next.expiring = state.expiring.filter((x) => x.deploymentId !== p.deploymentId);
      return next;
    }
    case 'checkin.denied': {
      const p = event.payload as LiveEventMap['checkin.denied'];
      next.denied = [{ attemptId: p.attemptId, name: p.name, reasons: p.reasons, at: p.at }, ...state.denied].slice(0, MAX_DENIED);
      return next;
    }
    case 'credential.flagged': {
      const p = event.payload as LiveEventMap['credential.flagged'];
      if (p.deploymentId) next.roster = state.roster.map((r) => (r.deploymentId === p.deploymentId ? { ...r, credentialFlag: p.flag } : r));
      // An offline admission denied online has no deployment: its alert is keyed by the scan.
      const key = p.deploymentId ?? `offline:${p.offline?.scanId ?? p.name}`;
      next.alerts = upsertAlert(state.alerts, { deploymentId: key, responderId: p.responderId ?? '', name: p.name, flag: p.flag });
      return next;
    }
    case 'credential.cleared': {
      const p = event.payload as LiveEventMap['credential.cleared'];
      next.roster = state.roster.map((r) => (r.deploymentId === p.deploymentId ? { ...r, credentialFlag: null } : r));
      next.alerts = state.alerts.filter((a) => a.deploymentId !== p.deploymentId);
      return next;
    }
    case 'credential.expiring': {
      const p = event.payload as LiveEventMap['credential.expiring'];
      next.expiring = [
        ...state.expiring.filter((x) => x.deploymentId !== p.deploymentId),
        { deploymentId: p.deploymentId, name: p.name, validUntil: p.validUntil },
      ];
      return next;
    }
    case 'incident.updated': {
      const p = event.payload as LiveEventMap['incident.updated'];
      next.incident = { ...state.incident, name: p.name, state: p.state };
      return next;
    }
    default:
      return next;
  }
}

function upsertAlert(alerts: LiveAlert[], alert: LiveAlert): LiveAlert[] {
  return [alert, ...alerts.filter((a) => a.deploymentId !== alert.deploymentId)];
}

/** Head counts of the roster as it is now (recomputed, so they can never drift from the list they describe). */
export function countRoster(roster: RosterEntry[]): LiveBoardCounts {
  const counts: LiveBoardCounts = { total: roster.length, byStatus: { assigned: 0, available: 0, out_of_service: 0 }, byAssignment: {}, byQualification: {} };
  for (const r of roster) {
    counts.byStatus[r.status] += 1;
    const assignment = r.assignment ?? 'unassigned';
    counts.byAssignment[assignment] = (counts.byAssignment[assignment] ?? 0) + 1;
    for (const q of r.qualifications) counts.byQualification[q] = (counts.byQualification[q] ?? 0) + 1;
  }
  return counts;
}

/** ESAR-VHP level of an entry as the board counts and filters it: "1" to "4", or "none". */
export const levelKey = (r: RosterEntry): string => (r.esarVhpLevel ? String(r.esarVhpLevel) : 'none');

/** What the commander narrowed the board to: text typed, one qualification, one ESAR-VHP level (null: all). */
export interface RosterFilter {
  search: string;
  qualification: string | null;
  level: string | null;
}

/**
 * The entries a filter keeps. The search matches, accents and case aside, any part of the name, a qualification,
 * the issuer, agency or home unit, the position, the location or the assignment.
 */
export function filterRoster(roster: RosterEntry[], filter: RosterFilter): RosterEntry[] {
  const needle = foldText(filter.search.trim());
  return roster.filter(
    (r) =>
      (!filter.level || levelKey(r) === filter.level) &&
      (!filter.qualification || r.qualifications.includes(filter.qualification)) &&
      (!needle || foldText(searchableText(r)).includes(needle)),
  );
}

const searchableText = (r: RosterEntry): string =>
  [r.name, ...r.qualifications, r.issuerName, r.agency, r.homeUnit, r.position?.name, r.location?.name, r.assignment].filter(Boolean).join('\n');

/** Head count by ESAR-VHP level ("none" for responders without one), in level order. */
export function countByLevel(roster: RosterEntry[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const r of roster) counts.set(levelKey(r), (counts.get(levelKey(r)) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b));
}

export interface RosterGroup {
  key: string;
  title: string;
  status: ResourceStatus;
  entries: RosterEntry[];
}

const STATUS_ORDER: ResourceStatus[] = ['assigned', 'available', 'out_of_service'];
const STATUS_TITLE: Record<ResourceStatus, string> = { assigned: 'Assigned', available: 'Available', out_of_service: 'Out of service' };

/**
 * The roster grouped as a T-card rack: assigned responders by assignment (division, group, staging area), then
 * available, then out of service. Inside each group: people still missing after a roll call (`missing`), then
 * flagged credentials, then by name.
 */
export function groupRoster(roster: RosterEntry[], missing: ReadonlySet<string> = new Set()): RosterGroup[] {
  const groups = new Map<string, RosterGroup>();
  for (const r of roster) {
    const key = r.status === 'assigned' ? `assigned:${r.assignment ?? ''}` : r.status;
    let group = groups.get(key);
    if (!group) {
      const title = r.status === 'assigned' ? `Assigned – ${r.assignment ?? 'no assignment given'}` : STATUS_TITLE[r.status];
      group = { key, title, status: r.status, entries: [] };
      groups.set(key, group);
    }
    group.entries.push(r);
  }
  const byUrgency = (a: RosterEntry, b: RosterEntry): number =>
    Number(missing.has(b.deploymentId)) - Number(missing.has(a.deploymentId)) ||
    Number(!!b.credentialFlag) - Number(!!a.credentialFlag) ||
    a.name.localeCompare(b.name);
  return [...groups.values()]
    .map((g) => ({ ...g, entries: g.entries.sort(byUrgency) }))
    .sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || a.title.localeCompare(b.title));
}
