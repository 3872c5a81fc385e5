import type { PositionRequirement } from '../check-in/check-in-decision';
import type { CheckInReason } from '../check-in/check-in.types';

/**
 * The qualification a position names when it needs no verified licence (general support: runners, logistics,
 * shelter help). Walk-up volunteers pending verification may take such positions and no other.
 */
export const GENERAL_SUPPORT = 'GENERAL_SUPPORT';

export type WalkUpStatus = 'pending_verification' | 'verified';

/** What check-in staff saw of the volunteer's identity, in their own words. */
export interface IdSeen {
  /** e.g. "driver licence", "passport", "state ID". */
  type: string;
  /** The staff member's statement, e.g. "photo matches, name matches the form". */
  statement: string;
}

/**
 * What verified a walk-up: a badge scanned and verified at this station, or a lookup at the licensing board (primary
 * source). Kept with the walk-up record and in the audit trail.
 */
export type WalkUpEvidence =
  | {
      kind: 'credential';
      /** The presented_credential row the deployment now rests on. */
      credentialId: string;
      credentialHash: string;
      issuerId: string;
      issuerName: string | null;
      qualification: string;
      licenseNumber: string | null;
      verifiedAt: string;
    }
  | {
      kind: 'primary_source';
      /** The source's name, e.g. "Nursys" or "GA Board of Nursing". */
      source: string;
      qualification: string;
      licenseNumber: string;
      state: string;
      /** sha256 of the source's response, as stored with the lookup. */
      responseHash: string;
      checkedAt: string;
    };

export interface WalkUp {
  id: string;
  incidentId: string;
  responderId: string;
  deploymentId: string;
  name: string;
  contact: string;
  claimedQualifications: string[];
  idSeen: IdSeen;
  agency: string | null;
  homeState: string | null;
  status: WalkUpStatus;
  verifiedQualifications: string[];
  verification: WalkUpEvidence | null;
  registeredBy: string;
  registeredAt: Date;
  verifiedAt: Date | null;
}

/** Does this position take people whose licence nobody has verified? */
export function openToUnverified(position: Pick<PositionRequirement, 'requiredQualifications'>): boolean {
  return position.requiredQualifications.includes(GENERAL_SUPPORT);
}

/**
 * Why this walk-up may not take the position (null: they may). Pending verification: general-support positions only;
 * verified: also positions one of their verified qualifications meets. Claimed qualifications never count.
 */
export function refusalFor(walkUp: Pick<WalkUp, 'status' | 'verifiedQualifications'>, position: PositionRequirement): CheckInReason | null {
  if (openToUnverified(position)) return null;
  if (walkUp.status === 'verified' && walkUp.verifiedQualifications.some((q) => position.requiredQualifications.includes(q))) return null;
  if (walkUp.status === 'verified') {
    return {
      code: 'not_qualified',
      message: `${walkUp.verifiedQualifications.join(', ') || 'No verified qualification'} does not qualify for ${position.name}, which requires ${position.requiredQualifications.join(' or ')}.`,
    };
  }
  return {
    code: 'walk_up_not_verified',
    message: `${position.name} requires a verified ${position.requiredQualifications.join(' or ')}; a walk-up volunteer pending verification may take general-support positions only.`,
  };
}
