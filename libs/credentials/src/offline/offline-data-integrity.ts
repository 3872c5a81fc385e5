import { JsonLdContexts } from '../data-integrity/context-store';
import { DataIntegrityVerifier } from '../data-integrity/data-integrity-verifier';
import { webProofCrypto } from './web-proof-crypto';

/**
 * The engine's Data Integrity verifier as an offline station runs it: the contexts it is given (the bundled ones,
 * carried by the browser bundle; never fetched) and WebCrypto proofs.
 */
export function offlineDataIntegrity(contexts: Array<{ url: string; sha256: string; text: string }>): DataIntegrityVerifier {
  return new DataIntegrityVerifier(JsonLdContexts.fromBundle(contexts), webProofCrypto());
}
