import { Injectable } from '@nestjs/common';
import type { Transaction } from '@app/db';
import { buildLiveBoard, LiveSnapshotSource, summarizeRoster, type LiveBoard, type LiveBoardCounts } from '@app/realtime';
import { IncidentsService } from '../incidents/incidents.service';
import { DeploymentReader } from './deployment-reader';
import { toRosterEntry, type DeploymentView } from './deployment.view';

export interface RosterFilter {
  status?: string;
  assignment?: string;
  positionId?: string;
  qualification?: string;
  /** ESAR-VHP level 1-4, or "none". */
  level?: string;
}

export interface Roster {
  entries: DeploymentView[];
  /** Counts over the whole active roster (not only the filtered entries), as the board shows them. */
  counts: LiveBoardCounts & { byPosition: Record<string, number>; flagged: number; byLevel: Record<string, number> };
}

/** Who is on scene: the active deployments of an incident, filtered, with counts. Also the live board's snapshot. */
@Injectable()
export class RosterService extends LiveSnapshotSource {
  constructor(
    private readonly reader: DeploymentReader,
    private readonly incidents: IncidentsService,
  ) {
    super();
  }

  async roster(incidentId: string, filter: RosterFilter): Promise<Roster> {
    const active = await this.reader.list(incidentId, { activeOnly: true });
    const { counts, alerts } = summarizeRoster(active.map(toRosterEntry));
    const byPosition: Record<string, number> = {};
    const byLevel: Record<string, number> = {};
    for (const d of active) {
      const key = d.position?.name ?? 'none';
      byPosition[key] = (byPosition[key] ?? 0) + 1;
      byLevel[levelOf(d)] = (byLevel[levelOf(d)] ?? 0) + 1;
    }
    const entries = active.filter(
      (d) =>
        (!filter.status || d.status === filter.status) &&
        (!filter.assignment || (d.assignment ?? 'unassigned') === filter.assignment) &&
        (!filter.positionId || d.position?.id === filter.positionId) &&
        (!filter.qualification || d.credential.qualification === filter.qualification) &&
        (!filter.level || levelOf(d) === filter.level),
    );
    // Flagged credentials first: they are what a commander must act on.
    entries.sort((a, b) => Number(Boolean(b.credentialFlag)) - Number(Boolean(a.credentialFlag)));
    return { entries, counts: { ...counts, byPosition, flagged: alerts.length, byLevel } };
  }

  async snapshot(incidentId: string, tx: Transaction): Promise<LiveBoard> {
    const incident = await this.incidents.get(incidentId, tx);
    const roster = (await this.reader.list(incidentId, { activeOnly: true }, tx)).map(toRosterEntry);
    return buildLiveBoard({ id: incident.id, name: incident.name, number: incident.number, state: incident.state }, roster);
  }
}

/** A deployment's ESAR-VHP level as the roster counts and filters it: "1" to "4", or "none". */
function levelOf(d: DeploymentView): string {
  return String(d.practiceAuthority?.level.level ?? 'none');
}
