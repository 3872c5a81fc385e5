import type { Transaction } from '@app/db';
import type { ResourceStatus, RosterEntry } from '../live-events';
import type { LiveAlert, LiveBoard, LiveBoardCounts, LiveIncidentSummary } from '../live-protocol';

/**
 * Supplies the board of one incident (roster, counts, open alerts). Implemented by @app/incidents, which owns the
 * tables; realtime only adds the sequence number and delivers it.
 *
 * `tx` is a REPEATABLE READ, read-only transaction in which the gateway has just read the incident's event
 * sequence number: read the board through `tx` and the snapshot is exactly "the board as of seq N", so the client
 * can apply events N+1, N+2, ... on top of it. Throw DomainError('not_found') for an unknown incident.
 */
export abstract class LiveSnapshotSource {
  abstract snapshot(incidentId: string, tx: Transaction): Promise<LiveBoard>;
}

const UNASSIGNED = 'unassigned';

/** Counts and open alerts computed from a roster, for implementations of LiveSnapshotSource. */
export function summarizeRoster(roster: readonly RosterEntry[]): { counts: LiveBoardCounts; alerts: LiveAlert[] } {
  const byStatus: Record<ResourceStatus, number> = { assigned: 0, available: 0, out_of_service: 0 };
  const byAssignment: Record<string, number> = {};
  const byQualification: Record<string, number> = {};
  const alerts: LiveAlert[] = [];
  for (const entry of roster) {
    byStatus[entry.status] += 1;
    const assignment = entry.assignment ?? UNASSIGNED;
    byAssignment[assignment] = (byAssignment[assignment] ?? 0) + 1;
    for (const q of new Set(entry.qualifications)) byQualification[q] = (byQualification[q] ?? 0) + 1;
    if (entry.credentialFlag) {
      alerts.push({ deploymentId: entry.deploymentId, responderId: entry.responderId, name: entry.name, flag: entry.credentialFlag });
    }
  }
  return { counts: { total: roster.length, byStatus, byAssignment, byQualification }, alerts };
}

/** A whole LiveBoard from the incident and its active roster. */
export function buildLiveBoard(incident: LiveIncidentSummary, roster: RosterEntry[]): LiveBoard {
  return { incident, roster, ...summarizeRoster(roster) };
}
