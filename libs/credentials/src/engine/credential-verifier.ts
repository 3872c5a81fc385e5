import { createHash } from 'node:crypto';
import type { BoundedFetcher } from '../fetch/bounded-fetcher';
import { decodeCompactJws, type DecodedJws } from '../jws/compact-jws';
import { verifyJwsSignature } from '../jws/verify-signature';
import { extractJws, MAX_INPUT_BYTES } from '../input/scan-input';
import { KeyResolutionError, KeyResolver, type VerificationKey } from '../keys/key-resolver';
import { algorithmsFor, jwkThumbprint, keyObjectFor, toPublicJwk } from '../keys/jwk';
import { checkPresentationClaims, detectFormat, extractCredential, type SecuredFormat } from '../model/credential-format';
import { qualificationFacts, summariseCredential } from '../model/credential-summary';
import { statusIndex, validateCredential, validatePresentation } from '../model/data-model';
import { normalisedIso, parseInstant, toIso } from '../model/instants';
import { InMemoryStatusListStore, type StatusListStore } from '../status/status-list-store';
import { StatusListError, StatusListService, type DecodedStatusList, type VerifiedStatusListCredential } from '../status/status-list-service';
import {
  DEFAULT_ALGORITHMS,
  issuerActivity,
  jurisdictionCovers,
  mapQualification,
  SUPPORTED_ALGORITHMS,
  type TrustedIssuer,
  type TrustSource,
} from '../trust/trust-source';
import { idOf, isRecord, oneOrMany, type JsonRecord } from '../util/json';
import {
  CHECK_IDS,
  type CheckId,
  type CredentialSummary,
  type ReasonCode,
  type RevalidateOptions,
  type StatusEvidence,
  type VerificationCheck,
  type VerificationEvidence,
  type VerificationResult,
  type VerifyOptions,
} from '../verification-result';
import { CheckBoard, worse } from './check-board';

/**
 * The verification engine: is the credential authentic (signature by a key of its issuer), currently valid (data
 * model, dates, revocation, suspension) and is its issuer trusted to issue this qualification in this jurisdiction?
 * Framework-free: give it a fetcher, a clock, a trust source and a status-list store. It never throws for bad input
 * and every network step is bounded by the fetcher; the result says what was checked, how, and on what evidence.
 */
export interface CredentialVerifierOptions {
  fetcher: BoundedFetcher;
  trust: TrustSource;
  /** Shared store of decoded status lists (Redis in the services, memory in the CLI). */
  statusStore?: StatusListStore;
  clock?: { now(): Date };
  clockSkewSeconds: number;
  statusListMinBits: number;
  /** Default freshness of fetched DID documents, key sets and status lists without their own lifetime. */
  cacheTtlMs: number;
  /** Hosts served over plain http (development only); must match the fetcher's policy. */
  insecureHosts?: string[];
}

export type ContractFeature = 'credential_jose' | 'presentation_jose';
export type ContractOutcome = 'success' | 'failure' | 'indeterminate';

/** Presentations carry at most this many credentials (a badge presentation carries one or two). */
const MAX_ENCLOSED = 10;
const MAX_STATUS_ENTRIES = 8;
const CONTRACT_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256', 'PS256'];
const CONTRACT_MEDIA_TYPES = ['application/vc+jwt', 'application/vc+sd-jwt', 'application/vc+cose', 'application/vc-ld+jwt', 'application/vc'];

interface RunContext {
  now: Date;
  options: VerifyOptions;
  knownKeyThumbprint?: string;
  /** W3C test-suite contract: verify with exactly this key, no resolution, no status or trust. */
  contract?: { key: VerificationKey; feature: ContractFeature };
  enclosed?: boolean;
}

interface SignatureOutcome {
  ok: boolean;
  code?: ReasonCode;
  message: string;
  key?: VerificationKey;
}

interface StatusOutcome {
  check: VerificationCheck;
  evidence: StatusEvidence[];
}

export class CredentialVerifier {
  readonly keys: KeyResolver;
  readonly statusLists: StatusListService;
  private readonly skewMs: number;

