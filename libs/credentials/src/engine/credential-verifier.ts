import { JsonLdContexts } from '../data-integrity/context-store';
import { DataIntegrityVerifier } from '../data-integrity/data-integrity-verifier';
import type { BoundedFetcher } from '../fetch/bounded-fetcher';
import type { DecodedJws } from '../jws/compact-jws';
import { readScan, type ScannedJws } from '../input/scan-input';
import { KeyResolver } from '../keys/key-resolver';
import { SdJwtVcVerifier } from '../sd-jwt/sd-jwt-vc-verifier';
import { extractCredential, type JwtCredentialFormat } from '../model/credential-format';
import { summariseCredential } from '../model/credential-summary';
import { DecodeBudget } from '../limits';
import { InMemoryStatusListStore, type StatusListStore } from '../status/status-list-store';
import { StatusListService, type StatusListRead } from '../status/status-list-service';
import type { TrustSource } from '../trust/trust-source';
import { idOf, isRecord, oneOrMany, type JsonRecord } from '../util/json';
import {
  CHECK_IDS,
  type CredentialSummary,
  type RevalidateOptions,
  type VerificationCheck,
  type VerificationEvidence,
  type VerificationResult,
  type VerifyOptions,
} from '../verification-result';
import { CheckBoard, worse } from './check-board';
import { SIGNATURE_NOT_VERIFIED, type RunContext } from './checks/context';
import { checkCredentialModel, modelCheck, readPresentation, type PresentationModel } from './checks/data-model';
import { evidenceOf, unprocessable } from './checks/evidence';
import { NOT_SUPPORTED, passCredentialFormat, passPresentationFormat, readJws, refuseFormat } from './checks/format';
import { recordProofs, recordSignature, SignatureCheck } from './checks/signature';
import { StatusCheck, type StatusOutcome } from './checks/status';
import { TrustCheck } from './checks/trust';
import { ValidityCheck } from './checks/validity';
import { StatusListCredentials } from './status-list-credentials';

export type { RunContext } from './checks/context';
export type { RegistryAnswer } from './checks/trust';
export type { EntryOutcome, StatusOutcome } from './checks/status';

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
  /** Told of every verification and status-list read (the services count them as metrics). */
  observer?: VerificationObserver;
}

export interface VerificationObserver {
  verified(result: VerificationResult, mode: 'verify' | 'revalidate', seconds: number): void;
  statusListRead(served: StatusListRead): void;
}

/**
 * Every format runs the same checks in the same order (the checks live in ./checks, one file each):
 * decode (format) → trust decided from the registry before anything is fetched → signature → data model →
 * validity → status → the trust check recorded.
 */
export class CredentialVerifier {
  readonly keys: KeyResolver;
  readonly statusLists: StatusListService;
  readonly dataIntegrity: DataIntegrityVerifier;
  private readonly issuerTrust: TrustCheck;
  private readonly signature: SignatureCheck;
  private readonly validity: ValidityCheck;
  private readonly status: StatusCheck;
  private readonly sdJwt: SdJwtVcVerifier;
  private readonly statusListCredentials: StatusListCredentials;

  constructor(private readonly opts: CredentialVerifierOptions) {
    const clock = opts.clock;
    const now = clock ? (): number => clock.now().getTime() : (): number => Date.now();
    const skewMs = opts.clockSkewSeconds * 1000;
    this.keys = new KeyResolver({ fetcher: opts.fetcher, now, cacheTtlMs: opts.cacheTtlMs, insecureHosts: opts.insecureHosts });
    this.dataIntegrity = new DataIntegrityVerifier(JsonLdContexts.load(opts.jsonLdContextsDir));
    this.statusLists = new StatusListService({
      fetcher: opts.fetcher,
      store: opts.statusStore ?? new InMemoryStatusListStore(),
      verifyListCredential: (body, at, expected) => this.statusListCredentials.verify(body, at, expected),
      now,
      minBits: opts.statusListMinBits,
      defaultTtlMs: opts.cacheTtlMs,
      observe: opts.observer && ((served) => opts.observer?.statusListRead(served)),
    });
    this.issuerTrust = new TrustCheck(opts.trust);
    this.signature = new SignatureCheck(this.keys, this.dataIntegrity, skewMs);
    this.validity = new ValidityCheck(skewMs);
    this.status = new StatusCheck(this.statusLists, skewMs);
    this.sdJwt = new SdJwtVcVerifier({
      keys: this.keys,
      statusLists: this.statusLists,
      trust: opts.trust,
      skewMs,
      issuerTrust: this.issuerTrust,
      validity: this.validity,
      status: this.status,
    });
    this.statusListCredentials = new StatusListCredentials({
      trust: opts.trust,
      signature: this.signature,
      validity: this.validity,
      dataIntegrity: this.dataIntegrity,
      sdJwt: this.sdJwt,
    });
  }

