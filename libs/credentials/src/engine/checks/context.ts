import type { DecodeBudget } from '../../limits';
import type { VerifyOptions } from '../../verification-result';

/** What every check of one verification shares: the instant, the caller's options and the request's budget. */
export interface RunContext {
  now: Date;
  options: VerifyOptions;
  /** Check everything even when the issuer is not trusted here (asked for, or a credential verified before). */
  fullReport?: boolean;
  /** What the request may still decompress and how many status lists it may name (shared by a presentation's credentials). */
  budget?: DecodeBudget;
  knownKeyThumbprint?: string;
  /** Re-checking bytes verified before (revalidate): a presentation's age is not held against it. */
  revalidating?: boolean;
  /** A credential inside a presentation (which may not be a presentation itself). */
  enclosed?: boolean;
}

/** The message every check left undecided carries when the signature fails. */
export const SIGNATURE_NOT_VERIFIED = 'Not checked: the signature could not be verified.';

export function truncate(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
