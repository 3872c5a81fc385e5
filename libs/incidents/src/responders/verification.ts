import type { VerificationCheck, VerificationEvidence } from '@app/credentials';

export type VerificationKind = 'check_in' | 'reverification' | 'manual';

/** Each time a credential was verified: how, when, every check and the evidence. */
export interface Verification {
  id: string;
  credentialId: string | null;
  incidentId: string | null;
  kind: VerificationKind;
  verified: boolean;
  checks: VerificationCheck[];
  evidence: VerificationEvidence;
  performedAt: Date;
}