  /**
   * Verifies what a scan yields (docs/verification.md, "Formats"): a compact JWS (vc+jwt, the Open Badges 3.0 JWT,
   * VC-JWT 1.1 or a vp+jwt presentation), an SD-JWT, a JSON-LD credential with a Data Integrity proof (the object or
   * its JSON text), a VC-API envelope or data: URL of any of them, or a URL carrying one.
   */
  async verify(input: unknown, options: VerifyOptions = {}): Promise<VerificationResult> {
    const now = options.now ?? this.clockNow();
    const observer = this.opts.observer;
    const started = observer ? performance.now() : 0;
    let result: VerificationResult;
    try {
      result = await this.run(input, { now, options, fullReport: options.fullReport === true, budget: new DecodeBudget() });
    } catch {
      result = unprocessable(input, now);
    }
    observer?.verified(result, 'verify', (performance.now() - started) / 1000);
    return result;
  }

  /**
   * Reverification of a credential verified before: when the issuer's current keys still include
   * `knownKeyThumbprint`, the signature is not re-computed (the bytes are the same); dates, status and trust are
   * re-checked as in `verify`. Without the thumbprint, or if the key is gone, it is a full verification.
   */
  async revalidate(input: unknown, options: RevalidateOptions = {}): Promise<VerificationResult> {
    const now = options.now ?? this.clockNow();
    const started = performance.now();
    let result: VerificationResult;
    try {
      // Bytes verified before, from an issuer trusted then: every check runs, so the status still speaks if trust is lost.
      result = await this.run(input, {
        now,
        options,
        fullReport: true,
        budget: new DecodeBudget(),
        knownKeyThumbprint: options.knownKeyThumbprint,
        revalidating: true,
      });
    } catch {
      result = unprocessable(input, now);
    }
    this.opts.observer?.verified(result, 'revalidate', (performance.now() - started) / 1000);
    return result;
  }

  private clockNow(): Date {
    return this.opts.clock ? this.opts.clock.now() : new Date();
  }

  /** The format dispatch: each kind of scanned credential is verified by its own format's rules. */
  private run(input: unknown, ctx: RunContext): Promise<VerificationResult> {
    const board = new CheckBoard();
    const scan = readScan(input);
    if (!scan.ok) {
      refuseFormat(board, scan.code, scan.message, 'The input is not a readable credential.');
      return Promise.resolve(board.result(evidenceOf(scan.raw ?? input, ctx.now)));
    }
    const scanned = scan.credential;
    switch (scanned.kind) {
      case 'jws':
        return this.runJws(scanned, ctx, board, evidenceOf(input, ctx.now, scanned.text));
      case 'sd-jwt':
        return this.sdJwt.verify(scanned.text, ctx);
      case 'json':
        if (!oneOrMany(scanned.document.type).includes('VerifiablePresentation')) return this.runDataIntegrity(scanned.document, ctx);
        if (!ctx.enclosed) return this.runJsonLdPresentation(scanned.document, ctx);
        refuseFormat(board, 'unsupported_format', 'A presentation cannot be enclosed in a presentation.', NOT_SUPPORTED);
        return Promise.resolve(board.result(evidenceOf(input, ctx.now)));
    }
  }

