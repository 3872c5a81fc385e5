import type { ParCounts, ParReason } from '@app/realtime';
import type { AccountabilitySettings } from '../settings/accountability-settings.repository';
import { actorOnBoard, countsOf, type MissingMember, type Par, type ParMember } from '../par/par';

/** A PAR as the API shows it: actors as roles, as on the board. */
export interface ParView {
  id: string;
  incidentId: string;
  assignment: string | null;
  reason: ParReason;
  note: string | null;
  startedBy: string;
  startedAt: string;
  deadlineAt: string;
  state: 'running' | 'completed';
  overdue: boolean;
  completedAt: string | null;
  counts: ParCounts;
}

export interface ParMemberView {
  deploymentId: string;
  responderId: string;
  name: string;
  assignment: string | null;
  state: 'unaccounted' | 'accounted' | 'missing';
  via: 'board' | 'scan' | null;
  markedBy: string | null;
  markedAt: string | null;
}

export interface MissingPersonView {
  deploymentId: string;
  responderId: string;
  name: string;
  assignment: string | null;
  parId: string;
  markedBy: string;
  markedAt: string;
}

export interface ParWithMembersView {
  par: ParView;
  members: ParMemberView[];
}

export const parView = (p: Par): ParView => ({
  id: p.id,
  incidentId: p.incidentId,
  assignment: p.scopeAssignment,
  reason: p.reason,
  note: p.note,
  startedBy: actorOnBoard(p.startedBy),
  startedAt: p.startedAt.toISOString(),
  deadlineAt: p.deadlineAt.toISOString(),
  state: p.state,
  overdue: p.overdueAt !== null,
  completedAt: p.completedAt?.toISOString() ?? null,
  counts: countsOf(p),
});

export const memberView = (m: ParMember): ParMemberView => ({
  deploymentId: m.deploymentId,
  responderId: m.responderId,
  name: m.name,
  assignment: m.assignment,
  state: m.state,
  via: m.via,
  markedBy: m.markedBy ? actorOnBoard(m.markedBy) : null,
  markedAt: m.markedAt?.toISOString() ?? null,
});

export const missingPersonView = (m: MissingMember): MissingPersonView => ({
  deploymentId: m.deploymentId,
  responderId: m.responderId,
  name: m.name,
  assignment: m.assignment,
  parId: m.parId,
  // A missing mark always records who made it and when.
  markedBy: m.markedBy ? actorOnBoard(m.markedBy) : '',
  markedAt: m.markedAt?.toISOString() ?? '',
});

export interface SettingsView {
  parResponseSeconds: number;
  parTimerMinutes: number | null;
  parTimerDueAt: string | null;
  maxDaysOnIncident: number | null;
  maxHoursPerPeriod: number | null;
  minRestHours: number | null;
  demobRequired: boolean;
  demobSignoffs: string[];
}

export const settingsView = (s: AccountabilitySettings): SettingsView => ({
  parResponseSeconds: s.parResponseSeconds,
  parTimerMinutes: s.parTimerMinutes,
  parTimerDueAt: s.parTimerDueAt?.toISOString() ?? null,
  maxDaysOnIncident: s.maxDaysOnIncident,
  maxHoursPerPeriod: s.maxHoursPerPeriod,
  minRestHours: s.minRestHours,
  demobRequired: s.demobRequired,
  demobSignoffs: s.demobSignoffs,
});
