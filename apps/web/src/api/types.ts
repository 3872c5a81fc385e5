/**
 * The API's JSON shapes as the web app reads them. Where the server keeps a shape in a framework-free file (the
 * verification result, the ICS 211 fields, the live board's types) it is imported from there, type-only, so the two
 * cannot drift; the rest are written by hand, because their server types live in Nest files the bundle must not pull in.
 */
import type { CheckStatus, CredentialSummary, VerificationCheck } from '../../../../libs/credentials/src/verification-result';
import type { Ics211Fields } from '../../../../libs/incidents/src/deployments/ics211';
import type { OutOfServiceReason, ResourceStatus } from '../../../../libs/realtime/src/live-events';

export type { CheckStatus, CredentialSummary, Ics211Fields, OutOfServiceReason, ResourceStatus, VerificationCheck };

export type Role = 'admin' | 'commander' | 'checkin' | 'auditor';
export const ROLES: readonly Role[] = ['admin', 'commander', 'checkin', 'auditor'];

export interface Principal {
  userId: string;
  email: string;
  displayName: string;
  role: Role;
  jurisdictions: string[];
}

export interface TokenResponse {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  /** The password just used was temporary: nothing but POST /auth/password works until it is changed. */
  passwordChangeRequired: boolean;
  user: Principal;
}

/** RFC 9457 problem details with the API's reason code. */
export interface Problem {
  status?: number;
  code?: string;
  title?: string;
  detail?: string;
  errors?: Array<{ field: string; message: string }>;
}

export const LOCATION_KINDS = ['Base', 'Staging Area', 'ICP', 'Helibase', 'Other'] as const;
export type LocationKind = (typeof LOCATION_KINDS)[number];

export interface Incident {
  id: string;
  name: string;
  number: string;
  type: string;
  jurisdiction: string;
  mutualAidJurisdictions: string[];
  statusUnavailablePolicy: 'admit_with_warning' | 'deny';
  timeZone: string;
  state: 'active' | 'closed';
  locations: Array<{ id: string; name: string; kind: LocationKind }>;
  positions: Array<{ id: string; name: string; requiredQualifications: string[] }>;
  operationalPeriods: Array<{ id: string; label: string; startsAt: string; endsAt: string }>;
  createdAt: string;
  closedAt: string | null;
}

export interface StaffMember {
  userId: string;
  email?: string;
  displayName?: string;
  role?: Role;
}

export interface UserView {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  jurisdictions: string[];
  active: boolean;
  createdAt: string;
}

export interface VerifyResponse {
  verified: boolean;
  checks: VerificationCheck[];
  warnings?: VerificationCheck[];
  errors?: VerificationCheck[];
  credential?: CredentialSummary | null;
  evidence?: { credentialHash?: string; algorithm?: string; keyId?: string; verifiedAt?: string };
  credentials?: VerifyResponse[];
}

export interface Deployment {
  id: string;
  incidentId: string;
  responder: { id: string; name: string; email: string | null };
  credential: {
    id: string;
    qualification: string | null;
    issuerId: string | null;
    issuerName: string | null;
    licenseNumber: string | null;
    validUntil: string | null;
  };
  position: { id: string; name: string } | null;
  location: { id: string; name: string; kind: LocationKind } | null;
  decision: 'admitted' | 'admitted_with_warnings';
  status: ResourceStatus | 'demobilized';
  statusReason: OutOfServiceReason | null;
  assignment: string | null;
  credentialFlag: { code: string; message: string; at: string } | null;
  ics211: Ics211Fields;
  checkedInAt: string;
  checkedOutAt: string | null;
  hoursOnScene: number;
}

export type CheckInDecision = 'admitted' | 'admitted_with_warnings' | 'denied';

export interface CheckInResponse {
  attemptId: string;
  incidentId: string;
  decision: CheckInDecision;
  reasons: Array<{ code: string; message: string }>;
  alreadyCheckedIn: boolean;
  responder: { id: string; name: string; qualifications: string[] } | null;
  deployment: Deployment | null;
  verification: {
    verified: boolean;
    checks: VerificationCheck[];
    credential: CredentialSummary | null;
  };
  performedAt: string;
}

export interface RecentScan {
  attemptId: string;
  decision: CheckInDecision;
  reasons: Array<{ code: string; message: string }>;
  performedAt: string;
  name: string | null;
  qualification: string | null;
}

export interface StatusHistory {
  status: Array<{
    from: { status: string; reason?: string; assignment?: string } | null;
    to: { status: string; reason?: string; assignment?: string };
    note: string | null;
    changedBy: { kind: string; email?: string; role?: string; process?: string; job?: string };
    changedAt: string;
  }>;
  ics211Edits: Array<{ fields: string[]; changedAt: string; changedBy: { kind: string; email?: string } }>;
}

export interface ReverifyJob {
  jobId: string;
}

/** GET /jobs/:id (libs/jobs). */
export interface JobView {
  id: string;
  kind: 'sweep' | 'incident' | 'status_list';
  incidentId: string | null;
  state: 'queued' | 'running' | 'completed' | 'failed';
  progress: { done: number; total: number; percent: number };
  result: Record<string, unknown> | null;
  error: string | null;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}