  constructor(private readonly opts: CredentialVerifierOptions) {
    const now = (): number => this.clockNow().getTime();
    this.skewMs = opts.clockSkewSeconds * 1000;
    this.keys = new KeyResolver({ fetcher: opts.fetcher, now, cacheTtlMs: opts.cacheTtlMs, insecureHosts: opts.insecureHosts });
    this.statusLists = new StatusListService({
      fetcher: opts.fetcher,
      store: opts.statusStore ?? new InMemoryStatusListStore(),
      verifyListCredential: (body, at) => this.verifyStatusListCredential(body, at),
      now,
      minBits: opts.statusListMinBits,
      defaultTtlMs: opts.cacheTtlMs,
    });
  }

  private clockNow(): Date {
    return this.opts.clock ? this.opts.clock.now() : new Date();
  }

  /**
   * Verifies a scanned credential: a compact JWS (vc+jwt, VC-JWT / Open Badges 3.0, or a vp+jwt presentation), a
   * `data:application/vc+jwt,` envelope (string or VC-API object), or a URL carrying the JWS.
   */
  async verify(input: unknown, options: VerifyOptions = {}): Promise<VerificationResult> {
    const now = options.now ?? this.clockNow();
    return this.guard(input, now, () => this.run(input, { now, options }));
  }

  /**
   * Reverification of a credential verified before: when the issuer's current keys still include
   * `knownKeyThumbprint`, the signature is not re-computed (the bytes are the same); dates, status and trust are
   * re-checked as in `verify`. Without the thumbprint, or if the key is gone, it is a full verification.
   */
  async revalidate(input: unknown, options: RevalidateOptions = {}): Promise<VerificationResult> {
    const now = options.now ?? this.clockNow();
    return this.guard(input, now, () => this.run(input, { now, options, knownKeyThumbprint: options.knownKeyThumbprint }));
  }

  /**
   * The W3C vc-jose-cose test-suite contract: verify with exactly the given verification method (a JsonWebKey
   * document with `publicKeyJwk`, or a bare public JWK). Proof, media types, data model and validity dates are
   * checked; status and trust are not part of the contract. Presentation time claims are evaluated at the
   * presentation's own `iat` (see docs/verification.md).
   */
  async verifyWithKey(input: string, verificationMethod: unknown, feature: ContractFeature): Promise<{ result: ContractOutcome; verification: VerificationResult }> {
    const now = this.clockNow();
    let key: VerificationKey;
    try {
      const method = isRecord(verificationMethod) && 'publicKeyJwk' in verificationMethod ? verificationMethod.publicKeyJwk : verificationMethod;
      const jwk = toPublicJwk(method);
      const id = isRecord(verificationMethod) && typeof verificationMethod.id === 'string' ? verificationMethod.id : `urn:jwk:${jwkThumbprint(jwk)}`;
      key = { id, jwk, thumbprint: jwkThumbprint(jwk), keyObject: keyObjectFor(jwk), algorithms: algorithmsFor(jwk) };
    } catch (err) {
      const board = new CheckBoard();
      board.fail('signature', 'key_not_found', `The given verification method is unusable: ${(err as Error).message}`);
      board.skipRest('The key could not be used.');
      return { result: 'failure', verification: board.result(this.evidence(input, now)) };
    }
    const verification = await this.guard(input, now, () => this.run(input, { now, options: {}, contract: { key, feature } }));
    const relevant: CheckId[] = ['format', 'signature', 'data_model', 'validity'];
    const checks = verification.checks.filter((c) => relevant.includes(c.id));
    const result: ContractOutcome = checks.every((c) => c.status === 'pass') ? 'success' : checks.some((c) => c.status === 'fail') ? 'failure' : 'indeterminate';
    return { result, verification };
  }

  /** Never throws: an unexpected error becomes a failed format check (the caller still gets a result). */
  private async guard(input: unknown, now: Date, work: () => Promise<VerificationResult>): Promise<VerificationResult> {
    try {
      return await work();
    } catch {
      const board = new CheckBoard();
      board.fail('format', 'malformed', 'The credential could not be processed.');
      board.skipRest('The credential could not be processed.');
      return board.result(this.evidence(input, now));
    }
  }

