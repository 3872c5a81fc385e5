import { constants, verify, type KeyObject } from 'node:crypto';
import { transientLatin1Bytes, transientSignatureBytes } from '../util/scratch';
import type { DecodedJws } from './compact-jws';

/**
 * Verifies a compact JWS signature with node:crypto directly (RFC 7515/7518/8037): the algorithm must already be on
 * the caller's allow-list and match the key. jose's compactVerify goes through WebCrypto, which costs about 1.5x the
 * CPU of this for the same check; on the check-in hot path that difference is the engine's largest cost.
 * The same RFC 8725 rules hold: no `none`, no HMAC, `crit` must be understood (we understand none), no unencoded
 * payloads (`b64: false`), fixed-length raw ECDSA signatures (r||s, never DER), RSA keys of at least 2048 bits.
 */
const EC: Record<string, { hash: string; length: number; curve: string }> = {
  ES256: { hash: 'sha256', length: 64, curve: 'prime256v1' },
  ES384: { hash: 'sha384', length: 96, curve: 'secp384r1' },
  ES512: { hash: 'sha512', length: 132, curve: 'secp521r1' },
};
const RSA: Record<string, { hash: string; pss: boolean }> = {
  RS256: { hash: 'sha256', pss: false },
  RS384: { hash: 'sha384', pss: false },
  RS512: { hash: 'sha512', pss: false },
  PS256: { hash: 'sha256', pss: true },
  PS384: { hash: 'sha384', pss: true },
  PS512: { hash: 'sha512', pss: true },
};

export function verifyJwsSignature(jws: DecodedJws, alg: string, key: KeyObject): boolean {
  if (jws.header.alg !== alg) return false;
  if (jws.header.crit !== undefined || (jws.header.b64 !== undefined && jws.header.b64 !== true)) return false;
  const dot = jws.compact.lastIndexOf('.');
  // Both are consumed by the synchronous verify below, so views of reusable buffers will do (the compact JWS is ASCII).
  const signingInput = transientLatin1Bytes(jws.compact.slice(0, dot));
  const signature = transientSignatureBytes(jws.compact.slice(dot + 1));
  try {
    const ec = EC[alg];
    if (ec) {
      if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== ec.curve || signature.length !== ec.length) return false;
      return verify(ec.hash, signingInput, { key, dsaEncoding: 'ieee-p1363' }, signature);
    }
    if (alg === 'EdDSA' || alg === 'Ed25519') {
      return key.asymmetricKeyType === 'ed25519' && signature.length === 64 && verify(null, signingInput, key, signature);
    }
    const rsa = RSA[alg];
    if (rsa) {
      if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) return false;
      return rsa.pss
        ? verify(rsa.hash, signingInput, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature)
        : verify(rsa.hash, signingInput, key, signature);
    }
    return false;
  } catch {
    return false;
  }
}
