import { CheckBoard } from '../engine/check-board';
import type { RunContext } from '../engine/checks/context';
import { evidenceOf } from '../engine/checks/evidence';
import { fetchedAtIso, statusVerdict, type EntryOutcome, type StatusCheck, type StatusOutcome } from '../engine/checks/status';
import type { TrustCheck } from '../engine/checks/trust';
import type { ValidityCheck } from '../engine/checks/validity';
import { decodeCompactJws, mediaType, type DecodedJws } from '../jws/compact-jws';
import { verifyJwsSignature } from '../jws/verify-signature';
import { KeyResolutionError, type IssuerKeySet, type KeyResolver, type VerificationKey } from '../keys/key-resolver';
import { VERIFICATION_LIMITS } from '../limits';
import { StatusListError, StatusListService, type DecodedStatusList, type VerifiedStatusListCredential } from '../status/status-list-service';
import { DEFAULT_ALGORITHMS, SUPPORTED_ALGORITHMS, type TrustedIssuer, type TrustSource } from '../trust/trust-source';
import { isRecord, oneOrMany, type JsonRecord } from '../util/json';
import type { StatusEvidence, VerificationCheck, VerificationResult } from '../verification-result';
import { checkKeyBinding, type KeyBindingVerdict } from './key-binding';
import { readSdJwtVc, sdJwtVcClaimProblems } from './sd-jwt-vc-reading';
import { summariseSdJwtVc } from './sd-jwt-vc-summary';
import { statusListTokenClaims, TOKEN_STATUS, tokenStatusReference, type TokenStatusReference } from './token-status-list';

/**
 * SD-JWT VC (draft-ietf-oauth-sd-jwt-vc; `typ` dc+sd-jwt, or vc+sd-jwt as issued before the rename) through the same
 * six checks, reason codes, trust-first order, limits and evidence as the engine's other formats:
 *  - format: the SD-JWT decodes and its Disclosures process cleanly (RFC 9901, sd-jwt.ts);
 *  - issuer_trust (first, before any fetch): `iss` in the registry, `vct` mapped to a qualification by its rules;
 *  - signature: the issuer's key from its JWT VC Issuer Metadata (https `iss`) or its DID, every Disclosure covered
 *    by a digest, and the Key Binding JWT when present or required (key-binding.ts);
 *  - data_model: SD-JWT VC claim rules; validity: `nbf` / `exp`, and the Key Binding JWT's age;
 *  - status: the Token Status List reference (`status.status_list`) and Bitstring Status List entries.
 */

/** The engine's parts this verifier shares (one registry, key cache, status-list cache and set of rules). */
export interface SdJwtEngine {
  readonly keys: KeyResolver;
  readonly statusLists: StatusListService;
  readonly trust: TrustSource;
  readonly skewMs: number;
  /** The registry's answer, and trust decided from it before any fetch. */
  readonly issuerTrust: TrustCheck;
  /** The `nbf` / `exp` check, with the engine's clock skew. */
  readonly validity: ValidityCheck;
  /** Bitstring Status List entries, as for any credential. */
  readonly status: StatusCheck;
}

interface SignatureOutcome {
  ok: boolean;
  code?: 'alg_not_allowed' | 'key_not_found' | 'did_unresolvable' | 'signature_invalid';
  message: string;
  key?: VerificationKey;
}

export class SdJwtVcVerifier {
  constructor(private readonly engine: SdJwtEngine) {}