  private evidence(input: unknown, now: Date, jws?: string): VerificationEvidence {
    const text = jws ?? boundedText(input);
    return { credentialHash: createHash('sha256').update(text).digest('hex'), status: [], verifiedAt: now.toISOString() };
  }

  private async run(input: unknown, ctx: RunContext): Promise<VerificationResult> {
    const board = new CheckBoard();
    const scan = extractJws(input);
    if (!scan.ok) {
      board.fail('format', scan.code, scan.message);
      board.skipRest('The input is not a readable credential.');
      return board.result(this.evidence(scan.raw ?? input, ctx.now));
    }
    const evidence = this.evidence(input, ctx.now, scan.jws);
    const decoded = decodeCompactJws(scan.jws);
    if (!decoded.ok) {
      board.fail('format', 'malformed', decoded.message);
      board.skipRest('The credential could not be decoded.');
      return board.result(evidence);
    }
    if (typeof decoded.jws.header.alg !== 'string') {
      board.fail('format', 'malformed', 'The JWS header names no algorithm.');
      board.skipRest('The credential could not be decoded.');
      return board.result(evidence);
    }
    const detected = detectFormat(decoded.jws.header, decoded.jws.payload);
    if (!detected.ok) {
      board.fail('format', 'unsupported_format', detected.message);
      board.skipRest('The credential format is not supported.');
      return board.result(evidence);
    }
    const format = detected.format;
    if (ctx.contract) {
      const expected: SecuredFormat = ctx.contract.feature === 'presentation_jose' ? 'vp+jwt' : 'vc+jwt';
      if (format !== expected) {
        board.fail('format', 'unsupported_format', `Expected a ${expected}, got a ${format}.`);
        board.skipRest('Wrong kind of document for this feature.');
        return board.result(evidence);
      }
    }
    if (format === 'vp+jwt') {
      if (ctx.enclosed) {
        board.fail('format', 'unsupported_format', 'A presentation cannot be enclosed in a presentation.');
        board.skipRest('The credential format is not supported.');
        return board.result(evidence);
      }
      return this.runPresentation(decoded.jws, ctx, board, evidence);
    }
    // The exact JWS verified goes with the result (for a presentation, each enclosed one): check-in keeps it for reverification.
    return { ...(await this.runCredential(decoded.jws, format, ctx, board, evidence)), jws: scan.jws };
  }

  private async runCredential(jws: DecodedJws, format: 'vc+jwt' | 'jwt-vc', ctx: RunContext, board: CheckBoard, evidence: VerificationEvidence): Promise<VerificationResult> {
    const { credential, version, problems } = extractCredential(format, jws.payload);
    const issuerId = idOf(credential.issuer);
    const summary = summariseCredential(credential, format, issuerId);
    board.pass('format', format === 'vc+jwt' ? `A VC 2.0 credential secured with JOSE (${String(jws.header.alg)}).` : `A VC-JWT credential (Open Badges 3.0 style, ${String(jws.header.alg)}).`);

    let entry: TrustedIssuer | undefined;
    let registryError = false;
    if (!ctx.contract && issuerId) {
      try {
        entry = await this.opts.trust.findIssuer(issuerId);
      } catch {
        registryError = true;
      }
    }
    if (entry) summary.issuer.registryName = entry.name;

    const signature = await this.checkSignature(jws, issuerId, entry, ctx);
    if (!signature.ok) {
      board.fail('signature', signature.code ?? 'signature_invalid', signature.message);
      board.skipRest('Not checked: the signature could not be verified.');
      return board.result(evidence, summary);
    }
    board.pass('signature', signature.message);
    this.noteKey(evidence, jws, signature.key);

    const modelProblems = [...problems, ...validateCredential(credential, version)];
    if (modelProblems.length > 0) board.fail('data_model', 'data_model_invalid', joinProblems(modelProblems));
    else board.pass('data_model', `The credential conforms to the VC Data Model ${version}.`);

    board.set(this.checkValidity(credential, jws.payload, version, ctx.now, 'credential'));

    if (ctx.contract) {
      board.skip('status', 'Status is not part of the test-suite contract.');
      board.skip('issuer_trust', 'Issuer trust is not part of the test-suite contract.');
      return board.result(evidence, summary);
    }

    const status = await this.checkStatus(credential, issuerId ?? '', ctx.now);
    board.set(status.check);
    evidence.status.push(...status.evidence);

    board.set(await this.checkTrust(summary, entry, registryError, ctx));
    return board.result(evidence, summary);
  }

