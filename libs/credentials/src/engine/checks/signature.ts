import type { DataIntegrityReading, DataIntegrityVerifier, ProofCheck } from '../../data-integrity/data-integrity-verifier';
import type { DecodedJws } from '../../jws/compact-jws';
import { verifyJwsSignature } from '../../jws/verify-signature';
import { KeyResolutionError, type IssuerKeySet, type KeyResolver, type VerificationKey } from '../../keys/key-resolver';
import { DEFAULT_ALGORITHMS, SUPPORTED_ALGORITHMS, type TrustedIssuer } from '../../trust/trust-source';
import type { ReasonCode, VerificationEvidence } from '../../verification-result';
import type { CheckBoard } from '../check-board';
import { SIGNATURE_NOT_VERIFIED, truncate, type RunContext } from './context';

export interface SignatureOutcome {
  ok: boolean;
  code?: ReasonCode;
  message: string;
  key?: VerificationKey;
}

const NOT_RECOMPUTED = 'Verified earlier with a key the issuer still publishes; not re-computed.';
const noSigner = (): SignatureOutcome => ({ ok: false, code: 'key_not_found', message: 'The credential names no issuer, so no key can be looked up.' });

/** An algorithm the issuer's registry entry lists (and the engine supports); without an entry, one of the defaults. */
export function algorithmAllowed(alg: string, entry: TrustedIssuer | undefined): boolean {
  return entry ? entry.algorithms.includes(alg) && SUPPORTED_ALGORITHMS.includes(alg) : (DEFAULT_ALGORITHMS as readonly string[]).includes(alg);
}

export function algorithmRefused(alg: string): SignatureOutcome {
  const why = ['RS256', 'PS256'].includes(alg) ? ' for this issuer (the trust registry does not list it)' : '';
  return { ok: false, code: 'alg_not_allowed', message: `The algorithm ${truncate(alg)} is not accepted${why}.` };
}

/** The signature with one given key: the header's algorithm must fit the key, then the bytes must verify. */
export function signatureByKey(jws: DecodedJws, alg: string, key: VerificationKey, verified: string): SignatureOutcome {
  if (!key.algorithms.includes(alg))
    return { ok: false, code: 'signature_invalid', message: `The algorithm ${alg} does not match the key ${truncate(key.id)}.` };
  if (!verifyJwsSignature(jws, alg, key.keyObject)) {
    return { ok: false, code: 'signature_invalid', message: 'The signature does not verify: the credential was altered or not signed by this key.' };
  }
  return { ok: true, key, message: verified };
}

/**
 * Records a JWS signature outcome: a pass notes the algorithm and key in the evidence; a failure ends the board.
 * `prefix` names what was signed when it is not the credential ("Presentation: ").
 */
export function recordSignature(
  board: CheckBoard,
  evidence: VerificationEvidence,
  jws: DecodedJws,
  outcome: SignatureOutcome,
  prefix = '',
  rest = SIGNATURE_NOT_VERIFIED,
): boolean {
  if (!outcome.ok) {
    board.fail('signature', outcome.code ?? 'signature_invalid', `${prefix}${outcome.message}`);
    board.skipRest(rest);
    return false;
  }
  board.pass('signature', `${prefix}${outcome.message}`);
  evidence.algorithm = String(jws.header.alg);
  if (outcome.key) {
    evidence.keyId = outcome.key.id;
    evidence.keyThumbprint = outcome.key.thumbprint;
  }
  return true;
}

function keyResolutionFailure(err: unknown): SignatureOutcome {
  if (err instanceof KeyResolutionError) return { ok: false, code: err.code, message: err.message };
  return { ok: false, code: 'did_unresolvable', message: "The issuer's keys could not be resolved." };
}

/** Is the credential signed by a key of its issuer (a JWS, or Data Integrity proofs)? Keys come from the issuer alone. */
export class SignatureCheck {
  constructor(
    private readonly keys: KeyResolver,
    private readonly dataIntegrity: DataIntegrityVerifier,
    private readonly skewMs: number,
  ) {}

  /** Algorithm allow-list, the signer's key set (cached or resolved), the key the header selects, the signature. */
  async ofJws(
    jws: DecodedJws,
    signer: string | undefined,
    entry: TrustedIssuer | undefined,
    ctx: Pick<RunContext, 'knownKeyThumbprint'>,
  ): Promise<SignatureOutcome> {
    const cached = this.ofJwsCached(jws, signer, entry, ctx);
    if (cached || !signer) return cached ?? noSigner();
    let set: IssuerKeySet;
    try {
      set = await this.keys.keySet(signer);
    } catch (err) {
      return keyResolutionFailure(err);
    }
    return this.withKeySet(jws, String(jws.header.alg), set, ctx);
  }