  async verify(text: string, ctx: RunContext): Promise<VerificationResult> {
    const board = new CheckBoard();
    const evidence = evidenceOf(text, ctx.now);
    const refuse = (code: 'malformed' | 'unsupported_format', message: string): VerificationResult => {
      board.fail('format', code, message);
      board.skipRest(code === 'malformed' ? 'The credential could not be decoded.' : 'The credential format is not supported.');
      return board.result(evidence);
    };

    const reading = readSdJwtVc(text);
    if (!reading.ok) return refuse(reading.code, reading.message);
    const { parts, hashAlgorithm, claims, unreferenced } = reading;
    const disclosed = parts.disclosures.length;
    board.pass(
      'format',
      `An SD-JWT VC (${String(mediaType(parts.issuerJwt.header.typ))}, ${String(parts.issuerJwt.header.alg)}) with ${disclosed} Disclosure${disclosed === 1 ? '' : 's'}${parts.kbJwt ? ' and a Key Binding JWT' : ''}.`,
    );
    const issuerId = typeof claims.iss === 'string' ? claims.iss : undefined;
    const summary = summariseSdJwtVc(claims, issuerId);
    const done = (): VerificationResult => {
      const result = board.result(evidence, summary);
      result.jws = parts.text;
      return result;
    };
    if (!issuerId) {
      board.fail('signature', 'key_not_found', 'The credential names no issuer (iss), so no key can be looked up.');
      board.skipRest('Not checked: the signature could not be verified.');
      return done();
    }

    const registry = this.engine.issuerTrust.cached(issuerId) ?? (await this.engine.issuerTrust.registry(issuerId));
    const trust = this.engine.issuerTrust.beforeFetching(summary, registry, ctx, board);
    if (!trust) return done();

    const signature = await this.issuerSignature(parts.issuerJwt, issuerId, registry.entry, ctx);
    if (!signature.ok) {
      board.fail('signature', signature.code ?? 'signature_invalid', signature.message);
      board.skipRest('Not checked: the signature could not be verified.');
      return done();
    }
    evidence.algorithm = String(parts.issuerJwt.header.alg);
    if (signature.key) {
      evidence.keyId = signature.key.id;
      evidence.keyThumbprint = signature.key.thumbprint;
    }
    if (unreferenced) {
      board.fail('signature', 'signature_invalid', unreferenced);
      board.skipRest('Not checked: a Disclosure is not covered by the issuer signature.');
      return done();
    }
    const binding = checkKeyBinding(parts, claims, hashAlgorithm, {
      required: ctx.options.challenge !== undefined || ctx.options.domain !== undefined,
      nonce: ctx.options.challenge,
      audience: ctx.options.domain,
      checkFreshness: !ctx.revalidating,
      now: ctx.now,
      skewMs: this.engine.skewMs,
    });
    if (!binding.ok) {
      board.fail('signature', 'signature_invalid', binding.message);
      board.skipRest('Not checked: the presentation is not bound to its holder.');
      return done();
    }
    board.pass('signature', `${signature.message} Key binding: ${binding.message}`);

    const problems = sdJwtVcClaimProblems(claims);
    if (problems.length > 0) board.fail('data_model', 'data_model_invalid', problems.slice(0, 5).join(' '));
    else board.pass('data_model', `The credential conforms to SD-JWT VC (vct ${String(summary.vct)}).`);
    board.set(this.validity(claims, binding, ctx));

    const status = await this.checkStatus(claims, issuerId, ctx);
    board.set(status.check);
    evidence.status.push(...status.evidence);
    board.set(trust);
    return done();
  }