  private noteKey(evidence: VerificationEvidence, jws: DecodedJws, key: VerificationKey | undefined): void {
    evidence.algorithm = String(jws.header.alg);
    if (key) {
      evidence.keyId = key.id;
      evidence.keyThumbprint = key.thumbprint;
    }
  }

  private async checkSignature(jws: DecodedJws, signer: string | undefined, entry: TrustedIssuer | undefined, ctx: RunContext): Promise<SignatureOutcome> {
    const alg = String(jws.header.alg);
    const allowed = ctx.contract
      ? CONTRACT_ALGORITHMS
      : entry
        ? entry.algorithms.filter((a) => SUPPORTED_ALGORITHMS.includes(a))
        : [...DEFAULT_ALGORITHMS];
    if (!allowed.includes(alg)) {
      const why = ['RS256', 'PS256'].includes(alg) ? ' for this issuer (the trust registry does not list it)' : '';
      return { ok: false, code: 'alg_not_allowed', message: `The algorithm ${truncate(alg)} is not accepted${why}.` };
    }
    let key: VerificationKey;
    if (ctx.contract) {
      key = ctx.contract.key;
    } else {
      if (!signer) return { ok: false, code: 'key_not_found', message: 'The credential names no issuer, so no key can be looked up.' };
      try {
        const set = await this.keys.keySet(signer);
        const known = ctx.knownKeyThumbprint ? set.keys.find((k) => k.thumbprint === ctx.knownKeyThumbprint) : undefined;
        if (known) return { ok: true, key: known, message: 'Verified earlier with a key the issuer still publishes; not re-computed.' };
        key = this.keys.select(set, jws.header);
      } catch (err) {
        if (err instanceof KeyResolutionError) return { ok: false, code: err.code, message: err.message };
        return { ok: false, code: 'did_unresolvable', message: "The issuer's keys could not be resolved." };
      }
    }
    if (!key.algorithms.includes(alg)) return { ok: false, code: 'signature_invalid', message: `The algorithm ${alg} does not match the key ${truncate(key.id)}.` };
    if (!verifyJwsSignature(jws, alg, key.keyObject)) {
      return { ok: false, code: 'signature_invalid', message: 'The signature does not verify: the credential was altered or not signed by this key.' };
    }
    return { ok: true, key, message: ctx.contract ? 'The signature verifies with the given key.' : `Signed by the issuer's key ${truncate(key.id)}.` };
  }

  /** validFrom/validUntil (or issuanceDate/expirationDate) and the JWT's own nbf/exp, with the configured skew. */
  private checkValidity(doc: JsonRecord, claims: JsonRecord, version: '2.0' | '1.1', now: Date, what: 'credential' | 'presentation'): VerificationCheck {
    const t = now.getTime();
    const fromText = version === '1.1' ? doc.issuanceDate : doc.validFrom;
    const untilText = version === '1.1' ? doc.expirationDate : doc.validUntil;
    const from = fromText === undefined ? undefined : parseInstant(fromText, { zoneOptional: version === '1.1' });
    const until = untilText === undefined ? undefined : parseInstant(untilText, { zoneOptional: version === '1.1' });
    if ((fromText !== undefined && from === undefined) || (untilText !== undefined && until === undefined)) {
      return { id: 'validity', status: 'fail', code: 'data_model_invalid', message: `The ${what}'s validity dates cannot be read.` };
    }
    const nbf = typeof claims.nbf === 'number' ? claims.nbf * 1000 : undefined;
    const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
    const notBefore = Math.max(from ?? -Infinity, nbf ?? -Infinity);
    const notAfter = Math.min(until ?? Infinity, exp ?? Infinity);
    if (Number.isFinite(notBefore) && t + this.skewMs < notBefore) {
      return { id: 'validity', status: 'fail', code: 'not_yet_valid', message: `The ${what} is not valid before ${toIso(notBefore)}.` };
    }
    if (Number.isFinite(notAfter) && t - this.skewMs >= notAfter) {
      return { id: 'validity', status: 'fail', code: 'expired', message: `The ${what} expired on ${toIso(notAfter)}.` };
    }
    const range = Number.isFinite(notAfter) ? `until ${notAfter === until ? normalisedIso(untilText, notAfter) : toIso(notAfter)}` : 'with no expiry date';
    return { id: 'validity', status: 'pass', code: 'ok', message: `Valid ${range}.` };
  }

