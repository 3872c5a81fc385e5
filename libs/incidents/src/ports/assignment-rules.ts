import type { AuditActor } from '@app/audit';
import type { Transaction } from '@app/db';
import type { WorkFacts } from '../deployments/work-periods.repository';

/**
 * Rules another library adds to a change of status to Assigned (work and rest limits, in @app/accountability).
 * Throws a DomainError to refuse; records its own audit entry, in `tx`, when an override lets the change through.
 */
export abstract class AssignmentRules {
  abstract beforeAssign(tx: Transaction, facts: WorkFacts, overrideReason: string | undefined, actor: AuditActor): Promise<void>;
}
