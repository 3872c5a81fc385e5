import { DEPLOYMENT_RECORD_QUALIFICATION, type VerificationCheck, type VerificationResult } from '@app/credentials';
import type { PracticeAuthorityView } from '@app/practice-authority';
import type { StatusUnavailablePolicy } from '../incidents/incident';
import type { CheckInDecision, CheckInReason } from './check-in.types';

export interface PositionRequirement {
  name: string;
  requiredQualifications: string[];
  /** Bases to practise the position accepts (empty or absent: any). */
  requiredBasis?: string[];
  /** ESAR-VHP level at or better than this (1 is the highest; null or absent: any). */
  requiredLevel?: number | null;
}

export interface Decision {
  decision: CheckInDecision;
  reasons: CheckInReason[];
  /** The credential result the decision rests on (for a presentation: the enclosed credential chosen). */
  basis: VerificationResult;
  /** May this person practise here now, and on what basis; null when the credential was not accepted. */
  practiceAuthority?: PracticeAuthorityView | null;
}

const reason = (c: VerificationCheck): CheckInReason => ({ code: c.code, message: c.message });
const RANK: Record<CheckInDecision, number> = { admitted: 2, admitted_with_warnings: 1, denied: 0 };
const NOT_VERIFIED: CheckInReason = { code: 'malformed', message: 'The credential could not be verified.' };

/**
 * The check-in policy, on top of the engine's verdict: failed checks deny; a status that cannot be confirmed (a status
 * list that could not be read) admits with a warning or denies as the incident's policy says; anything else not
 * confirmed denies, whatever the policy (fail closed: trust that cannot be decided because the registry cannot be
 * read, a check that did not run); a position admits only a responder holding one of its qualifications. Pure, so it
 * is tested on its own.
 */
export function decideCheckIn(result: VerificationResult, policy: StatusUnavailablePolicy, position?: PositionRequirement): Decision {
  const enclosed = result.credentials;
  if (enclosed && enclosed.length > 0) {
    if (result.errors.length > 0) return { decision: 'denied', reasons: result.errors.map(reason), basis: result };
    const decisions = enclosed.map((r) => decideCredential(r, policy, position));
    return decisions.reduce((best, d) => (RANK[d.decision] > RANK[best.decision] ? d : best));
  }
  return decideCredential(result, policy, position);
}

function decideCredential(result: VerificationResult, policy: StatusUnavailablePolicy, position?: PositionRequirement): Decision {
  if (result.errors.length > 0) return { decision: 'denied', reasons: result.errors.map(reason), basis: result };
  const unconfirmed = result.checks.filter((c) => c.status !== 'pass' && !(c.status === 'indeterminate' && c.id === 'status'));
  if (unconfirmed.length > 0) {
    const undecided = unconfirmed.filter((c) => c.status === 'indeterminate');
    return { decision: 'denied', reasons: undecided.length > 0 ? undecided.map(reason) : [NOT_VERIFIED], basis: result };
  }
  const qualification = result.credential?.qualification;
  // A record of past service proves no licence: the station shows the history and asks for the licence.
  if (qualification === DEPLOYMENT_RECORD_QUALIFICATION) {
    return {
      decision: 'denied',
      reasons: [{ code: 'deployment_record', message: 'This is a deployment record, not a licence: scan the licence or certification to check in.' }],
      basis: result,
    };
  }
  if (position) {
    if (!qualification) {
      return {
        decision: 'denied',
        reasons: [
          {
            code: 'no_qualification',
            message: `This credential does not show a qualification we recognise, and ${position.name} requires ${position.requiredQualifications.join(' or ')}.`,
          },
        ],
        basis: result,
      };
    }
    if (!position.requiredQualifications.includes(qualification)) {
      return {
        decision: 'denied',
        reasons: [
          {
            code: 'not_qualified',
            message: `${qualification} does not qualify for ${position.name}, which requires ${position.requiredQualifications.join(' or ')}.`,
          },
        ],
        basis: result,
      };
    }
  }
  if (result.warnings.length > 0) {
    const warnings = result.warnings.map(reason);
    if (policy === 'deny') {
      return {
        decision: 'denied',
        reasons: [
          ...warnings,
          { code: 'status_unavailable_policy', message: "This incident's policy denies check-in while a credential's status cannot be confirmed." },
        ],
        basis: result,
      };
    }
    return { decision: 'admitted_with_warnings', reasons: warnings, basis: result };
  }
  if (!result.verified) {
    // Defensive: never admit a result the engine did not verify, whatever its lists say.
    return { decision: 'denied', reasons: [NOT_VERIFIED], basis: result };
  }
  return { decision: 'admitted', reasons: [], basis: result };
}

/**
 * The third question after "is it authentic" and "is the licence good": a decision that would admit is denied with
 * no_practice_authority when no rule lets the person practise in the incident's state. A credential already refused
 * is not assessed (its answer would rest on nothing verified).
 */
export function withPracticeAuthority(decided: Decision, authority: PracticeAuthorityView | null, position?: PositionRequirement): Decision {
  if (decided.decision === 'denied' || !authority) return { ...decided, practiceAuthority: null };
  const deny = (reason: CheckInReason): Decision => ({ decision: 'denied', reasons: [reason], basis: decided.basis, practiceAuthority: authority });
  if (!authority.authorized || !authority.basis) return authority.reason ? deny(authority.reason) : { ...decided, practiceAuthority: authority };
  const accepted = position?.requiredBasis ?? [];
  if (position && accepted.length > 0 && !accepted.includes(authority.basis.kind)) {
    return deny({
      code: 'basis_not_accepted',
      message: `${position.name} accepts only ${accepted.map((k) => k.replace(/_/g, ' ')).join(' or ')} as a basis to practise; this responder's basis: ${authority.basis.text}`,
    });
  }
  const needed = position?.requiredLevel;
  const level = authority.level.level;
  if (position && needed && (level === null || level > needed)) {
    return deny({
      code: 'level_too_low',
      message: `${position.name} needs ESAR-VHP level ${needed} or better; this responder is ${level === null ? 'at no level' : `level ${level}`} (${authority.level.rule}).`,
    });
  }
  return { ...decided, practiceAuthority: authority };
}
