/**
 * A roll call (PAR) as the roll-call page shows it: the members with the live par.* events applied, the list's
 * filters, and the T-card rack (members grouped by assignment). Pure functions, unit-tested on their own.
 */
import type { MissingPerson, ParMember, ParWithMembers } from '../api/types';
import type { LiveEvent, LiveEventMap } from './protocol';
import { foldText } from '../text';

/** A running PAR's members with one live event applied: the counts come from the latest event, as on every board. */
export function applyParEvent(current: ParWithMembers, event: LiveEvent): ParWithMembers {
  const p = event.payload as { parId?: string };
  if (p.parId !== current.par.id) return current;
  switch (event.name) {
    case 'par.acknowledged': {
      // One event per group of requests committed together: each part names its people, how and by whom.
      const a = event.payload as LiveEventMap['par.acknowledged'];
      const marks = new Map(a.acknowledgements.flatMap((g) => g.deploymentIds.map((id) => [id, g] as const)));
      return {
        par: { ...current.par, counts: a.counts },
        members: current.members.map((m) => {
          const g = marks.get(m.deploymentId);
          return g ? { ...m, state: 'accounted', via: g.via, markedBy: g.by, markedAt: a.at } : m;
        }),
      };
    }
    case 'par.missing': {
      const a = event.payload as LiveEventMap['par.missing'];
      return {
        par: { ...current.par, counts: a.counts },
        members: current.members.map((m) => (m.deploymentId === a.deploymentId ? { ...m, state: 'missing', via: 'board', markedBy: a.by, markedAt: a.at } : m)),
      };
    }
    case 'par.completed': {
      const a = event.payload as LiveEventMap['par.completed'];
      return { ...current, par: { ...current.par, state: 'completed', completedAt: a.at, counts: a.counts } };
    }
    case 'par.overdue': {
      const a = event.payload as LiveEventMap['par.overdue'];
      return { ...current, par: { ...current.par, overdue: true, counts: a.counts } };
    }
    default:
      return current;
  }
}

export interface MemberFilter {
  /** Part of a name, any case. */
  search: string;
  /** '' everyone, '-' no assignment, else that assignment. */
  assignment: string;
  /** '' everyone, else people holding that qualification. */
  qualification: string;
  /** Only the people nobody has marked yet (not accounted, not missing). */
  unaccountedOnly: boolean;
}

/**
 * The members a filter keeps. Qualifications are not part of a PAR's list: they come from the live roster
 * (`qualificationsOf`); someone checked out since the start has none there and only shows without that filter.
 */
export function filterMembers(members: ParMember[], filter: MemberFilter, qualificationsOf: (deploymentId: string) => readonly string[]): ParMember[] {
  const needle = foldText(filter.search.trim());
  return members.filter(
    (m) =>
      (!filter.unaccountedOnly || m.state === 'unaccounted') &&
      (!filter.assignment || (filter.assignment === '-' ? !m.assignment : m.assignment === filter.assignment)) &&
      (!filter.qualification || qualificationsOf(m.deploymentId).includes(filter.qualification)) &&
      (!needle || foldText(m.name).includes(needle)),
  );
}

export interface RackColumn {
  /** null: people with no assignment. */
  assignment: string | null;
  members: ParMember[];
  accounted: number;
}

const STATE_ORDER: Record<ParMember['state'], number> = { missing: 0, unaccounted: 1, accounted: 2 };

/**
 * The T-card rack: one column per assignment (alphabetical, "no assignment" last), cards ordered missing first,
 * then unaccounted, then accounted, each by name, so the people still to find are at the top of their column.
 */
export function rackOf(members: ParMember[]): RackColumn[] {
  const columns = new Map<string | null, ParMember[]>();
  for (const m of members) {
    const list = columns.get(m.assignment) ?? [];
    list.push(m);
    columns.set(m.assignment, list);
  }
  return [...columns]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
    .map(([assignment, list]) => ({
      assignment,
      members: [...list].sort((x, y) => STATE_ORDER[x.state] - STATE_ORDER[y.state] || x.name.localeCompare(y.name)),
      accounted: list.filter((m) => m.state === 'accounted').length,
    }));
}

/**
 * Whether a board event changes who is missing: someone marked missing, or someone on the list accounted for. An
 * acknowledgement of others asks nothing of the server (a roll call of thousands sends many, to every board).
 */
export function changesMissing(event: LiveEvent, people: readonly MissingPerson[] | undefined): boolean {
  if (event.name === 'par.missing') return true;
  if (event.name !== 'par.acknowledged' || !people || people.length === 0) return false;
  const listed = new Set(people.map((p) => p.deploymentId));
  return (event.payload as LiveEventMap['par.acknowledged']).acknowledgements.some((a) => a.deploymentIds.some((id) => listed.has(id)));
}
