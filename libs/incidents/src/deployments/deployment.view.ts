import type { PracticeAuthorityView } from '@app/practice-authority';
import type { CredentialFlag, OutOfServiceReason, RosterEntry } from '@app/realtime';
import type { LocationKind } from '../incidents/incident';
import type { AdmitDecision, DeploymentStatus, WalkUpMarker } from './deployment';
import type { Ics211Fields } from './ics211';

/** A deployment as the API shows it. */
export interface DeploymentView {
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
  decision: AdmitDecision;
  status: DeploymentStatus;
  statusReason: OutOfServiceReason | null;
  assignment: string | null;
  credentialFlag: CredentialFlag | null;
  ics211: Ics211Fields;
  /** The basis to practise and the ESAR-VHP level the check-in admitted on; null for deployments opened before both were kept. */
  practiceAuthority: PracticeAuthorityView | null;
  checkedInAt: string;
  checkedOutAt: string | null;
  /** Set when a walk-up intake opened this deployment: "pending verification" until a credential or primary source verifies them. */
  walkUp: WalkUpMarker | null;
  /** Whole time on scene so far (or until check-out), in hours with two decimals. */
  hoursOnScene: number;
}

export function hoursBetween(from: Date, to: Date): number {
  return Math.round(((to.getTime() - from.getTime()) / 3_600_000) * 100) / 100;
}

export function toRosterEntry(d: DeploymentView): RosterEntry {
  return {
    deploymentId: d.id,
    responderId: d.responder.id,
    name: d.responder.name,
    agency: d.ics211.agency,
    homeUnit: d.ics211.homeUnit,
    qualifications: d.credential.qualification ? [d.credential.qualification] : [],
    issuerName: d.credential.issuerName ?? undefined,
    position: d.position ?? undefined,
    location: d.location ? { id: d.location.id, name: d.location.name } : undefined,
    status: d.status === 'demobilized' ? 'out_of_service' : d.status,
    statusReason: d.statusReason ?? undefined,
    assignment: d.assignment ?? undefined,
    checkedInAt: d.checkedInAt,
    credentialFlag: d.credentialFlag,
    practiceBasis: d.practiceAuthority?.basis?.text,
    esarVhpLevel: d.practiceAuthority?.level.level ?? undefined,
    ...(d.walkUp?.status === 'pending_verification' && { pendingVerification: true }),
  };
}