  /** The JOSE formats: a credential (vc+jwt, Open Badges 3.0 JWT, VC-JWT 1.1) or a vp+jwt presentation. */
  private runJws(scanned: ScannedJws, ctx: RunContext, board: CheckBoard, evidence: VerificationEvidence): Promise<VerificationResult> {
    const read = readJws(scanned, board);
    if (!read) return Promise.resolve(board.result(evidence));
    if (read.format !== 'vp+jwt') return this.runJwsCredential(read.jws, read.format, scanned.text, ctx, board, evidence);
    if (!ctx.enclosed) return this.runPresentation(read.jws, ctx, board, evidence);
    refuseFormat(board, 'unsupported_format', 'A presentation cannot be enclosed in a presentation.', NOT_SUPPORTED);
    return Promise.resolve(board.result(evidence));
  }

  /**
   * One JWS credential. Trust is decided first, from the issuer id and the registry alone: for an issuer the
   * registry does not trust here, or when the registry cannot be read, nothing is fetched and the other checks are
   * skipped, unless the caller asked for a full report.
   */
  private async runJwsCredential(
    jws: DecodedJws,
    format: JwtCredentialFormat,
    compact: string,
    ctx: RunContext,
    board: CheckBoard,
    evidence: VerificationEvidence,
  ): Promise<VerificationResult> {
    const { credential, version, problems } = extractCredential(format, jws.payload);
    const issuerId = idOf(credential.issuer);
    const summary = summariseCredential(credential, format, issuerId);
    passCredentialFormat(board, format, jws);
    if (!issuerId) return withText(noIssuer(board, evidence, summary), compact);

    const registry = this.issuerTrust.cached(issuerId) ?? (await this.issuerTrust.registry(issuerId));
    const trust = this.issuerTrust.beforeFetching(summary, registry, ctx, board);
    if (!trust) return withText(board.result(evidence, summary), compact);

    // Keys, lists and registry in memory (a check-in's usual case): no promise is awaited on the way.
    const signature = this.signature.ofJwsCached(jws, issuerId, registry.entry, ctx) ?? (await this.signature.ofJws(jws, issuerId, registry.entry, ctx));
    if (recordSignature(board, evidence, jws, signature)) {
      checkCredentialModel(board, credential, version, problems);
      board.set(this.validity.check(credential, jws.payload, version, ctx.now, 'credential'));
      const status = this.status.checkCached(credential, issuerId, ctx) ?? (await this.status.check(credential, issuerId, ctx));
      recordStatus(board, evidence, status);
      board.set(trust);
    }
    return withText(board.result(evidence, summary), compact);
  }

  /**
   * A JSON-LD credential secured with Data Integrity proofs: the same checks in the same order as a JWS credential,
   * each proof's key looked up only in its issuer's own key set. The canonical JSON of the credential stands in for
   * the JWS.
   */
  private async runDataIntegrity(credential: JsonRecord, ctx: RunContext): Promise<VerificationResult> {
    const board = new CheckBoard();
    const reading = this.dataIntegrity.read(credential);
    if (!reading.ok) {
      refuseFormat(board, reading.code, reading.message, 'The credential could not be read.');
      return board.result(evidenceOf(credential, ctx.now));
    }
    const evidence = evidenceOf(undefined, ctx.now, reading.canonicalJson);
    const issuerId = idOf(credential.issuer);
    const summary = summariseCredential(credential, 'ldp-vc', issuerId);
    const suites = [...new Set(reading.proofs.map((p) => p.suiteLabel))].join(', ');
    board.pass('format', `A VC ${reading.version} credential secured with a Data Integrity proof (${suites}).`);
    if (!issuerId) return withText(noIssuer(board, evidence, summary), reading.canonicalJson);

    const registry = this.issuerTrust.cached(issuerId) ?? (await this.issuerTrust.registry(issuerId));
    const trust = this.issuerTrust.beforeFetching(summary, registry, ctx, board);
    if (!trust) return withText(board.result(evidence, summary), reading.canonicalJson);

    const proofs = await this.signature.ofDataIntegrity(reading, issuerId, registry.entry, ctx);
    if (recordProofs(board, evidence, proofs)) {
      checkCredentialModel(board, reading.credential, reading.version);
      board.set(this.validity.check(reading.credential, {}, reading.version, ctx.now, 'credential'));
      const status = this.status.checkCached(reading.credential, issuerId, ctx) ?? (await this.status.check(reading.credential, issuerId, ctx));
      recordStatus(board, evidence, status);
      board.set(trust);
    }
    return withText(board.result(evidence, summary), reading.canonicalJson);
  }

