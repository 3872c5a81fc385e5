import { hash } from 'node:crypto';
import { JsonLdContexts } from '../data-integrity/context-store';
import { DataIntegrityVerifier, type DataIntegrityReading } from '../data-integrity/data-integrity-verifier';
import type { BoundedFetcher } from '../fetch/bounded-fetcher';
import { decodeCompactJws, decodeScannedJws, type DecodedJws } from '../jws/compact-jws';
import { verifyJwsSignature } from '../jws/verify-signature';
import { MAX_INPUT_BYTES, readScan } from '../input/scan-input';
import { KeyResolutionError, KeyResolver, type IssuerKeySet, type VerificationKey } from '../keys/key-resolver';
import { asStatusListToken, SdJwtVcVerifier } from '../sd-jwt/sd-jwt-vc-verifier';
import { algorithmsFor, jwkThumbprint, keyObjectFor, toPublicJwk } from '../keys/jwk';
import { checkPresentationClaims, detectFormat, extractCredential, type JwtCredentialFormat, type SecuredFormat } from '../model/credential-format';
import { qualificationFacts, summariseCredential } from '../model/credential-summary';
import { statusIndex, validateCredential, validatePresentation } from '../model/data-model';
import { normalisedIso, parseInstant, toIso } from '../model/instants';
import { DecodeBudget, VERIFICATION_LIMITS } from '../limits';
import { InMemoryStatusListStore, type StatusListStore } from '../status/status-list-store';
import { StatusListError, StatusListService, type DecodedStatusList, type VerifiedStatusListCredential } from '../status/status-list-service';
import {
  DEFAULT_ALGORITHMS,
  issuerActivity,
  jurisdictionCovers,
  mapQualification,
  SUPPORTED_ALGORITHMS,
  type QualificationRule,
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

type DataIntegrityCredential = Extract<DataIntegrityReading, { ok: true }>;

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
  /** A folder of further pinned JSON-LD contexts for Data Integrity credentials (its index.json; see JsonLdContexts). */
  jsonLdContextsDir?: string;
}

export type ContractFeature = 'credential_jose' | 'presentation_jose';
export type ContractOutcome = 'success' | 'failure' | 'indeterminate';

const CONTRACT_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256', 'PS256'];
const FORMAT_NAMES: Record<JwtCredentialFormat, string> = {
  'vc+jwt': 'A VC 2.0 credential secured with JOSE',
  'ob3-jwt': 'An Open Badges 3.0 JWT credential (the payload is the credential)',
  'jwt-vc': 'A VC-JWT 1.1 credential (in a vc claim)',
};

const CONTRACT_MEDIA_TYPES = ['application/vc+jwt', 'application/vc+sd-jwt', 'application/vc+cose', 'application/vc-ld+jwt', 'application/vc'];

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

/** The issuer's registry entry and the qualification rules; `unavailable` when the registry cannot be read. */
export interface RegistryAnswer {
  entry?: TrustedIssuer;
  rules?: QualificationRule[];
  unavailable: boolean;
}

/** One credential as decoded, before any check that needs its issuer's keys. */
interface CredentialParts {
  jws: DecodedJws;
  credential: JsonRecord;
  version: '2.0' | '1.1';
  problems: string[];
  issuerId?: string;
  summary: CredentialSummary;
}

export interface StatusOutcome {
  check: VerificationCheck;
  evidence: StatusEvidence[];
}

/** What one credentialStatus entry says. */
export interface EntryOutcome {
  status: 'pass' | 'fail' | 'indeterminate';
  code?: ReasonCode;
  message: string;
  evidence?: StatusEvidence;
  /** Why a set bit was read from a copy that is not fresh (appended to the verdict). */
  staleNote?: string;
}

export class CredentialVerifier {
  readonly keys: KeyResolver;
  readonly statusLists: StatusListService;
  readonly dataIntegrity: DataIntegrityVerifier;
  private readonly skewMs: number;
  private readonly sdJwt: SdJwtVcVerifier;

  constructor(private readonly opts: CredentialVerifierOptions) {
    const clock = opts.clock;
    // The caches ask for the time on every lookup: without a configured clock, no Date per question.
    const now = clock ? (): number => clock.now().getTime() : (): number => Date.now();
    this.skewMs = opts.clockSkewSeconds * 1000;
    this.keys = new KeyResolver({ fetcher: opts.fetcher, now, cacheTtlMs: opts.cacheTtlMs, insecureHosts: opts.insecureHosts });
    this.dataIntegrity = new DataIntegrityVerifier(JsonLdContexts.load(opts.jsonLdContextsDir));
    this.statusLists = new StatusListService({
      fetcher: opts.fetcher,
      store: opts.statusStore ?? new InMemoryStatusListStore(),
      verifyListCredential: (body, at, expected) => this.verifyStatusListCredential(body, at, expected),
      now,
      minBits: opts.statusListMinBits,
      defaultTtlMs: opts.cacheTtlMs,
    });
    this.sdJwt = new SdJwtVcVerifier({
      keys: this.keys,
      statusLists: this.statusLists,
      trust: opts.trust,
      skewMs: this.skewMs,
      registry: (issuerId) => this.registry(issuerId),
      trustBeforeFetching: (summary, registry, ctx, board) => this.trustBeforeFetching(summary, registry, ctx, board),
      checkValidity: (claims, now) => this.checkValidity({}, claims, '2.0', now, 'credential'),
      bitstringEntry: (entry, issuerId, ctx) => this.checkStatusEntry(entry, issuerId, ctx),
      unreadList: (err, issuerId, base, now) => staleStatus(err, issuerId, base, 1, now) ?? statusListFailure(err, base),
      statusVerdict,
      fetchedAt: fetchedAtIso,
      evidence: (input, now) => this.evidence(input, now),
    });
  }

