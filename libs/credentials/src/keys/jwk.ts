import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { isRecord } from '../util/json';

/** A public JSON Web Key as accepted for credential verification. */
export interface PublicJwk {
  kty: 'EC' | 'OKP' | 'RSA';
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
  alg?: string;
  kid?: string;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export class JwkError extends Error {}

/** Whether a JWK carries private key material (a did:jwk or `jwk` header with `d` is refused). */
export const hasPrivateMembers = (jwk: Record<string, unknown>): boolean => PRIVATE_MEMBERS.some((m) => m in jwk);

/** Whether a JWK may verify signatures: no `use` other than `sig`, no `key_ops` without `verify` (RFC 7517). */
export function isSigningJwk(jwk: Record<string, unknown>): boolean {
  if (jwk.use !== undefined && jwk.use !== 'sig') return false;
  return jwk.key_ops === undefined || (Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'));
}

/** Validates and reduces a JWK to its public members; throws JwkError on anything unusable. */
export function toPublicJwk(value: unknown): PublicJwk {
  if (!isRecord(value)) throw new JwkError('The key is not a JSON object.');
  if (hasPrivateMembers(value)) throw new JwkError('The key contains private key material.');
  const str = (k: string): string | undefined => (typeof value[k] === 'string' ? (value[k] as string) : undefined);
  const alg = str('alg');
  const kid = str('kid');
  switch (value.kty) {
    case 'EC': {
      const crv = str('crv');
      if (!crv || !['P-256', 'P-384', 'P-521'].includes(crv) || !str('x') || !str('y')) throw new JwkError('Unsupported EC key.');
      return { kty: 'EC', crv, x: str('x'), y: str('y'), alg, kid };
    }
    case 'OKP': {
      if (str('crv') !== 'Ed25519' || !str('x')) throw new JwkError('Only Ed25519 OKP keys are supported.');
      return { kty: 'OKP', crv: 'Ed25519', x: str('x'), alg, kid };
    }
    case 'RSA': {
      if (!str('n') || !str('e')) throw new JwkError('Incomplete RSA key.');
      return { kty: 'RSA', n: str('n'), e: str('e'), alg, kid };
    }
    default:
      throw new JwkError('Unsupported key type.');
  }
}

/** RFC 7638 thumbprint (SHA-256, base64url) over the required members in lexicographic order. */
export function jwkThumbprint(jwk: PublicJwk): string {
  const members =
    jwk.kty === 'EC'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : jwk.kty === 'OKP'
        ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x }
        : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** JWS algorithms a key can verify (its own `alg` pins it to one). */
export function algorithmsFor(jwk: PublicJwk): string[] {
  const natural =
    jwk.kty === 'OKP'
      ? ['EdDSA', 'Ed25519']
      : jwk.kty === 'RSA'
        ? ['RS256', 'PS256', 'RS384', 'PS384', 'RS512', 'PS512']
        : jwk.crv === 'P-256'
          ? ['ES256']
          : jwk.crv === 'P-384'
            ? ['ES384']
            : ['ES512'];
  if (jwk.alg) return natural.includes(jwk.alg) ? [jwk.alg] : [];
  return natural;
}

/** The node:crypto key (created once per key and cached by the resolver: importing is not free). */
export function keyObjectFor(jwk: PublicJwk): KeyObject {
  try {
    const material: JsonWebKey = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, n: jwk.n, e: jwk.e };
    return createPublicKey({ key: material, format: 'jwk' });
  } catch {
    throw new JwkError('The key material is invalid.');
  }
}
