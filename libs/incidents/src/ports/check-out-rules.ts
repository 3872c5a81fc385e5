import type { AuditActor } from '@app/audit';
import type { Transaction } from '@app/db';

/**
 * Rules another library adds to a check-out (ICS 221 demobilization, in @app/accountability). Throws a DomainError
 * to refuse; records its own audit entry, in `tx`, when an override lets the check-out through.
 */
export abstract class CheckOutRules {
  abstract beforeCheckOut(
    tx: Transaction,
    d: { incidentId: string; deploymentId: string; responderId: string },
    overrideReason: string | undefined,
    actor: AuditActor,
  ): Promise<void>;
}