  private async checkStatus(credential: JsonRecord, issuerId: string, now: Date): Promise<StatusOutcome> {
    const entries = oneOrMany(credential.credentialStatus).filter(isRecord);
    if (entries.length === 0) return { check: { id: 'status', status: 'pass', code: 'ok', message: 'The issuer publishes no revocation status for this credential.' }, evidence: [] };
    if (entries.length > MAX_STATUS_ENTRIES) {
      return { check: { id: 'status', status: 'indeterminate', code: 'status_unavailable', message: 'The credential has too many status entries to check.' }, evidence: [] };
    }
    const outcomes = await Promise.all(entries.map((entry) => this.checkStatusEntry(entry, issuerId, now)));
    const evidence = outcomes.flatMap((o) => (o.evidence ? [o.evidence] : []));
    const set = (purpose: string) => outcomes.find((o) => o.evidence?.purpose === purpose && (o.evidence.value ?? 0) !== 0);
    const revoked = set('revocation');
    if (revoked) return { check: { id: 'status', status: 'fail', code: 'revoked', message: 'The issuer has revoked this credential.' }, evidence };
    const suspended = set('suspension');
    if (suspended) return { check: { id: 'status', status: 'fail', code: 'suspended', message: 'The issuer has suspended this credential.' }, evidence };
    const failed = outcomes.find((o) => o.status === 'fail');
    if (failed) return { check: { id: 'status', status: 'fail', code: failed.code ?? 'status_list_invalid', message: failed.message }, evidence };
    const unknown = outcomes.find((o) => o.status === 'indeterminate');
    if (unknown) return { check: { id: 'status', status: 'indeterminate', code: unknown.code ?? 'status_unavailable', message: unknown.message }, evidence };
    return { check: { id: 'status', status: 'pass', code: 'ok', message: 'Neither revoked nor suspended.' }, evidence };
  }

  private async checkStatusEntry(
    entry: JsonRecord,
    issuerId: string,
    now: Date,
  ): Promise<{ status: 'pass' | 'fail' | 'indeterminate'; code?: ReasonCode; message: string; evidence?: StatusEvidence }> {
    if (entry.type !== 'BitstringStatusListEntry' && entry.type !== 'StatusList2021Entry') {
      return { status: 'indeterminate', code: 'status_unavailable', message: `The status mechanism ${truncate(String(entry.type))} is not supported, so revocation cannot be checked.` };
    }
    const url = entry.statusListCredential;
    const purpose = typeof entry.statusPurpose === 'string' ? entry.statusPurpose : '';
    const index = statusIndex(entry.statusListIndex);
    const size = typeof entry.statusSize === 'number' ? entry.statusSize : 1;
    if (typeof url !== 'string' || index === undefined || !Number.isInteger(size) || size < 1 || size > 8) {
      return { status: 'fail', code: 'data_model_invalid', message: 'A status entry is incomplete (list URL, index or size).' };
    }
    const base: StatusEvidence = { listUrl: url, purpose, index };
    try {
      const list = await this.statusLists.get(url);
      const evidence: StatusEvidence = { ...base, fetchedAt: fetchedAtIso(list) };
      if (list.issuer !== issuerId) return { status: 'indeterminate', code: 'status_list_invalid', message: 'The status list is published by a different issuer.', evidence };
      if (!list.purposes.includes(purpose)) return { status: 'indeterminate', code: 'status_list_invalid', message: `The status list is not a ${purpose || 'declared'} list.`, evidence };
      if (list.validUntil !== undefined && list.validUntil + this.skewMs <= now.getTime()) {
        return { status: 'indeterminate', code: 'status_list_invalid', message: 'The status list credential has expired.', evidence };
      }
      const value = StatusListService.read(list, index, size);
      return { status: 'pass', message: 'ok', evidence: { ...evidence, value } };
    } catch (err) {
      if (err instanceof StatusListError) {
        const outOfRange = err.message.startsWith('Index');
        return { status: outOfRange ? 'fail' : 'indeterminate', code: err.code, message: err.message, evidence: base };
      }
      return { status: 'indeterminate', code: 'status_unavailable', message: 'The status list could not be read.', evidence: base };
    }
  }

