/**
 * Who does what (see docs/domain): least privilege, one role per user. A supervisor (division/group) answers for
 * the assignments a commander gives them at an incident (docs/accountability.md); a timekeeper is the time unit of an
 * incident it is assigned to (time records, corrections, approvals).
 */
export const ROLES = ['admin', 'commander', 'checkin', 'auditor', 'supervisor', 'timekeeper'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** The signed-in user as every route and gateway sees it. */
export interface Principal {
  userId: string;
  email: string;
  displayName: string;
  role: Role;
  /** Auditors only: the jurisdictions (e.g. US-FL) whose incidents they may read. */
  jurisdictions: string[];
}