  private clockNow(): Date {
    return this.opts.clock ? this.opts.clock.now() : new Date();
  }

  /**
   * Verifies what a scan yields (docs/verification.md, "Formats"): a compact JWS (vc+jwt, the Open Badges 3.0 JWT,
   * VC-JWT 1.1 or a vp+jwt presentation), an SD-JWT, a JSON-LD credential with a Data Integrity proof (the object or
   * its JSON text), a VC-API envelope or data: URL of any of them, or a URL carrying one.
   */
  async verify(input: unknown, options: VerifyOptions = {}): Promise<VerificationResult> {
    const now = options.now ?? this.clockNow();
    try {
      return await this.run(input, { now, options, fullReport: options.fullReport === true, budget: new DecodeBudget() });
    } catch {
      return this.unprocessable(input, now);
    }
  }

  /**
   * Reverification of a credential verified before: when the issuer's current keys still include
   * `knownKeyThumbprint`, the signature is not re-computed (the bytes are the same); dates, status and trust are
   * re-checked as in `verify`. Without the thumbprint, or if the key is gone, it is a full verification.
   */
  async revalidate(input: unknown, options: RevalidateOptions = {}): Promise<VerificationResult> {
    const now = options.now ?? this.clockNow();
    try {
      // Bytes verified before, from an issuer trusted then: every check runs, so the status still speaks if trust is lost.
      return await this.run(input, { now, options, fullReport: true, budget: new DecodeBudget(), knownKeyThumbprint: options.knownKeyThumbprint, revalidating: true });
    } catch {
      return this.unprocessable(input, now);
    }
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
    let verification: VerificationResult;
    try {
      verification = await this.run(input, { now, options: {}, contract: { key, feature } });
    } catch {
      verification = this.unprocessable(input, now);
    }
    const relevant: CheckId[] = ['format', 'signature', 'data_model', 'validity'];
    const checks = verification.checks.filter((c) => relevant.includes(c.id));
    const result: ContractOutcome = checks.every((c) => c.status === 'pass') ? 'success' : checks.some((c) => c.status === 'fail') ? 'failure' : 'indeterminate';
    return { result, verification };
  }

  /** The engine never throws: an unexpected error becomes a failed format check (the caller still gets a result). */
  private unprocessable(input: unknown, now: Date): VerificationResult {
    const board = new CheckBoard();
    board.fail('format', 'malformed', 'The credential could not be processed.');
    board.skipRest('The credential could not be processed.');
    return board.result(this.evidence(input, now));
  }

  private evidence(input: unknown, now: Date, verified?: string): VerificationEvidence {
    const text = verified ?? boundedText(input);
    // One-shot hash: the same digest as createHash().update().digest() without a Hash object per verification.
    return { credentialHash: hash('sha256', text, 'hex'), status: [], verifiedAt: isoText(now) };
  }

  /**
   * The format dispatch: each kind of scanned credential is verified by its own format's rules, with the same
   * checks, reason codes and evidence. Synchronous up to the first step that has to wait (see runCredential); the
   * callers turn throws into a result.
   */
  private run(input: unknown, ctx: RunContext): VerificationResult | Promise<VerificationResult> {
    const board = new CheckBoard();
    const scan = readScan(input);
    if (!scan.ok) {
      board.fail('format', scan.code, scan.message);
      board.skipRest('The input is not a readable credential.');
      return board.result(this.evidence(scan.raw ?? input, ctx.now));
    }
    const scanned = scan.credential;
    const evidence = this.evidence(input, ctx.now, scanned.text);
    switch (scanned.kind) {
      case 'jws':
        return this.runJws(scanned.text, ctx, board, evidence);
      case 'sd-jwt':
        return this.sdJwt.verify(scanned.text, ctx);
      case 'json':
        return this.runDataIntegrity(scanned.document, ctx);
    }
  }

  private unsupported(board: CheckBoard, evidence: VerificationEvidence, message: string): VerificationResult {
    board.fail('format', 'unsupported_format', message);
    board.skipRest('The credential format is not supported.');
    return board.result(evidence);
  }

