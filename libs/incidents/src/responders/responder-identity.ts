import type { CredentialSummary, VerificationResult } from '@app/credentials';
import type { VerificationKind } from './verification';

export interface ResolvedIdentity {
  responderId: string;
  credentialId: string;
  /** The verification row recorded for this scan. */
  verificationId: string;
  name: string;
  email: string | null;
  /** Qualifications from this responder's currently verified credentials, this one included. */
  qualifications: string[];
  /** The responder's deployment that is not checked out yet, at whichever incident. */
  active: { deploymentId: string; incidentId: string } | null;
  /** Stored identity fields this credential names differently (none for a first scan): applied with history and audit. */
  changes: IdentityChange[];
}

export interface IdentityChange {
  field: 'name' | 'email';
  from: string | null;
  to: string;
}

export interface Presentation {
  summary: CredentialSummary;
  /** What was scanned (a bare JWS or a URL carrying one). */
  scanned: string;
  result: VerificationResult;
  incidentId: string;
  kind: VerificationKind;
  at: Date;
  /** Ids for the rows this presentation creates if its responder and credential are new. */
  ids: { responderId: string; credentialId: string; verificationId: string };
}

/**
 * What was stored of a presentation's responder when it was known before (recorded with the presentation, so its
 * credential and verification rows exist).
 */
export interface KnownResponder {
  responderId: string;
  name: string;
  email: string | null;
  credentialId: string;
  verificationId: string;
  /** The qualifications of the responder's other verified, unexpired credentials. */
  otherQualifications: string[];
  /** A deployment of theirs not checked out yet, at whichever incident. */
  active: { deploymentId: string; incidentId: string } | null;
}

/**
 * Whether a credential may say who its holder is: its signature, data model and dates verified and the incident
 * trusts its issuer for it. Only its status may be indeterminate (a list that could not be read: the incident's
 * policy decides on that). Anything else (a key nobody trusts, a board outside its remit, an expired or revoked
 * credential) is a denied attempt that creates, renames and re-keys nobody.
 */
export function establishesIdentity(result: VerificationResult): boolean {
  return result.checks.length > 0 && result.checks.every((c) => c.status === 'pass' || (c.id === 'status' && c.status === 'indeterminate'));
}

/** The name a responder is stored under when a credential creates them. */
export function responderName(summary: CredentialSummary): string {
  return summary.subject.name?.trim() || summary.licenseNumber || 'Unnamed responder';
}

/** The identity of a presentation whose responder and credential are new (the ids it carries). */
export function firstSeenIdentity(p: Presentation): ResolvedIdentity {
  return {
    responderId: p.ids.responderId,
    credentialId: p.ids.credentialId,
    verificationId: p.ids.verificationId,
    name: responderName(p.summary),
    email: p.summary.subject.email ?? null,
    qualifications: ownQualification(p),
    active: null,
    changes: [],
  };
}

function ownQualification({ summary, result }: Presentation): string[] {
  return result.verified && summary.qualification && (!summary.validUntil || Date.parse(summary.validUntil) > Date.now()) ? [summary.qualification] : [];
}

/**
 * The identity of a presentation whose responder was known: the name and e-mail the credential carries (a
 * credential without them keeps the stored ones), and what that changes.
 */
export function identityFrom(p: Presentation, known: KnownResponder): ResolvedIdentity {
  const { summary } = p;
  const own = ownQualification(p);
  const name = summary.subject.name?.trim() || known.name;
  const email = summary.subject.email ?? known.email;
  const changes: IdentityChange[] = [];
  if (name !== known.name) changes.push({ field: 'name', from: known.name, to: name });
  if (email !== null && email !== known.email) changes.push({ field: 'email', from: known.email, to: email });
  return {
    responderId: known.responderId,
    credentialId: known.credentialId,
    verificationId: known.verificationId,
    name,
    email,
    qualifications: [...new Set([...known.otherQualifications, ...own])].sort(),
    active: known.active,
    changes,
  };
}
