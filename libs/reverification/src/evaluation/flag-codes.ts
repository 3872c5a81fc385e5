import type { CredentialFlagCode } from '@app/realtime';

/** When a credential has several problems, the board shows the gravest. */
export const FLAG_PRECEDENCE: readonly CredentialFlagCode[] = [
  'revoked',
  'signature_invalid',
  'untrusted_issuer',
  'issuer_not_authorized',
  'mission_ended',
  'order_ended',
  'compact_privilege_ended',
  'expired',
  'suspended',
];

/** Problems that can go away by themselves (a suspension lifted, an issuer trusted again): the sweep clears them. */
export const REVERSIBLE_FLAGS: ReadonlySet<CredentialFlagCode> = new Set([
  'suspended',
  'untrusted_issuer',
  'issuer_not_authorized',
  'mission_ended',
  'order_ended',
  'compact_privilege_ended',
]);

/**
 * The flag raised when the basis a deployment was admitted on no longer holds, by the kind of that basis (a mission
 * or order that ended or was suspended, a state that left the compact or a licence no longer multistate). Decided
 * from the rules, not by the verification engine; reversible (an extended order clears it).
 */
export const PRACTICE_FLAGS: Readonly<Record<string, CredentialFlagCode>> = {
  emac_mission: 'mission_ended',
  emergency_order: 'order_ended',
  compact: 'compact_privilege_ended',
};
export const isPracticeFlag = (code: CredentialFlagCode): boolean => Object.values(PRACTICE_FLAGS).includes(code);

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
