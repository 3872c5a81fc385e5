import type { CredentialSummary, StatusEntrySummary } from '@app/credentials';

/** A credential as a responder presented it (the exact JWS, kept for reverification and audit), kept by its hash. */
export interface PresentedCredential {
  id: string;
  hash: string;
  jws: string;
  responderId: string | null;
  format: string | null;
  issuerId: string | null;
  qualification: string | null;
  licenseNumber: string | null;
  validFrom: Date | null;
  validUntil: Date | null;
  statusEntries: StatusEntrySummary[];
  keyThumbprint: string | null;
  summary: CredentialSummary | null;
  firstSeenAt: Date;
  lastVerifiedAt: Date | null;
  lastVerified: boolean;
}
