import type { CredentialFlagCode } from '@app/realtime';

/** When a credential has several problems, the board shows the gravest. */
export const FLAG_PRECEDENCE: readonly CredentialFlagCode[] = [
  'revoked',
  'signature_invalid',
  'untrusted_issuer',
  'issuer_not_authorized',
  'expired',
  'suspended',
];

/** Problems that can go away by themselves (a suspension lifted, an issuer trusted again): the sweep clears them. */
export const REVERSIBLE_FLAGS: ReadonlySet<CredentialFlagCode> = new Set(['suspended', 'untrusted_issuer', 'issuer_not_authorized']);

export interface Problem {
  code: CredentialFlagCode;
  message: string;
}

export function gravest(problems: Problem[]): Problem | undefined {
  let best: Problem | undefined;
  for (const p of problems) {
    if (!best || FLAG_PRECEDENCE.indexOf(p.code) < FLAG_PRECEDENCE.indexOf(best.code)) best = p;
  }
  return best;
}

/**
 * Whether a newly found problem replaces the deployment's current flag: a graver one always does; a lesser one only
 * when the current problem is one that can go away (a permanent revocation is never downgraded to a suspension).
 */
export function replacesFlag(current: CredentialFlagCode | undefined, next: CredentialFlagCode): boolean {
  if (!current) return true;
  if (current === next) return false;
  return FLAG_PRECEDENCE.indexOf(next) < FLAG_PRECEDENCE.indexOf(current) || REVERSIBLE_FLAGS.has(current);
}