  private async checkTrust(summary: CredentialSummary, entry: TrustedIssuer | undefined, registryError: boolean, ctx: RunContext): Promise<VerificationCheck> {
    const fail = (code: ReasonCode, message: string): VerificationCheck => ({ id: 'issuer_trust', status: 'fail', code, message });
    let rules;
    try {
      rules = await this.opts.trust.qualificationRules();
    } catch {
      registryError = true;
    }
    if (rules) summary.qualification = mapQualification(qualificationFacts(summary), rules);
    if (registryError) return { id: 'issuer_trust', status: 'indeterminate', code: 'untrusted_issuer', message: 'The trust registry is unavailable right now.' };
    if (!entry) return fail('untrusted_issuer', `The issuer ${truncate(summary.issuer.id)} is not in the trust registry.`);
    const activity = issuerActivity(entry, ctx.now);
    if (!activity.active) return fail('untrusted_issuer', `${entry.name} is ${activity.reason}.`);

    let basis = '';
    const jurisdiction = ctx.options.jurisdiction;
    if (jurisdiction) {
      const direct = entry.jurisdictions.some((j) => jurisdictionCovers(j, jurisdiction));
      if (!direct) {
        const aid = (ctx.options.mutualAidJurisdictions ?? []).find((m) => entry.jurisdictions.some((j) => jurisdictionCovers(j, m)));
        if (!aid) return fail('issuer_not_authorized', `${entry.name} is trusted in ${entry.jurisdictions.join(', ') || 'no jurisdiction'}, not in ${jurisdiction}.`);
        basis = ` under mutual aid (${aid})`;
      }
    }
    const qualification = summary.qualification;
    if (!qualification) return fail('issuer_not_authorized', 'The credential does not show a qualification the registry recognises.');
    if (!entry.qualifications.includes(qualification)) return fail('issuer_not_authorized', `${entry.name} is not authorized to certify ${qualification}.`);
    return { id: 'issuer_trust', status: 'pass', code: 'ok', message: `${entry.name} is trusted for ${qualification}${jurisdiction ? ` in ${jurisdiction}` : ''}${basis}.` };
  }