  /**
   * A presentation: each enclosed credential is verified (each judged by its issuer first), and the holder's keys
   * are looked up only when one of them comes from an issuer trusted here, or for a full report: nothing is fetched
   * for a presentation of strangers.
   */
  private async runPresentation(jws: DecodedJws, ctx: RunContext, board: CheckBoard, evidence: VerificationEvidence): Promise<VerificationResult> {
    const vp = jws.payload;
    const model = readPresentation(vp);
    passPresentationFormat(board, jws);

    const enclosed = await Promise.all(model.entries.map((entry) => this.verifyEnclosed(entry, ctx)));
    if (holderMatters(enclosed, ctx)) {
      const signature = await this.signature.ofJws(jws, model.holder, undefined, ctx);
      if (!recordSignature(board, evidence, jws, signature, 'Presentation: ', 'Not checked: the presentation signature could not be verified.'))
        return board.result(evidence);
    } else {
      board.skip('signature', 'Presentation: not checked; no enclosed credential comes from an issuer trusted here, so nothing was fetched for its holder.');
    }

    return this.presentationResult(board, evidence, model, enclosed, this.validity.check(vp, vp, '2.0', ctx.now, 'presentation'), '2.0');
  }

  /**
   * A JSON-LD presentation (VCDM 2.0 or 1.1): its enclosed credentials (Data Integrity or enveloped) are verified as
   * in a vp+jwt. Its own Data Integrity proof is optional (VCDM 2.0): when present it must be an `authentication`
   * proof by a key of the `holder` it names, checked only when an enclosed credential's issuer is trusted here (or
   * for a full report); when absent nothing binds the presentation to a holder and none is assumed, and a verifier
   * that gave a challenge or domain gets a failure.
   */
  private async runJsonLdPresentation(vp: JsonRecord, ctx: RunContext): Promise<VerificationResult> {
    const board = new CheckBoard();
    const reading = this.dataIntegrity.read(vp, { proofOptional: true });
    if (!reading.ok) {
      refuseFormat(board, reading.code, reading.message, 'The presentation could not be read.');
      return board.result(evidenceOf(vp, ctx.now));
    }
    const evidence = evidenceOf(undefined, ctx.now, reading.canonicalJson);
    const model = readPresentation(vp, reading.version);
    const suites = [...new Set(reading.proofs.map((p) => p.suiteLabel))].join(', ');
    board.pass(
      'format',
      suites
        ? `A VC ${reading.version} presentation secured with a Data Integrity proof (${suites}).`
        : `A VC ${reading.version} presentation without a proof of its own (no holder binding).`,
    );

    const enclosed = await Promise.all(model.entries.map((entry) => this.verifyEnclosed(entry, ctx)));
    const { challenge, domain } = ctx.options;
    if (reading.proofs.length === 0) {
      if (challenge !== undefined || domain !== undefined) {
        board.fail('signature', 'signature_invalid', 'Presentation: a challenge or domain was given, but the presentation carries no proof of its holder.');
        board.skipRest('Not checked: the presentation is not bound to its holder.');
        return board.result(evidence);
      }
      board.pass('signature', 'Presentation: no proof of its own (none required); each enclosed credential carries its issuer’s.');
    } else if (holderMatters(enclosed, ctx)) {
      const proofs = await this.signature.ofPresentation(reading, model.holder, ctx);
      if (!recordProofs(board, evidence, proofs, 'holder', 'Not checked: the presentation proof could not be verified.')) return board.result(evidence);
    } else {
      board.skip('signature', 'Presentation: not checked; no enclosed credential comes from an issuer trusted here, so nothing was fetched for its holder.');
    }
    return this.presentationResult(board, evidence, model, enclosed, this.validity.check(vp, {}, reading.version, ctx.now, 'presentation'), reading.version);
  }