  /**
   * ofJws answered without a promise when the signer's key set is in memory (or no key is needed to refuse);
   * undefined when the key set has to be resolved.
   */
  ofJwsCached(
    jws: DecodedJws,
    signer: string | undefined,
    entry: TrustedIssuer | undefined,
    ctx: Pick<RunContext, 'knownKeyThumbprint'>,
  ): SignatureOutcome | undefined {
    const alg = String(jws.header.alg);
    if (!algorithmAllowed(alg, entry)) return algorithmRefused(alg);
    if (!signer) return noSigner();
    // Judged now, after any wait: an expired key set is never used.
    const set = this.keys.cached(signer);
    return set && this.withKeySet(jws, alg, set, ctx);
  }

  private withKeySet(jws: DecodedJws, alg: string, set: IssuerKeySet, ctx: Pick<RunContext, 'knownKeyThumbprint'>): SignatureOutcome {
    let key: VerificationKey;
    try {
      const known = ctx.knownKeyThumbprint ? set.keys.find((k) => k.thumbprint === ctx.knownKeyThumbprint) : undefined;
      if (known) return { ok: true, key: known, message: NOT_RECOMPUTED };
      key = this.keys.select(set, jws.header);
    } catch (err) {
      return keyResolutionFailure(err);
    }
    return signatureByKey(jws, alg, key, `Signed by the issuer's key ${truncate(key.id)}.`);
  }

  /** Every Data Integrity proof, each by a verification method of the issuer's own (nothing fetched for anyone else). */
  ofDataIntegrity(
    reading: Extract<DataIntegrityReading, { ok: true }>,
    issuerId: string,
    entry: TrustedIssuer | undefined,
    ctx: Pick<RunContext, 'now' | 'knownKeyThumbprint'>,
  ): Promise<ProofCheck> {
    return this.dataIntegrity.verify(reading, {
      keyFor: (method) => this.issuerMethod(issuerId, method),
      algorithmAllowed: (alg) => algorithmAllowed(alg, entry),
      now: ctx.now,
      clockSkewMs: this.skewMs,
      knownKeyThumbprint: ctx.knownKeyThumbprint,
    });
  }

  /**
   * A presentation's own Data Integrity proofs: `authentication` proofs by a verification method of the holder it
   * names (resolved like an issuer's), carrying the caller's challenge and domain when given. Without a holder there
   * is nobody to bind the proof to: `key_not_found` (the signer is not taken for the holder).
   */
  ofPresentation(
    reading: Extract<DataIntegrityReading, { ok: true }>,
    holder: string | undefined,
    ctx: Pick<RunContext, 'now' | 'options'>,
  ): Promise<ProofCheck> {
    if (!holder) return Promise.resolve({ ok: false, code: 'key_not_found', message: 'The presentation has a proof but names no holder it could belong to.' });
    return this.dataIntegrity.verify(reading, {
      keyFor: (method) => this.issuerMethod(holder, method, 'holder'),
      proofPurpose: 'authentication',
      challenge: ctx.options.challenge,
      domain: ctx.options.domain,
      now: ctx.now,
      clockSkewMs: this.skewMs,
    });
  }

  private async issuerMethod(controller: string, method: string, whose: 'issuer' | 'holder' = 'issuer'): Promise<VerificationKey> {
    if (method.split('#')[0] !== controller) {
      throw new KeyResolutionError(
        'key_not_found',
        `The proof's verification method ${truncate(method)} is not one of the ${whose}'s (it is outside ${truncate(controller)}).`,
      );
    }
    const set = this.keys.cached(controller) ?? (await this.keys.keySet(controller));
    return this.keys.method(set, method);
  }
}

/** Records the outcome of a credential's Data Integrity proofs: the first proof's suite and key go in the evidence. */
export function recordProofs(
  board: CheckBoard,
  evidence: VerificationEvidence,
  proofs: ProofCheck,
  signer: 'issuer' | 'holder' = 'issuer',
  rest = SIGNATURE_NOT_VERIFIED,
): boolean {
  const prefix = signer === 'holder' ? 'Presentation: ' : '';
  if (!proofs.ok) {
    board.fail('signature', proofs.code, `${prefix}${proofs.message}`);
    board.skipRest(rest);
    return false;
  }
  const [first] = proofs.proofs;
  evidence.algorithm = first.suite;
  evidence.keyId = first.verificationMethod;
  evidence.keyThumbprint = first.key.thumbprint;
  const count = proofs.proofs.length === 1 ? 'The proof verifies' : `All ${proofs.proofs.length} proofs verify`;
  board.pass('signature', `${prefix}${first.recomputed ? `${count}: signed by the ${signer}'s key ${truncate(first.verificationMethod)}.` : NOT_RECOMPUTED}`);
  return true;
}
