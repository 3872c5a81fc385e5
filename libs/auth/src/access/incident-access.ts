import type { Principal } from '../roles';

/**
 * Answers "may this user see / act on this incident?". Implemented by @app/incidents (which knows assignments and
 * jurisdictions) and used by the guard and the live gateway; auth itself knows nothing about incidents.
 * Throws a DomainError (not_found / forbidden) when the answer is no.
 */
export abstract class IncidentAccess {
  /** `fresh`: ask the database, not a recent answer (after an access change). */
  abstract assertCanAccess(principal: Principal, incidentId: string, options?: { fresh?: boolean }): Promise<void>;
}