  /** The issuer's JWS: algorithm allow-list, its key from its JWT VC Issuer Metadata or DID, the signature. */
  private async issuerSignature(
    jws: DecodedJws,
    issuer: string,
    entry: TrustedIssuer | undefined,
    ctx: Pick<RunContext, 'knownKeyThumbprint'>,
  ): Promise<SignatureOutcome> {
    const alg = String(jws.header.alg);
    const allowed = entry ? entry.algorithms.includes(alg) && SUPPORTED_ALGORITHMS.includes(alg) : (DEFAULT_ALGORITHMS as readonly string[]).includes(alg);
    if (!allowed) {
      const why = ['RS256', 'PS256'].includes(alg) ? ' for this issuer (the trust registry does not list it)' : '';
      return { ok: false, code: 'alg_not_allowed', message: `The algorithm ${alg.slice(0, 40)} is not accepted${why}.` };
    }
    if (!issuer.startsWith('did:') && !/^https?:\/\//.test(issuer)) {
      return { ok: false, code: 'key_not_found', message: 'The issuer is neither a DID nor an https URL, so its keys cannot be found (x5c is not supported).' };
    }
    let set: IssuerKeySet;
    let key: VerificationKey;
    try {
      set = this.engine.keys.cached(issuer, undefined, 'jwt-vc-issuer') ?? (await this.engine.keys.keySet(issuer, { discovery: 'jwt-vc-issuer' }));
      const known = ctx.knownKeyThumbprint ? set.keys.find((k) => k.thumbprint === ctx.knownKeyThumbprint) : undefined;
      if (known) return { ok: true, key: known, message: 'Verified earlier with a key the issuer still publishes; not re-computed.' };
      key = this.engine.keys.select(set, jws.header);
    } catch (err) {
      if (err instanceof KeyResolutionError) return { ok: false, code: err.code, message: err.message };
      return { ok: false, code: 'did_unresolvable', message: "The issuer's keys could not be resolved." };
    }
    if (!key.algorithms.includes(alg))
      return { ok: false, code: 'signature_invalid', message: `The algorithm ${alg} does not match the key ${key.id.slice(0, 100)}.` };
    if (!verifyJwsSignature(jws, alg, key.keyObject)) {
      return { ok: false, code: 'signature_invalid', message: 'The signature does not verify: the credential was altered or not signed by this key.' };
    }
    return { ok: true, key, message: `Signed by the issuer's key ${key.id.slice(0, 100)}.` };
  }

  /** `nbf` / `exp`, then the Key Binding JWT's age (a stale one is a replay: `expired`). */
  private validity(claims: JsonRecord, binding: KeyBindingVerdict, ctx: RunContext): VerificationCheck {
    const check = this.engine.validity.check({}, claims, '2.0', ctx.now, 'credential');
    if (check.status !== 'pass' || !binding.ok || !binding.freshness) return check;
    return { id: 'validity', status: 'fail', code: binding.freshness.code, message: binding.freshness.message };
  }

  private async checkStatus(claims: JsonRecord, issuerId: string, ctx: RunContext): Promise<StatusOutcome> {
    const bitstring = oneOrMany(claims.credentialStatus);
    const max = VERIFICATION_LIMITS.statusEntriesPerCredential;
    const count = (claims.status === undefined ? 0 : 1) + bitstring.length;
    if (count > max)
      return {
        check: { id: 'status', status: 'fail', code: 'data_model_invalid', message: `The credential has ${count} status entries; at most ${max} are read.` },
        evidence: [],
      };
    if (count === 0)
      return { check: { id: 'status', status: 'pass', code: 'ok', message: 'The issuer publishes no revocation status for this credential.' }, evidence: [] };
    const outcomes = await Promise.all([
      ...(claims.status === undefined ? [] : [this.statusClaim(claims.status, issuerId, ctx)]),
      ...bitstring.filter(isRecord).map((entry) => this.engine.status.entry(entry, issuerId, ctx)),
    ]);
    return statusVerdict(outcomes);
  }

  /** The `status` claim: a Token Status List reference is read; another mechanism cannot be checked here. */
  private async statusClaim(status: unknown, issuerId: string, ctx: RunContext): Promise<EntryOutcome> {
    if (!isRecord(status)) return { status: 'fail', code: 'data_model_invalid', message: 'The status claim is not an object.' };
    if (!('status_list' in status)) {
      const names = Object.keys(status).join(', ').slice(0, 80) || '(none)';
      return {
        status: 'indeterminate',
        code: 'status_unavailable',
        message: `The status mechanism ${names} is not supported, so revocation cannot be checked.`,
      };
    }
    const ref = tokenStatusReference(status);
    return 'problem' in ref ? { status: 'fail', code: 'data_model_invalid', message: ref.problem } : this.tokenStatusEntry(ref, issuerId, ctx);
  }

