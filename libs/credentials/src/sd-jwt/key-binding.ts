import { mediaType, type DecodedJws } from '../jws/compact-jws';
import { verifyJwsSignature } from '../jws/verify-signature';
import type { KeyObject } from 'node:crypto';
import { algorithmsFor, keyObjectFor, toPublicJwk } from '../keys/jwk';
import { toIso } from '../model/instants';
import { DEFAULT_ALGORITHMS } from '../trust/trust-source';
import { isRecord, type JsonRecord } from '../util/json';
import { digestOf, type Digest, type SdJwtParts } from './sd-jwt';

/**
 * The Key Binding JWT (RFC 9901, 7.3): proof that whoever presents the SD-JWT holds the key the issuer bound it to
 * (`cnf.jwk`), made for this verifier (`aud`, `nonce`) over exactly these Disclosures (`sd_hash`), recently (`iat`).
 */

/** How old a Key Binding JWT may be: a wallet makes one when the credential is shown, so an older one is a replay. */
export const KEY_BINDING_MAX_AGE_SECONDS = 300;

export interface KeyBindingPolicy {
  /** Refuse an SD-JWT without a Key Binding JWT. */
  required: boolean;
  /** The `aud` the Key Binding JWT must name, when the verifier asked for one. */
  audience?: string;
  /** The `nonce` it must carry, when the verifier gave one to the wallet. */
  nonce?: string;
  /** Check `iat` against the clock (not for reverification: a stored presentation is as old as it is). */
  checkFreshness: boolean;
  now: Date;
  skewMs: number;
}

/** The largest time a Date can hold, in seconds. */
const MAX_SECONDS = 8.64e12;

export type KeyBindingVerdict =
  { ok: false; message: string } | { ok: true; message: string; bound: boolean; freshness?: { code: 'expired' | 'not_yet_valid'; message: string } };

/**
 * The crypto a Key Binding check needs, replaceable where node:crypto is absent (an offline station computes the
 * holder signature and the digest with WebCrypto first, then answers from those results).
 */
export interface KeyBindingCrypto {
  /** Whether the Key Binding JWT verifies with the holder key; throws when the key is unusable. */
  holderSignature(kb: DecodedJws, alg: string, holderJwk: JsonRecord): boolean;
  digest: Digest;
}

const NODE_CRYPTO: KeyBindingCrypto = {
  holderSignature: (kb, alg, holderJwk) => {
    const holder = holderKey(holderJwk);
    return holder.algorithms.includes(alg) && verifyJwsSignature(kb, alg, holder.keyObject);
  },
  digest: digestOf,
};

export function checkKeyBinding(
  parts: SdJwtParts,
  claims: JsonRecord,
  hashAlgorithm: string,
  policy: KeyBindingPolicy,
  crypto: KeyBindingCrypto = NODE_CRYPTO,
): KeyBindingVerdict {
  const kb = parts.kbJwt;
  const fail = (message: string): KeyBindingVerdict => ({ ok: false, message: `Key binding: ${message}` });
  if (!kb) {
    if (policy.required) return fail('required here, but the presentation has no Key Binding JWT.');
    return { ok: true, bound: false, message: 'no Key Binding JWT (not required here).' };
  }
  if (mediaType(kb.header.typ) !== 'kb+jwt') return fail('the last part is not a Key Binding JWT (typ kb+jwt).');
  const alg = kb.header.alg;
  if (typeof alg !== 'string' || !(DEFAULT_ALGORITHMS as readonly string[]).includes(alg))
    return fail(`the algorithm ${String(alg).slice(0, 20)} is not accepted.`);
  const cnf = claims.cnf;
  if (!isRecord(cnf) || !isRecord(cnf.jwk)) return fail('the credential names no holder key (cnf.jwk) to check the Key Binding JWT with.');
  let verified: boolean;
  try {
    if (!algorithmsFor(toPublicJwk(cnf.jwk)).includes(alg)) return fail(`the algorithm ${alg} does not match the holder key.`);
    verified = crypto.holderSignature(kb, alg, cnf.jwk);
  } catch {
    return fail('the holder key (cnf.jwk) is not a usable public key.');
  }
  if (!verified) return fail('the signature does not verify with the holder key (cnf.jwk): not presented by the holder.');

  const payload = kb.payload;
  if (payload.sd_hash !== crypto.digest(parts.boundText, hashAlgorithm))
    return fail('sd_hash does not match the presented SD-JWT (Disclosures added, removed or altered).');
  if (typeof payload.nonce !== 'string') return fail('the Key Binding JWT has no nonce.');
  const audiences =
    typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud.filter((a): a is string => typeof a === 'string') : [];
  if (audiences.length === 0) return fail('the Key Binding JWT names no audience (aud).');
  if (policy.nonce !== undefined && payload.nonce !== policy.nonce) return fail('the nonce is not the one this verifier gave: a replayed presentation.');
  if (policy.audience !== undefined && !audiences.includes(policy.audience)) return fail('the presentation was made for another verifier (aud).');
  if (typeof payload.iat !== 'number' || !(Math.abs(payload.iat) <= MAX_SECONDS)) return fail('the Key Binding JWT has no numeric iat.');

  const message = `presented by the holder of the key in cnf.jwk (Key Binding JWT made ${toIso(payload.iat * 1000)}).`;
  if (policy.checkFreshness) {
    const made = payload.iat * 1000;
    const t = policy.now.getTime();
    if (made > t + policy.skewMs)
      return { ok: true, bound: true, message, freshness: { code: 'not_yet_valid', message: `The Key Binding JWT is dated in the future (${toIso(made)}).` } };
    if (t - made > KEY_BINDING_MAX_AGE_SECONDS * 1000 + policy.skewMs) {
      return {
        ok: true,
        bound: true,
        message,
        freshness: {
          code: 'expired',
          message: `The Key Binding JWT was made ${toIso(made)}, more than ${KEY_BINDING_MAX_AGE_SECONDS / 60} minutes ago: a replayed presentation.`,
        },
      };
    }
  }
  return { ok: true, bound: true, message };
}

/**
 * Holder keys by their JWK text: importing a key costs about as much as a signature check, and a holder presents the
 * same credential (so the same key) again and again. Bounded: starts afresh when full.
 */
const holderKeys = new Map<string, { keyObject: KeyObject; algorithms: string[] }>();
const MAX_HOLDER_KEYS = 1024;

function holderKey(value: JsonRecord): { keyObject: KeyObject; algorithms: string[] } {
  const jwk = toPublicJwk(value);
  const id = `${jwk.kty}|${jwk.crv ?? ''}|${jwk.x ?? ''}|${jwk.y ?? ''}|${jwk.n ?? ''}|${jwk.e ?? ''}|${jwk.alg ?? ''}`;
  let known = holderKeys.get(id);
  if (!known) {
    known = { keyObject: keyObjectFor(jwk), algorithms: algorithmsFor(jwk) };
    if (holderKeys.size >= MAX_HOLDER_KEYS) holderKeys.clear();
    holderKeys.set(id, known);
  }
  return known;
}
