import type { DigestAlgorithm } from '../data-integrity/canonicalization';
import type { ProofCrypto } from '../data-integrity/data-integrity-verifier';

/**
 * The Data Integrity proof step with WebCrypto, for the offline station (no node:crypto in a browser): the same
 * algorithms as NODE_PROOF_CRYPTO (Ed25519; ECDSA P-256 / P-384 over SHA-256 / SHA-384, IEEE P1363 signatures).
 * Imported keys are kept per verification method, as the engine keeps its KeyObjects.
 */
const HASH: Record<DigestAlgorithm, string> = { sha256: 'SHA-256', sha384: 'SHA-384' };

export function webProofCrypto(): ProofCrypto {
  const keys = new Map<string, Promise<CryptoKey>>();
  const importKey = (id: string, jwk: { kty: string; crv?: string; x?: string; y?: string }): Promise<CryptoKey> => {
    const cacheKey = `${id}|${jwk.crv ?? ''}|${jwk.x ?? ''}|${jwk.y ?? ''}`;
    let key = keys.get(cacheKey);
    if (!key) {
      const algorithm = jwk.kty === 'OKP' ? { name: 'Ed25519' } : ({ name: 'ECDSA', namedCurve: jwk.crv ?? '' } as EcKeyImportParams);
      key = crypto.subtle.importKey('jwk', { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y ? { y: jwk.y } : {}) }, algorithm, false, ['verify']);
      // A key WebCrypto refuses is refused again next time, not cached as a failure forever.
      key.catch(() => keys.delete(cacheKey));
      keys.set(cacheKey, key);
    }
    return key;
  };
  return {
    async digest(algorithm, text) {
      return new Uint8Array(await crypto.subtle.digest(HASH[algorithm], new TextEncoder().encode(text)));
    },
    async verify(kind, key, digest, data, signature) {
      try {
        const cryptoKey = await importKey(key.id, key.jwk);
        const algorithm = kind === 'Ed25519' ? { name: 'Ed25519' } : ({ name: 'ECDSA', hash: HASH[digest] } as EcdsaParams);
        return await crypto.subtle.verify(algorithm, cryptoKey, new Uint8Array(signature), new Uint8Array(data));
      } catch {
        return false;
      }
    },
  };
}