  private async tokenStatusEntry(ref: TokenStatusReference, issuerId: string, ctx: RunContext): Promise<EntryOutcome> {
    const base: StatusEvidence = { listUrl: ref.uri, purpose: 'status_list', index: ref.idx };
    if (ctx.budget && !ctx.budget.admitList(ref.uri)) {
      return {
        status: 'fail',
        code: 'data_model_invalid',
        message: `More than ${ctx.budget.maxLists} status lists are named in one verification; no more are read.`,
        evidence: base,
      };
    }
    let list: DecodedStatusList;
    try {
      list = this.engine.statusLists.cached(ref.uri) ?? (await this.engine.statusLists.get(ref.uri, ctx.budget, issuerId));
    } catch (err) {
      return this.engine.status.unreadList(err, issuerId, base, ctx.now);
    }
    const evidence: StatusEvidence = { ...base, fetchedAt: fetchedAtIso(list) };
    if (!list.tokenBits)
      return { status: 'indeterminate', code: 'status_list_invalid', message: 'The list the credential names is not a Token Status List.', evidence };
    if (list.issuer !== issuerId)
      return { status: 'indeterminate', code: 'status_list_invalid', message: 'The status list is published by a different issuer.', evidence };
    if (list.validUntil !== undefined && list.validUntil + this.engine.skewMs <= ctx.now.getTime()) {
      return { status: 'indeterminate', code: 'status_list_invalid', message: 'The Status List Token has expired.', evidence };
    }
    try {
      evidence.value = StatusListService.read(list, ref.idx);
    } catch (err) {
      return this.engine.status.unreadList(err, issuerId, base, ctx.now);
    }
    if (evidence.value === TOKEN_STATUS.valid) return { status: 'pass', message: 'ok', evidence };
    if (evidence.value === TOKEN_STATUS.invalid) return { status: 'fail', code: 'revoked', message: 'The issuer has revoked this credential.', evidence };
    if (evidence.value === TOKEN_STATUS.suspended) return { status: 'fail', code: 'suspended', message: 'The issuer has suspended this credential.', evidence };
    return {
      status: 'indeterminate',
      code: 'status_unavailable',
      message: `The status list gives this credential the status ${evidence.value}, which this system does not interpret.`,
      evidence,
    };
  }

  /**
   * A fetched Status List Token (the StatusListService's verifier for `statuslist+jwt`): its claims, and its signature
   * by a key of its issuer (`iss`, or else the issuer of the credential that named it), found as for the credential.
   */
  async verifyStatusListToken(jws: DecodedJws, nowMs: number, expected: { url: string; issuer?: string }): Promise<VerifiedStatusListCredential> {
    const invalid = (message: string): StatusListError => new StatusListError('status_list_invalid', message);
    let claims;
    try {
      claims = statusListTokenClaims(jws, expected.url, nowMs, this.engine.skewMs);
    } catch (err) {
      throw invalid((err as Error).message);
    }
    const issuer = claims.issuer ?? expected.issuer;
    if (!issuer) throw invalid('The Status List Token names no issuer.');
    let entry: TrustedIssuer | undefined;
    try {
      entry = await this.engine.trust.findIssuer(issuer);
    } catch {
      entry = undefined;
    }
    const signature = await this.issuerSignature(jws, issuer, entry, {});
    if (!signature.ok) {
      if (signature.code === 'did_unresolvable')
        throw new StatusListError('status_unavailable', `The status list issuer's keys are unavailable: ${signature.message}`);
      throw invalid(`The Status List Token signature does not verify: ${signature.message}`);
    }
    return { issuer, purposes: ['status_list'], tokenList: { lst: claims.lst, bits: claims.bits }, ttlMs: claims.ttlMs, validUntil: claims.validUntil };
  }
}

/** A fetched status list that is a Status List Token (typ statuslist+jwt), decoded; undefined for anything else. */
export function asStatusListToken(body: string): DecodedJws | undefined {
  const decoded = decodeCompactJws(body.trim());
  return decoded.ok && mediaType(decoded.jws.header.typ) === 'statuslist+jwt' ? decoded.jws : undefined;
}