  /** The JOSE formats: a credential (vc+jwt, Open Badges 3.0 JWT, VC-JWT 1.1) or a vp+jwt presentation. */
  private runJws(compact: string, ctx: RunContext, board: CheckBoard, evidence: VerificationEvidence): VerificationResult | Promise<VerificationResult> {
    const decoded = decodeScannedJws(compact);
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
    if (!detected.ok) return this.unsupported(board, evidence, detected.message);
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
      if (ctx.enclosed) return this.unsupported(board, evidence, 'A presentation cannot be enclosed in a presentation.');
      return this.runPresentation(decoded.jws, ctx, board, evidence);
    }
    // The exact JWS verified goes with the result (for a presentation, each enclosed one): check-in keeps it for reverification.
    return andThen(this.runCredential(decoded.jws, format, ctx, board, evidence), (result) => {
      result.jws = compact;
      return result;
    });
  }

  /**
   * The checks of one credential. Trust comes first, decided from the issuer id and the registry alone: for an issuer
   * the registry does not trust here, or when the registry cannot be read, nothing is fetched and the other checks
   * are skipped, unless the caller asked for a full report. Then signature, data model, validity and status. A step
   * that has to wait (registry, issuer keys or status lists not in memory) returns a promise and the rest follows
   * it; when everything is in memory, as for a badge scanned at check-in, no promise is made at all.
   */
  private runCredential(jws: DecodedJws, format: JwtCredentialFormat, ctx: RunContext, board: CheckBoard, evidence: VerificationEvidence): VerificationResult | Promise<VerificationResult> {
    const { credential, version, problems } = extractCredential(format, jws.payload);
    const issuerId = idOf(credential.issuer);
    const parts: CredentialParts = { jws, credential, version, problems, issuerId, summary: summariseCredential(credential, format, issuerId) };
    board.pass('format', `${FORMAT_NAMES[format]} (${String(jws.header.alg)}).`);
    if (ctx.contract) return this.authenticate(parts, undefined, undefined, ctx, board, evidence);
    if (!issuerId) {
      board.fail('signature', 'key_not_found', 'The credential names no issuer, so no key can be looked up.');
      board.skipRest('Not checked: the signature could not be verified.');
      return board.result(evidence, parts.summary);
    }
    return andThen(this.registry(issuerId), (registry) => {
      const trust = this.trustBeforeFetching(parts.summary, registry, ctx, board);
      return trust ? this.authenticate(parts, registry.entry, trust, ctx, board, evidence) : board.result(evidence, parts.summary);
    });
  }

  /** Signature, data model, validity and status; `trust` (absent for the test-suite contract) completes the board. */
  private authenticate(
    parts: CredentialParts,
    entry: TrustedIssuer | undefined,
    trust: VerificationCheck | undefined,
    ctx: RunContext,
    board: CheckBoard,
    evidence: VerificationEvidence,
  ): VerificationResult | Promise<VerificationResult> {
    const { jws, credential, version, summary } = parts;
    return andThen(this.checkSignature(jws, parts.issuerId, entry, ctx), (signature) => {
      if (!signature.ok) {
        board.fail('signature', signature.code ?? 'signature_invalid', signature.message);
        board.skipRest('Not checked: the signature could not be verified.');
        return board.result(evidence, summary);
      }
      board.pass('signature', signature.message);
      this.noteKey(evidence, jws, signature.key);

      const modelProblems = [...parts.problems, ...validateCredential(credential, version)];
      if (modelProblems.length > 0) board.fail('data_model', 'data_model_invalid', joinProblems(modelProblems));
      else board.pass('data_model', `The credential conforms to the VC Data Model ${version}.`);

      board.set(this.checkValidity(credential, jws.payload, version, ctx.now, 'credential'));

      if (!trust) {
        board.skip('status', 'Status is not part of the test-suite contract.');
        board.skip('issuer_trust', 'Issuer trust is not part of the test-suite contract.');
        return board.result(evidence, summary);
      }
      return andThen(this.checkStatus(credential, parts.issuerId ?? '', ctx), (status) => {
        board.set(status.check);
        evidence.status.push(...status.evidence);
        board.set(trust);
        return board.result(evidence, summary);
      });
    });
  }

  /**
   * A JSON-LD credential secured with Data Integrity proofs: the same checks in the same order as a JWS credential
   * (format offline; trust from the registry alone; then signature, data model, validity, status), each proof's key
   * looked up only in its issuer's own key set. The canonical JSON of the credential stands in for the JWS.
   */
  private runDataIntegrity(credential: JsonRecord, ctx: RunContext): VerificationResult | Promise<VerificationResult> {
    const board = new CheckBoard();
    const reading = this.dataIntegrity.read(credential);
    if (!reading.ok) {
      board.fail('format', reading.code, reading.message);
      board.skipRest('The credential could not be read.');
      return board.result(this.evidence(credential, ctx.now));
    }
    const evidence = this.evidence(undefined, ctx.now, reading.canonicalJson);
    if (ctx.contract) {
      board.fail('format', 'unsupported_format', 'The test-suite contract covers JOSE-secured credentials only.');
      board.skipRest('Wrong kind of document for this feature.');
      return board.result(evidence);
    }
    const issuerId = idOf(credential.issuer);
    const summary = summariseCredential(credential, 'ldp-vc', issuerId);
    const suites = [...new Set(reading.proofs.map((p) => p.suiteLabel))].join(', ');
    board.pass('format', `A VC ${reading.version} credential secured with a Data Integrity proof (${suites}).`);
    if (!issuerId) {
      board.fail('signature', 'key_not_found', 'The credential names no issuer, so no key can be looked up.');
      board.skipRest('Not checked: the signature could not be verified.');
      return board.result(evidence, summary);
    }
    const result = andThen(this.registry(issuerId), (registry) => {
      const trust = this.trustBeforeFetching(summary, registry, ctx, board);
      return trust ? this.authenticateDataIntegrity(reading, issuerId, registry.entry, trust, summary, ctx, board, evidence) : board.result(evidence, summary);
    });
    return andThen(result, (r) => {
      r.jws = reading.canonicalJson;
      return r;
    });
  }

  private async authenticateDataIntegrity(
    reading: DataIntegrityCredential,
    issuerId: string,
    entry: TrustedIssuer | undefined,
    trust: VerificationCheck,
    summary: CredentialSummary,
    ctx: RunContext,
    board: CheckBoard,
    evidence: VerificationEvidence,
  ): Promise<VerificationResult> {
    const { credential, version } = reading;
    const proofs = await this.dataIntegrity.verify(reading, {
      keyFor: (method) => this.dataIntegrityKey(issuerId, method),
      algorithmAllowed: (alg) => algorithmAllowed(alg, entry),
      now: ctx.now,
      clockSkewMs: this.skewMs,
      knownKeyThumbprint: ctx.knownKeyThumbprint,
    });
    if (!proofs.ok) {
      board.fail('signature', proofs.code, proofs.message);
      board.skipRest('Not checked: the signature could not be verified.');
      return board.result(evidence, summary);
    }
    const [first] = proofs.proofs;
    evidence.algorithm = first.suite;
    evidence.keyId = first.verificationMethod;
    evidence.keyThumbprint = first.key.thumbprint;
    const count = proofs.proofs.length === 1 ? 'The proof verifies' : `All ${proofs.proofs.length} proofs verify`;
    board.pass('signature', first.recomputed ? `${count}: signed by the issuer's key ${truncate(first.verificationMethod)}.` : 'Verified earlier with a key the issuer still publishes; not re-computed.');

    const modelProblems = validateCredential(credential, version);
    if (modelProblems.length > 0) board.fail('data_model', 'data_model_invalid', joinProblems(modelProblems));
    else board.pass('data_model', `The credential conforms to the VC Data Model ${version}.`);
    board.set(this.checkValidity(credential, {}, version, ctx.now, 'credential'));
    const status = await this.checkStatus(credential, issuerId, ctx);
    board.set(status.check);
    evidence.status.push(...status.evidence);
    board.set(trust);
    return board.result(evidence, summary);
  }

  /** A proof's key: its verification method must be the issuer's, so nothing is fetched for anyone else. */
  private dataIntegrityKey(issuerId: string, method: string): VerificationKey | Promise<VerificationKey> {
    if (method.split('#')[0] !== issuerId) {
      throw new KeyResolutionError('key_not_found', `The proof's verification method ${truncate(method)} is not one of the issuer's (it is outside ${truncate(issuerId)}).`);
    }
    const cached = this.keys.cached(issuerId);
    if (cached) return this.keys.method(cached, method);
    return this.keys.keySet(issuerId).then((set) => this.keys.method(set, method));
  }

  /** The issuer's registry entry and the qualification rules, or `unavailable` (trust is then indeterminate). */
  private registry(issuerId: string): RegistryAnswer | Promise<RegistryAnswer> {
    try {
      // A registry held in memory (the usual case) answers without a promise.
      const view = this.opts.trust.inMemory();
      if (view) return { entry: view.findIssuer(issuerId), rules: view.qualificationRules, unavailable: false };
      return Promise.all([this.opts.trust.findIssuer(issuerId), this.opts.trust.qualificationRules()]).then(
        ([entry, rules]): RegistryAnswer => ({ entry, rules, unavailable: false }),
        (): RegistryAnswer => ({ unavailable: true }),
      );
    } catch {
      return { unavailable: true };
    }
  }

  private noteKey(evidence: VerificationEvidence, jws: DecodedJws, key: VerificationKey | undefined): void {
    evidence.algorithm = String(jws.header.alg);
    if (key) {
      evidence.keyId = key.id;
      evidence.keyThumbprint = key.thumbprint;
    }
  }

  /**
   * Algorithm allow-list, key resolution and the signature itself. Synchronous when the issuer's key set is cached
   * and fresh (the check-in hot path); a promise only when the keys must be resolved first.
   */
  private checkSignature(jws: DecodedJws, signer: string | undefined, entry: TrustedIssuer | undefined, ctx: RunContext): SignatureOutcome | Promise<SignatureOutcome> {
    const alg = String(jws.header.alg);
    // alg must be on the contract's list, or supported and listed by the registry entry, or a default one.
    const allowed = ctx.contract ? CONTRACT_ALGORITHMS.includes(alg) : algorithmAllowed(alg, entry);
    if (!allowed) {
      const why = ['RS256', 'PS256'].includes(alg) ? ' for this issuer (the trust registry does not list it)' : '';
      return { ok: false, code: 'alg_not_allowed', message: `The algorithm ${truncate(alg)} is not accepted${why}.` };
    }
    if (ctx.contract) return this.signatureByKey(jws, alg, ctx.contract.key, ctx);
    if (!signer) return { ok: false, code: 'key_not_found', message: 'The credential names no issuer, so no key can be looked up.' };
    const cached = this.keys.cached(signer); // judged now, after any wait, so an expired key set is never used
    if (cached) return this.signatureBySet(jws, alg, cached, ctx);
    return this.keys.keySet(signer).then((set) => this.signatureBySet(jws, alg, set, ctx), keyResolutionFailure);
  }

  private signatureBySet(jws: DecodedJws, alg: string, set: IssuerKeySet, ctx: RunContext): SignatureOutcome {
    let key: VerificationKey;
    try {
      const known = ctx.knownKeyThumbprint ? set.keys.find((k) => k.thumbprint === ctx.knownKeyThumbprint) : undefined;
      if (known) return { ok: true, key: known, message: 'Verified earlier with a key the issuer still publishes; not re-computed.' };
      key = this.keys.select(set, jws.header);
    } catch (err) {
      return keyResolutionFailure(err);
    }
    return this.signatureByKey(jws, alg, key, ctx);
  }

  private signatureByKey(jws: DecodedJws, alg: string, key: VerificationKey, ctx: RunContext): SignatureOutcome {
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

  /** Synchronous when every list is fresh in this process's memory (the check-in hot path): no promise per entry. */
  private checkStatus(credential: JsonRecord, issuerId: string, ctx: RunContext): StatusOutcome | Promise<StatusOutcome> {
    const named = oneOrMany(credential.credentialStatus);
    const max = VERIFICATION_LIMITS.statusEntriesPerCredential;
    if (named.length > max) {
      return { check: { id: 'status', status: 'fail', code: 'data_model_invalid', message: `The credential has ${named.length} status entries; at most ${max} are read.` }, evidence: [] };
    }
    const entries = named.filter(isRecord);
    if (entries.length === 0) return { check: { id: 'status', status: 'pass', code: 'ok', message: 'The issuer publishes no revocation status for this credential.' }, evidence: [] };
    const outcomes = entries.map((entry) => this.checkStatusEntry(entry, issuerId, ctx));
    return outcomes.every(isSettled) ? statusVerdict(outcomes) : Promise.all(outcomes).then(statusVerdict);
  }

  private checkStatusEntry(entry: JsonRecord, issuerId: string, ctx: RunContext): EntryOutcome | Promise<EntryOutcome> {
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
    if (ctx.budget && !ctx.budget.admitList(url)) {
      return { status: 'fail', code: 'data_model_invalid', message: `More than ${ctx.budget.maxLists} status lists are named in one verification; no more are read.`, evidence: base };
    }
    const fresh = this.statusLists.cached(url); // judged now: a list that expired during the verification is fetched
    if (fresh) return this.readStatusEntry(fresh, issuerId, base, size, ctx.now);
    return this.statusLists.get(url, ctx.budget).then(
      (list) => this.readStatusEntry(list, issuerId, base, size, ctx.now),
      (err: unknown) => staleStatus(err, issuerId, base, size, ctx.now) ?? statusListFailure(err, base),
    );
  }

  /** The entry's value in a fresh list, after checking that the list may speak for this credential. */
  private readStatusEntry(list: DecodedStatusList, issuerId: string, base: StatusEvidence, size: number, now: Date): EntryOutcome {
    const evidence: StatusEvidence = { listUrl: base.listUrl, purpose: base.purpose, index: base.index, fetchedAt: fetchedAtIso(list) };
    if (list.issuer !== issuerId) return { status: 'indeterminate', code: 'status_list_invalid', message: 'The status list is published by a different issuer.', evidence };
    if (!list.purposes.includes(base.purpose)) {
      return { status: 'indeterminate', code: 'status_list_invalid', message: `The status list is not a ${base.purpose || 'declared'} list.`, evidence };
    }
    if (list.validUntil !== undefined && list.validUntil + this.skewMs <= now.getTime()) {
      return { status: 'indeterminate', code: 'status_list_invalid', message: 'The status list credential has expired.', evidence };
    }
    try {
      evidence.value = StatusListService.read(list, base.index, size);
    } catch (err) {
      return statusListFailure(err, base);
    }
    return { status: 'pass', message: 'ok', evidence };
  }

  /**
   * Every format decides trust from the registry before anything is fetched for the issuer: names the issuer as the
   * registry does and returns the trust check; or, when the issuer is not trusted (or the registry cannot be read)
   * and no full report was asked for, ends the board there and returns undefined.
   */
  private trustBeforeFetching(summary: CredentialSummary, registry: RegistryAnswer, ctx: RunContext, board: CheckBoard): VerificationCheck | undefined {
    if (registry.entry) summary.issuer.registryName = registry.entry.name;
    const trust = this.checkTrust(summary, registry, ctx);
    if (trust.status === 'pass' || ctx.fullReport) return trust;
    board.set(trust);
    board.skipRest(
      trust.status === 'indeterminate'
        ? 'Not checked: the trust registry cannot be read, so nothing was fetched for this issuer.'
        : 'Not checked: the issuer is not trusted here, so nothing was fetched for it.',
    );
    return undefined;
  }

  /**
   * Needs nothing fetched: the registry entry, and the qualification the credential shows (a valid signature cannot
   * change what the payload says, and an invalid one fails the credential anyway).
   */
  private checkTrust(summary: CredentialSummary, registry: RegistryAnswer, ctx: RunContext): VerificationCheck {
    const fail = (code: ReasonCode, message: string): VerificationCheck => ({ id: 'issuer_trust', status: 'fail', code, message });
    const { entry, rules } = registry;
    if (rules) summary.qualification = mapQualification(qualificationFacts(summary), rules);
    if (registry.unavailable || !rules) return { id: 'issuer_trust', status: 'indeterminate', code: 'untrusted_issuer', message: 'The trust registry cannot be read right now, so the issuer cannot be trusted.' };
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

  /**
   * A presentation: for the test-suite contract, the holder's signature and the envelopes. Otherwise each enclosed
   * credential is verified (each judged by its issuer first), and the holder's keys are looked up only when one of
   * them comes from an issuer trusted here, or for a full report: nothing is fetched for a presentation of strangers.
   */
  private async runPresentation(jws: DecodedJws, ctx: RunContext, board: CheckBoard, evidence: VerificationEvidence): Promise<VerificationResult> {
    const vp = jws.payload;
    const { holder, problems } = checkPresentationClaims(vp);
    board.pass('format', `A presentation secured with JOSE (${String(jws.header.alg)}).`);
    const max = VERIFICATION_LIMITS.credentialsPerPresentation;
    const modelProblems = [...problems, ...validatePresentation(vp)];
    const entries = oneOrMany(vp.verifiableCredential);
    if (entries.length > max) modelProblems.push(`A presentation may carry at most ${max} credentials.`);

    const enclosed = ctx.contract ? [] : await Promise.all(entries.slice(0, max).map((entry) => this.verifyEnclosed(entry, ctx)));
    const holderMatters = ctx.contract || ctx.fullReport || enclosed.some((r) => r.checks.some((c) => c.id === 'issuer_trust' && c.status === 'pass'));
    if (holderMatters) {
      const signature = await this.checkSignature(jws, holder, undefined, ctx);
      if (!signature.ok) {
        board.fail('signature', signature.code ?? 'signature_invalid', `Presentation: ${signature.message}`);
        board.skipRest('Not checked: the presentation signature could not be verified.');
        return board.result(evidence);
      }
      board.pass('signature', `Presentation: ${signature.message}`);
      this.noteKey(evidence, jws, signature.key);
    } else {
      board.skip('signature', 'Presentation: not checked; no enclosed credential comes from an issuer trusted here, so nothing was fetched for its holder.');
    }

    // The contract evaluates a presentation's time claims when it was made (its iat): the suite's vectors are frozen.
    const presentationNow = ctx.contract && typeof vp.iat === 'number' ? new Date(vp.iat * 1000) : ctx.now;
    if (ctx.contract) {
      entries.slice(0, max).forEach((entry, i) => modelProblems.push(...contractEnvelopeProblems(entry).map((p) => `verifiableCredential ${i + 1}: ${p}`)));
      if (modelProblems.length > 0) board.fail('data_model', 'data_model_invalid', joinProblems(modelProblems));
      else board.pass('data_model', 'The presentation and its enclosed credentials are well formed.');
      board.set(this.checkValidity(vp, vp, '2.0', presentationNow, 'presentation'));
      board.skip('status', 'Status is not part of the test-suite contract.');
      board.skip('issuer_trust', 'Issuer trust is not part of the test-suite contract.');
      return board.result(evidence);
    }

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

  /** An enclosed credential is verified by its own format: enveloped (any data: URL media type) or with an embedded proof. */
  private async verifyEnclosed(entry: unknown, ctx: RunContext): Promise<VerificationResult> {
    if (isRecord(entry) && (oneOrMany(entry.type).includes('EnvelopedVerifiableCredential') || 'proof' in entry)) return this.run(entry, { ...ctx, enclosed: true });
    const board = new CheckBoard();
    board.fail('format', 'unsupported_format', 'The enclosed credential is not secured by its issuer (neither enveloped nor carrying a proof).');
    board.skipRest('The enclosed credential could not be read.');
    return board.result(this.evidence(entry, ctx.now));
  }

  /**
   * Verifies a fetched status list credential (the StatusListService's verifier): an IETF Token Status List, a JWS,
   * or JSON-LD with Data Integrity.
   */
  private async verifyStatusListCredential(body: string, nowMs: number, expected: { url: string; issuer?: string }): Promise<VerifiedStatusListCredential> {
    const token = asStatusListToken(body);
    if (token) return this.sdJwt.verifyStatusListToken(token, nowMs, expected);
    const invalid = (message: string): StatusListError => new StatusListError('status_list_invalid', message);
    let text = body.trim();
    if (text.startsWith('{')) {
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        throw invalid('The status list is not valid JSON.');
      }
      if (isRecord(doc) && 'proof' in doc) return this.verifyDataIntegrityStatusList(doc, nowMs);
      if (isRecord(doc) && typeof doc.id === 'string') text = doc.id;
      else throw invalid('The status list is not secured (a plain JSON document).');
    }
    const scan = readScan(text);
    if (!scan.ok) throw invalid(`The status list is not a secured credential: ${scan.message}`);
    if (scan.credential.kind !== 'jws') throw invalid('The status list credential has an unsupported format.');
    const decoded = decodeCompactJws(scan.credential.text);
    if (!decoded.ok) throw invalid(`The status list credential is malformed: ${decoded.message}`);
    const detected = detectFormat(decoded.jws.header, decoded.jws.payload);
    if (!detected.ok || detected.format === 'vp+jwt') throw invalid('The status list credential has an unsupported format.');
    const { credential, version, problems } = extractCredential(detected.format, decoded.jws.payload);
    if (problems.length > 0) throw invalid(`The status list credential is invalid: ${problems[0]}`);
    const issuer = statusListIssuer(credential);

    const signature = await this.checkSignature(decoded.jws, issuer, await this.findIssuerQuietly(issuer), { now: new Date(nowMs), options: {} });
    if (!signature.ok) {
      if (signature.code === 'did_unresolvable') throw new StatusListError('status_unavailable', `The status list issuer's keys are unavailable: ${signature.message}`);
      throw invalid(`The status list signature does not verify: ${signature.message}`);
    }
    return this.statusListContents(credential, decoded.jws.payload, version, issuer, nowMs);
  }

  /** A status list credential secured with Data Integrity: its proofs by its issuer's keys, as for any credential. */
  private async verifyDataIntegrityStatusList(doc: JsonRecord, nowMs: number): Promise<VerifiedStatusListCredential> {
    const reading = this.dataIntegrity.read(doc);
    if (!reading.ok) throw new StatusListError('status_list_invalid', `The status list credential cannot be read: ${reading.message}`);
    const { credential, version } = reading;
    const issuer = statusListIssuer(credential);
    const entry = await this.findIssuerQuietly(issuer);
    const proofs = await this.dataIntegrity.verify(reading, {
      keyFor: (method) => this.dataIntegrityKey(issuer, method),
      algorithmAllowed: (alg) => algorithmAllowed(alg, entry),
      now: new Date(nowMs),
      clockSkewMs: this.skewMs,
    });
    if (!proofs.ok) {
      if (proofs.code === 'did_unresolvable') throw new StatusListError('status_unavailable', `The status list issuer's keys are unavailable: ${proofs.message}`);
      throw new StatusListError('status_list_invalid', `The status list proof does not verify: ${proofs.message}`);
    }
    return this.statusListContents(credential, {}, version, issuer, nowMs);
  }

  /** The registry entry of a status list's issuer, for its algorithms (none when the registry cannot be read). */
  private async findIssuerQuietly(issuer: string): Promise<TrustedIssuer | undefined> {
    try {
      return await this.opts.trust.findIssuer(issuer);
    } catch {
      return undefined;
    }
  }

  /** What a verified status list credential says: valid now, its purposes, its bits, how long to keep it. */
  private statusListContents(credential: JsonRecord, claims: JsonRecord, version: '2.0' | '1.1', issuer: string, nowMs: number): VerifiedStatusListCredential {
    const invalid = (message: string): StatusListError => new StatusListError('status_list_invalid', message);
    const validity = this.checkValidity(credential, claims, version, new Date(nowMs), 'credential');
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

/** The issuer of a status list credential, after checking that it is one. */
function statusListIssuer(credential: JsonRecord): string {
  const issuer = idOf(credential.issuer);
  const types = oneOrMany(credential.type);
  if (!types.includes('BitstringStatusListCredential') && !types.includes('StatusList2021Credential')) {
    throw new StatusListError('status_list_invalid', 'The document is not a status list credential.');
  }
  if (!issuer) throw new StatusListError('status_list_invalid', 'The status list credential names no issuer.');
  return issuer;
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

/** An algorithm the issuer's registry entry lists (and the engine supports); without an entry, one of the defaults. */
function algorithmAllowed(alg: string, entry: TrustedIssuer | undefined): boolean {
  return entry ? entry.algorithms.includes(alg) && SUPPORTED_ALGORITHMS.includes(alg) : (DEFAULT_ALGORITHMS as readonly string[]).includes(alg);
}

/** `next(value)` at once when the value is at hand, after it settles when it is a promise: cached paths stay synchronous. */
function andThen<T, R>(value: T | Promise<T>, next: (value: T) => R | Promise<R>): R | Promise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}

function keyResolutionFailure(err: unknown): SignatureOutcome {
  if (err instanceof KeyResolutionError) return { ok: false, code: err.code, message: err.message };
  return { ok: false, code: 'did_unresolvable', message: "The issuer's keys could not be resolved." };
}

const isSettled = (outcome: EntryOutcome | Promise<EntryOutcome>): outcome is EntryOutcome => !(outcome instanceof Promise);

/** The status check from its entries' outcomes: revoked, then suspended, then any failure, then anything unknown. */
function statusVerdict(outcomes: EntryOutcome[]): StatusOutcome {
  const evidence: StatusEvidence[] = [];
  let revoked: EntryOutcome | undefined;
  let suspended: EntryOutcome | undefined;
  let failed: EntryOutcome | undefined;
  let unknown: EntryOutcome | undefined;
  for (const o of outcomes) {
    if (o.evidence) {
      evidence.push(o.evidence);
      const set = (o.evidence.value ?? 0) !== 0;
      if (set && o.evidence.purpose === 'revocation') revoked ??= o;
      if (set && o.evidence.purpose === 'suspension') suspended ??= o;
    }
    // A Token Status List says revoked or suspended by its value, not by a list purpose.
    if (o.code === 'revoked') revoked ??= o;
    if (o.code === 'suspended') suspended ??= o;
    if (o.status === 'fail') failed ??= o;
    if (o.status === 'indeterminate') unknown ??= o;
  }
  if (revoked) return { check: { id: 'status', status: 'fail', code: 'revoked', message: `The issuer has revoked this credential${revoked.staleNote ?? ''}.` }, evidence };
  if (suspended) return { check: { id: 'status', status: 'fail', code: 'suspended', message: `The issuer has suspended this credential${suspended.staleNote ?? ''}.` }, evidence };
  if (failed) return { check: { id: 'status', status: 'fail', code: failed.code ?? 'status_list_invalid', message: failed.message }, evidence };
  if (unknown) return { check: { id: 'status', status: 'indeterminate', code: unknown.code ?? 'status_unavailable', message: unknown.message }, evidence };
  return { check: { id: 'status', status: 'pass', code: 'ok', message: 'Neither revoked nor suspended.' }, evidence };
}

/** A list that cannot be read: an index outside it or a request over its limits fails, anything else is unknown. */
function statusListFailure(err: unknown, base: StatusEvidence): EntryOutcome {
  if (err instanceof StatusListError) return { status: err.opts.fails ? 'fail' : 'indeterminate', code: err.code, message: err.message, evidence: base };
  return { status: 'indeterminate', code: 'status_unavailable', message: 'The status list could not be read.', evidence: base };
}

/**
 * A list that cannot be had fresh: when the last copy known here, from this issuer, has the entry's revocation or
 * suspension bit set, that bit decides (fail closed), and the verdict says how old the copy is. A clear bit in an
 * old copy proves nothing: then the entry stays unknown.
 */
function staleStatus(err: unknown, issuerId: string, base: StatusEvidence, size: number, now: Date): EntryOutcome | undefined {
  const stale = err instanceof StatusListError ? err.stale : undefined;
  if (!stale || stale.issuer !== issuerId || !stale.purposes.includes(base.purpose)) return undefined;
  if (!stale.tokenBits && base.purpose !== 'revocation' && base.purpose !== 'suspension') return undefined;
  let value: number;
  try {
    value = StatusListService.read(stale, base.index, size);
  } catch {
    return undefined;
  }
  // A Token Status List: 1 revoked, 2 suspended (other values prove nothing); a Bitstring list: its purpose.
  const code = stale.tokenBits ? (value === 1 ? 'revoked' : value === 2 ? 'suspended' : undefined) : value === 0 ? undefined : base.purpose === 'revocation' ? 'revoked' : 'suspended';
  if (!code) return undefined;
  const fetchedAt = fetchedAtIso(stale);
  return {
    status: 'fail',
    code,
    message: 'ok',
    evidence: { listUrl: base.listUrl, purpose: base.purpose, index: base.index, value, fetchedAt },
    staleNote: `, as its status list read ${describeAge(now.getTime() - stale.fetchedAt)} ago (${fetchedAt}) shows; a current copy cannot be had: ${(err as StatusListError).message}`,
  };
}

/** "3 minutes", "1 hour", "2 days": how old a copy is, for people. */
function describeAge(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const [value, unit] = seconds < 120 ? [seconds, 'second'] : seconds < 7200 ? [Math.round(seconds / 60), 'minute'] : seconds < 172800 ? [Math.round(seconds / 3600), 'hour'] : [Math.round(seconds / 86400), 'day'];
  return `${value} ${unit}${value === 1 ? '' : 's'}`;
}

let lastInstant = { ms: Number.NaN, iso: '' };

/** `now` as ISO text, formatted once per millisecond: a busy process verifies several credentials in one. */
function isoText(now: Date): string {
  const ms = now.getTime();
  if (ms !== lastInstant.ms) lastInstant = { ms, iso: now.toISOString() };
  return lastInstant.iso;
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

/** What to hash as evidence of an input that could not be read: bounded, and safe for any depth of nesting. */
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
