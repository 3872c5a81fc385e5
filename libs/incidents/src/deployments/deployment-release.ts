import type { Transaction } from '@app/db';

/** What a released (checked-out) deployment was, as a deployment record states it. Read in the check-out transaction. */
export interface ReleasedDeployment {
  deploymentId: string;
  incidentId: string;
  responderId: string;
  incident: { name: string; number: string; type: string; jurisdiction: string };
  responder: { name: string; email: string | null; subjectId: string | null };
  /** The position checked in to, and every assignment held (status history order, without repeats). */
  position: string | null;
  assignments: string[];
  location: string | null;
  agency: string | null;
  homeUnit: string | null;
  checkedInAt: string;
  checkedOutAt: string;
  hoursOnDuty: number;
  /** The credential that admitted the responder, by hash (never a copy). */
  credential: { hash: string; issuerId: string | null; issuerName: string | null; qualification: string | null; licenseNumber: string | null };
  /** Why the responder could practise here: the trust decision of the admitting check-in (e.g. mutual aid). */
  legalBasis: string | null;
}

/**
 * Called at check-out (implemented by @app/deployment-records): `released` inside the check-out transaction (it may
 * only record, so a failure there is the check-out's), `committed` after commit (work that must not hold up or undo
 * the check-out).
 */
export abstract class DeploymentReleaseHook {
  abstract released(tx: Transaction, release: ReleasedDeployment): Promise<void>;
  abstract committed(deploymentId: string): void;
}