  private async runPresentation(jws: DecodedJws, ctx: RunContext, board: CheckBoard, evidence: VerificationEvidence): Promise<VerificationResult> {
    const vp = jws.payload;
    const { holder, problems } = checkPresentationClaims(vp);
    board.pass('format', `A presentation secured with JOSE (${String(jws.header.alg)}).`);

    const signature = await this.checkSignature(jws, holder, undefined, ctx);
    if (!signature.ok) {
      board.fail('signature', signature.code ?? 'signature_invalid', `Presentation: ${signature.message}`);
      board.skipRest('Not checked: the presentation signature could not be verified.');
      return board.result(evidence);
    }
    board.pass('signature', `Presentation: ${signature.message}`);
    this.noteKey(evidence, jws, signature.key);

    // The contract evaluates a presentation's time claims when it was made (its iat): the suite's vectors are frozen.
    const presentationNow = ctx.contract && typeof vp.iat === 'number' ? new Date(vp.iat * 1000) : ctx.now;
    const modelProblems = [...problems, ...validatePresentation(vp)];
    const entries = oneOrMany(vp.verifiableCredential);
    if (entries.length > MAX_ENCLOSED) modelProblems.push(`A presentation may carry at most ${MAX_ENCLOSED} credentials.`);

    if (ctx.contract) {
      entries.slice(0, MAX_ENCLOSED).forEach((entry, i) => modelProblems.push(...contractEnvelopeProblems(entry).map((p) => `verifiableCredential ${i + 1}: ${p}`)));
      if (modelProblems.length > 0) board.fail('data_model', 'data_model_invalid', joinProblems(modelProblems));
      else board.pass('data_model', 'The presentation and its enclosed credentials are well formed.');
      board.set(this.checkValidity(vp, vp, '2.0', presentationNow, 'presentation'));
      board.skip('status', 'Status is not part of the test-suite contract.');
      board.skip('issuer_trust', 'Issuer trust is not part of the test-suite contract.');
      return board.result(evidence);
    }

    const enclosed = await Promise.all(entries.slice(0, MAX_ENCLOSED).map((entry) => this.verifyEnclosed(entry, ctx)));
    const own: Record<'data_model' | 'validity' | 'status' | 'issuer_trust', VerificationCheck> = {
      data_model: modelProblems.length > 0
        ? { id: 'data_model', status: 'fail', code: 'data_model_invalid', message: joinProblems(modelProblems) }
        : { id: 'data_model', status: 'pass', code: 'ok', message: 'The presentation conforms to the VC Data Model 2.0.' },
      validity: this.checkValidity(vp, vp, '2.0', presentationNow, 'presentation'),
      status: { id: 'status', status: 'pass', code: 'ok', message: 'See the enclosed credentials.' },
      issuer_trust: { id: 'issuer_trust', status: 'pass', code: 'ok', message: 'See the enclosed credentials.' },
    };
    if (enclosed.length === 0) own.data_model = { id: 'data_model', status: 'fail', code: 'data_model_invalid', message: 'The presentation encloses no credential.' };
    // Each check of the presentation is the worst of its own and of the enclosed credentials' failed or
    // indeterminate ones (an enclosed credential's bad signature makes the presentation's signature check fail).
    for (const id of CHECK_IDS) {
      let check = own[id as keyof typeof own] ?? board.get(id)!;
      enclosed.forEach((result, i) => {
        const inner = result.checks.find((c) => c.id === id);
        if (inner && (inner.status === 'fail' || inner.status === 'indeterminate')) check = worse(check, { ...inner, message: `Credential ${i + 1}: ${inner.message}` });
      });
      board.set(check);
    }
    evidence.status.push(...enclosed.flatMap((r) => r.evidence.status));
    return board.result(evidence, enclosed.length === 1 ? enclosed[0].credential : undefined, enclosed);
  }

  private async verifyEnclosed(entry: unknown, ctx: RunContext): Promise<VerificationResult> {
    if (isRecord(entry) && entry.type === 'EnvelopedVerifiableCredential' && typeof entry.id === 'string' && entry.id.startsWith('data:application/vc+jwt,')) {
      return this.run(entry.id, { ...ctx, enclosed: true });
    }
    const board = new CheckBoard();
    const enveloped = isRecord(entry) && oneOrMany(entry.type).includes('EnvelopedVerifiableCredential');
    board.fail('format', 'unsupported_format', enveloped ? 'Only data:application/vc+jwt enveloped credentials are accepted.' : 'The enclosed credential is not secured by its issuer (embedded, not enveloped).');
    board.skipRest('The enclosed credential could not be read.');
    return board.result(this.evidence(entry, ctx.now));
  }