  /**
   * Each check of a presentation is the worst of its own and of the enclosed credentials' failed or indeterminate
   * ones (an enclosed credential's bad signature makes the presentation's signature check fail).
   */
  private presentationResult(
    board: CheckBoard,
    evidence: VerificationEvidence,
    model: PresentationModel,
    enclosed: VerificationResult[],
    validity: VerificationCheck,
    version: '2.0' | '1.1',
  ): VerificationResult {
    const own: Record<'data_model' | 'validity' | 'status' | 'issuer_trust', VerificationCheck> = {
      data_model:
        enclosed.length === 0
          ? { id: 'data_model', status: 'fail', code: 'data_model_invalid', message: 'The presentation encloses no credential.' }
          : modelCheck(model.problems, `The presentation conforms to the VC Data Model ${version}.`),
      validity,
      status: { id: 'status', status: 'pass', code: 'ok', message: 'See the enclosed credentials.' },
      issuer_trust: { id: 'issuer_trust', status: 'pass', code: 'ok', message: 'See the enclosed credentials.' },
    };
    for (const id of CHECK_IDS) {
      let check = own[id as keyof typeof own] ?? board.get(id)!;
      enclosed.forEach((result, i) => {
        const inner = result.checks.find((c) => c.id === id);
        if (inner && (inner.status === 'fail' || inner.status === 'indeterminate'))
          check = worse(check, { ...inner, message: `Credential ${i + 1}: ${inner.message}` });
      });
      board.set(check);
    }
    evidence.status.push(...enclosed.flatMap((r) => r.evidence.status));
    return board.result(evidence, enclosed.length === 1 ? enclosed[0].credential : undefined, enclosed);
  }

  /** An enclosed credential is verified by its own format: enveloped (any data: URL media type) or with an embedded proof. */
  private async verifyEnclosed(entry: unknown, ctx: RunContext): Promise<VerificationResult> {
    if (isRecord(entry) && (oneOrMany(entry.type).includes('EnvelopedVerifiableCredential') || 'proof' in entry))
      return this.run(entry, { ...ctx, enclosed: true });
    const board = new CheckBoard();
    refuseFormat(
      board,
      'unsupported_format',
      'The enclosed credential is not secured by its issuer (neither enveloped nor carrying a proof).',
      'The enclosed credential could not be read.',
    );
    return board.result(evidenceOf(entry, ctx.now));
  }
}

/** The holder's keys are looked up only when an enclosed credential's issuer is trusted here, or for a full report. */
function holderMatters(enclosed: VerificationResult[], ctx: RunContext): boolean {
  return ctx.fullReport === true || enclosed.some((r) => r.checks.some((c) => c.id === 'issuer_trust' && c.status === 'pass'));
}

/** A credential's status check and the entries it read (a credential's evidence holds no other status entries). */
function recordStatus(board: CheckBoard, evidence: VerificationEvidence, status: StatusOutcome): void {
  board.set(status.check);
  evidence.status = status.evidence;
}

/** The text that was verified goes with the result: check-in keeps it for reverification. */
function withText(result: VerificationResult, text: string): VerificationResult {
  result.jws = text;
  return result;
}

function noIssuer(board: CheckBoard, evidence: VerificationEvidence, summary: CredentialSummary): VerificationResult {
  board.fail('signature', 'key_not_found', 'The credential names no issuer, so no key can be looked up.');
  board.skipRest(SIGNATURE_NOT_VERIFIED);
  return board.result(evidence, summary);
}
