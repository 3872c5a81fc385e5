import type { VerificationCheck, VerificationResult } from '@app/credentials';
import { gravest, type Problem } from './flag-codes';

/**
 * What the verification engine's re-check of a deployed credential means for the deployment. Only changes that can
 * happen to a credential after check-in become flags (revoked, suspended, expired, issuer trust withdrawn,
 * signature no longer verifiable by the issuer's published keys); anything the engine could not determine (status
 * list or keys unreachable, registry unavailable) changes nothing: unreachable is never "fine" and never "revoked".
 */
export type EngineVerdict = { kind: 'problem'; problem: Problem; problems: Problem[] } | { kind: 'clean' } | { kind: 'unavailable'; reasons: string[] };

const SIGNATURE_FAILURES = new Set(['signature_invalid', 'key_not_found', 'alg_not_allowed']);

export function verdictOf(result: VerificationResult): EngineVerdict {
  const check = (id: VerificationCheck['id']): VerificationCheck | undefined => result.checks.find((c) => c.id === id);
  const problems: Problem[] = [];
  const reasons: string[] = [];

  const signature = check('signature');
  if (signature?.status === 'fail') {
    if (SIGNATURE_FAILURES.has(signature.code)) return one({ code: 'signature_invalid', message: signature.message });
    return { kind: 'unavailable', reasons: [signature.message] };
  }
  if (check('format')?.status === 'fail') return { kind: 'unavailable', reasons: ['The stored credential could not be read again.'] };

  const validity = check('validity');
  if (validity?.status === 'fail' && validity.code === 'expired') problems.push({ code: 'expired', message: validity.message });

  const status = check('status');
  if (status?.status === 'fail' && (status.code === 'revoked' || status.code === 'suspended')) problems.push({ code: status.code, message: status.message });
  else if (status?.status === 'indeterminate') reasons.push(status.message);

  const trust = check('issuer_trust');
  if (trust?.status === 'fail' && (trust.code === 'untrusted_issuer' || trust.code === 'issuer_not_authorized'))
    problems.push({ code: trust.code, message: trust.message });
  else if (trust?.status === 'indeterminate') reasons.push(trust.message);

  const worst = gravest(problems);
  if (worst) return { kind: 'problem', problem: worst, problems };
  return reasons.length > 0 ? { kind: 'unavailable', reasons } : { kind: 'clean' };
}

function one(problem: Problem): EngineVerdict {
  return { kind: 'problem', problem, problems: [problem] };
}
