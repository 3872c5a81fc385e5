import type { PracticeAuthorityView } from '@app/practice-authority';
import type { AuditActor } from '@app/audit';
import type { CredentialFlag, OutOfServiceReason, ResourceStatus } from '@app/realtime';
import type { LocationKind } from '../incidents/incident';
import type { Ics211Fields } from './ics211';

/** ICS resource status while deployed; `demobilized` once checked out. */
export type DeploymentStatus = ResourceStatus | 'demobilized';
export type AdmitDecision = 'admitted' | 'admitted_with_warnings';

/** A responder's stay at an incident, from check-in to check-out. */
export interface Deployment {
  id: string;
  incidentId: string;
  responderId: string;
  credentialId: string;
  positionId: string | null;
  locationId: string | null;
  decision: AdmitDecision;
  status: DeploymentStatus;
  statusReason: OutOfServiceReason | null;
  assignment: string | null;
  credentialFlag: CredentialFlag | null;
  ics211: Ics211Fields;
  checkedInAt: Date;
  checkedInBy: string | null;
  checkedOutAt: Date | null;
  checkedOutBy: string | null;
  lastReverifiedAt: Date | null;
  version: number;
}

/** A deployment with its responder, credential, position and location: what the API and the board show. */
export interface DeploymentDetails {
  id: string;
  incidentId: string;
  responder: { id: string; name: string; email: string | null };
  credential: {
    id: string;
    qualification: string | null;
    issuerId: string | null;
    issuerName: string | null;
    licenseNumber: string | null;
    validUntil: Date | null;
  };
  position: { id: string; name: string } | null;
  location: { id: string; name: string; kind: LocationKind } | null;
  decision: AdmitDecision;
  status: DeploymentStatus;
  statusReason: OutOfServiceReason | null;
  assignment: string | null;
  credentialFlag: CredentialFlag | null;
  ics211: Ics211Fields;
  practiceAuthority: PracticeAuthorityView | null;
  checkedInAt: Date;
  checkedOutAt: Date | null;
  /** Set when a walk-up intake opened this deployment (docs/walk-ups.md). */
  walkUp: WalkUpMarker | null;
}

/** A walk-up volunteer's deployment: the intake record and whether a credential or primary source has verified them. */
export interface WalkUpMarker {
  id: string;
  status: 'pending_verification' | 'verified';
}

/** A status as the history keeps it: a reason or assignment only when there was one. */
export interface RecordedStatus {
  status: DeploymentStatus;
  reason?: OutOfServiceReason;
  assignment?: string;
}

/** One entry of a deployment's append-only status history (ICS 210 / T-card log): from, to, when, who, why. */
export interface DeploymentStatusEvent {
  deploymentId: string;
  /** Null for the first status, set at check-in. */
  from: RecordedStatus | null;
  to: RecordedStatus;
  note: string | null;
  changedBy: AuditActor;
  changedAt: Date;
}

/** An edit of a deployment's ICS 211 record, with the values before and after. */
export interface Ics211Edit {
  deploymentId: string;
  fields: string[];
  before: Partial<Ics211Fields>;
  after: Partial<Ics211Fields>;
  changedBy: AuditActor;
  changedAt: Date;
}

/** A change to a responder's name or e-mail, by a verified credential from a trusted issuer. */
export interface RecordedIdentityChange {
  field: 'name' | 'email';
  from: string | null;
  to: string;
  issuerId: string;
  credentialHash: string;
  incidentId: string;
  changedAt: Date;
}

/** A deployment with its status history, as time records derive hours from it (oldest change first). */
export interface DeploymentTimelineRecord {
  deploymentId: string;
  responderId: string;
  responderName: string;
  /** ICS 211 block 5 agency; null when nobody recorded one. */
  agency: string | null;
  position: string | null;
  checkedInAt: Date;
  checkedOutAt: Date | null;
  statusChanges: Array<{ at: Date; status: DeploymentStatus; reason: OutOfServiceReason | null }>;
  /** ICS 211 block 12 departure date/time as recorded (ISO 8601 text); null when none was. */
  departureAt: string | null;
}
