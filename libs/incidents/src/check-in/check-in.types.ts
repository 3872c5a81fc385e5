import type { CredentialSummary, VerificationCheck, VerificationEvidence } from '@app/credentials';
import type { PracticeAuthorityView } from '@app/practice-authority';
import type { DeploymentView } from '../deployments/deployment.view';

export type CheckInDecision = 'admitted' | 'admitted_with_warnings' | 'denied';

/** Check-in's own reasons, beside the verification engine's reason codes. */
export type CheckInReasonCode =
  | VerificationCheck['code']
  | 'not_qualified'
  | 'no_qualification'
  | 'active_elsewhere'
  | 'status_unavailable_policy'
  | 'no_practice_authority'
  | 'basis_not_accepted'
  | 'level_too_low'
  | 'deployment_record';

export interface CheckInReason {
  code: CheckInReasonCode | string;
  message: string;
}

export interface CheckInResponse {
  attemptId: string;
  incidentId: string;
  decision: CheckInDecision;
  reasons: CheckInReason[];
  /** True when the badge belongs to someone already checked in here: the existing deployment is returned. */
  alreadyCheckedIn: boolean;
  responder: { id: string; name: string; qualifications: string[] } | null;
  deployment: DeploymentView | null;
  verification: {
    verified: boolean;
    checks: VerificationCheck[];
    credential: CredentialSummary | null;
    evidence: VerificationEvidence;
  };
  /** May this person practise here now, on what basis, at which ESAR-VHP level; null when the credential was refused. */
  practiceAuthority: PracticeAuthorityView | null;
  performedAt: string;
}
