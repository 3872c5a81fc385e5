import type { KeyObject } from 'node:crypto';
import type { PublicJwk } from './jwk';

/**
 * A verification key and why one could not be found: their own module, so the offline station's bundle takes them
 * without the resolver (and its fetcher).
 */
export interface VerificationKey {
  /** Verification method id, e.g. did:web:example.org#key-1 (for JWKS: issuer#kid). */
  id: string;
  jwk: PublicJwk;
  /** RFC 7638 thumbprint. */
  thumbprint: string;
  keyObject: KeyObject;
  algorithms: string[];
}

export type KeyErrorCode = 'did_unresolvable' | 'key_not_found';

export class KeyResolutionError extends Error {
  constructor(
    readonly code: KeyErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KeyResolutionError';
  }
}