  /** Verifies a fetched status list credential (the StatusListService's verifier). */
  private async verifyStatusListCredential(body: string, nowMs: number): Promise<VerifiedStatusListCredential> {
    const invalid = (message: string): StatusListError => new StatusListError('status_list_invalid', message);
    let text = body.trim();
    if (text.startsWith('{')) {
      try {
        const doc: unknown = JSON.parse(text);
        if (isRecord(doc) && typeof doc.id === 'string') text = doc.id;
        else throw invalid('The status list is not secured (a plain JSON document).');
      } catch (err) {
        throw err instanceof StatusListError ? err : invalid('The status list is not valid JSON.');
      }
    }
    const scan = extractJws(text);
    if (!scan.ok) throw invalid(`The status list is not a secured credential: ${scan.message}`);
    const decoded = decodeCompactJws(scan.jws);
    if (!decoded.ok) throw invalid(`The status list credential is malformed: ${decoded.message}`);
    const detected = detectFormat(decoded.jws.header, decoded.jws.payload);
    if (!detected.ok || detected.format === 'vp+jwt') throw invalid('The status list credential has an unsupported format.');
    const { credential, problems } = extractCredential(detected.format, decoded.jws.payload);
    if (problems.length > 0) throw invalid(`The status list credential is invalid: ${problems[0]}`);
    const issuer = idOf(credential.issuer);
    const types = oneOrMany(credential.type);
    if (!types.includes('BitstringStatusListCredential') && !types.includes('StatusList2021Credential')) throw invalid('The document is not a status list credential.');
    if (!issuer) throw invalid('The status list credential names no issuer.');

    let entry: TrustedIssuer | undefined;
    try {
      entry = await this.opts.trust.findIssuer(issuer);
    } catch {
      entry = undefined;
    }
    const signature = await this.checkSignature(decoded.jws, issuer, entry, { now: new Date(nowMs), options: {} });
    if (!signature.ok) {
      if (signature.code === 'did_unresolvable') throw new StatusListError('status_unavailable', `The status list issuer's keys are unavailable: ${signature.message}`);
      throw invalid(`The status list signature does not verify: ${signature.message}`);
    }
    const validity = this.checkValidity(credential, decoded.jws.payload, '2.0', new Date(nowMs), 'credential');
    if (validity.status !== 'pass') throw invalid(`The status list credential is not valid now: ${validity.message}`);

    const subject = oneOrMany(credential.credentialSubject).find(isRecord);
    if (!subject || typeof subject.encodedList !== 'string') throw invalid('The status list has no encodedList.');
    const purposes = oneOrMany(subject.statusPurpose).filter((p): p is string => typeof p === 'string');
    if (purposes.length === 0) throw invalid('The status list declares no statusPurpose.');
    const ttl = typeof subject.ttl === 'number' && Number.isFinite(subject.ttl) && subject.ttl >= 0 ? subject.ttl : undefined;
    const validUntil = parseInstant(credential.validUntil ?? credential.expirationDate, { zoneOptional: true });
    return { issuer, purposes, encodedList: subject.encodedList, ttlMs: ttl, validUntil };
  }
}

/** Test-suite contract: an enclosed credential must be a well-formed envelope of a VC media type (or conform if embedded). */
function contractEnvelopeProblems(entry: unknown): string[] {
  if (!isRecord(entry) || !oneOrMany(entry.type).includes('EnvelopedVerifiableCredential')) return [];
  const id = typeof entry.id === 'string' ? entry.id : '';
  const comma = id.indexOf(',');
  if (!id.startsWith('data:') || comma < 0) return ['the envelope id is not a data: URL.'];
  const media = id.slice('data:'.length, comma).split(';')[0].toLowerCase();
  if (!CONTRACT_MEDIA_TYPES.includes(media)) return [`the envelope media type ${truncate(media)} is not a credential.`];
  if (media !== 'application/vc+jwt') return [];
  const decoded = decodeCompactJws(id.slice(comma + 1));
  if (!decoded.ok) return [`the enveloped credential is malformed: ${decoded.message}`];
  return validateCredential(decoded.jws.payload, '2.0');
}

const fetchedAtTexts = new WeakMap<DecodedStatusList, string>();

/** The list's fetch time as ISO text, formatted once per cached list (it is on every verification's evidence). */
function fetchedAtIso(list: DecodedStatusList): string {
  let text = fetchedAtTexts.get(list);
  if (text === undefined) {
    text = toIso(list.fetchedAt);
    fetchedAtTexts.set(list, text);
  }
  return text;
}

/** What to hash as evidence of an input that is not a JWS: bounded, and safe for any depth of nesting. */
function boundedText(input: unknown): string {
  if (typeof input === 'string') return input.slice(0, MAX_INPUT_BYTES);
  try {
    return (JSON.stringify(input ?? null) ?? '').slice(0, MAX_INPUT_BYTES);
  } catch {
    return `[unserialisable ${typeof input}]`;
  }
}

function joinProblems(problems: string[]): string {
  const shown = problems.slice(0, 5).join(' ');
  return problems.length > 5 ? `${shown} (and ${problems.length - 5} more)` : shown;
}

function truncate(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
