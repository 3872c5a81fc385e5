import type { AuditActor } from '@app/audit';
import type { ParCounts, ParReason } from '@app/realtime';

export const PAR_REASONS = ['timer', 'collapse', 'evacuation', 'change_of_strategy', 'missing_member', 'other'] as const satisfies readonly ParReason[];
export type ParState = 'running' | 'completed';
export type MemberState = 'unaccounted' | 'accounted' | 'missing';
export type MarkVia = 'board' | 'scan';

/** A roll call: its scope, its expected list (fixed at the start) and the counts over that list. */
export interface Par {
  id: string;
  incidentId: string;
  /** Null: the whole incident. */
  scopeAssignment: string | null;
  reason: ParReason;
  note: string | null;
  startedBy: AuditActor;
  startedAt: Date;
  deadlineAt: Date;
  state: ParState;
  expected: number;
  accounted: number;
  missing: number;
  overdueAt: Date | null;
  completedAt: Date | null;
  completedBy: AuditActor | null;
}

export interface ParMember {
  deploymentId: string;
  responderId: string;
  name: string;
  assignment: string | null;
  state: MemberState;
  via: MarkVia | null;
  markedBy: AuditActor | null;
  markedAt: Date | null;
}

/** A person marked missing in a roll call and not accounted for since (GET /incidents/:id/missing). */
export interface MissingMember extends ParMember {
  /** The roll call that marked them missing. */
  parId: string;
}

export const countsOf = (p: Pick<Par, 'expected' | 'accounted' | 'missing'>): ParCounts => ({
  expected: p.expected,
  accounted: p.accounted,
  missing: p.missing,
  unaccounted: p.expected - p.accounted - p.missing,
});

/** Who did it, as the board shows it: a role, never an e-mail address. */
export const actorOnBoard = (a: AuditActor): string => (a.kind === 'user' ? a.role : a.kind === 'system' ? `system (${a.process})` : 'anonymous');
