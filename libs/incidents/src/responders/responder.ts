/** One person across scans and credentials: identified by credential subject id, else issuer + licence number. */
export interface Responder {
  id: string;
  subjectId: string | null;
  issuerId: string | null;
  licenseNumber: string | null;
  name: string;
  email: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A stored name or e-mail of a known responder that a trusted, verified credential changed at a check-in: applied to
 * the responder and kept as history.
 */
export interface ResponderIdentityChange {
  responderId: string;
  field: 'name' | 'email';
  from: string | null;
  to: string;
  issuerId: string;
  credentialHash: string;
  /** The check-in attempt that presented the credential. */
  attemptId: string;
  changedAt: Date;
}
