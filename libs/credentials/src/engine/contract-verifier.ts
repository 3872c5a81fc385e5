import { decodeCompactJws, type DecodedJws } from '../jws/compact-jws';
import { readScan } from '../input/scan-input';
import { algorithmsFor, jwkThumbprint, keyObjectFor, toPublicJwk } from '../keys/jwk';
import type { VerificationKey } from '../keys/key-resolver';
import { extractCredential, type JwtCredentialFormat } from '../model/credential-format';
import { summariseCredential } from '../model/credential-summary';
import { validateCredential } from '../model/data-model';
import { checkKeyBinding } from '../sd-jwt/key-binding';
import { parseSdJwt, processDisclosures, SdJwtError, sdHashAlgorithm, type SdJwtParts } from '../sd-jwt/sd-jwt';
import { idOf, isRecord, oneOrMany, type JsonRecord } from '../util/json';
import type { CheckId, VerificationEvidence, VerificationResult } from '../verification-result';
import { CheckBoard } from './check-board';
import { SIGNATURE_NOT_VERIFIED, truncate } from './checks/context';
import { checkCredentialModel, modelCheck, readPresentation } from './checks/data-model';
import { evidenceOf, unprocessable } from './checks/evidence';
import { passCredentialFormat, passPresentationFormat, readJws, refuseFormat } from './checks/format';
import { algorithmRefused, recordSignature, signatureByKey, type SignatureOutcome } from './checks/signature';
import { ValidityCheck } from './checks/validity';

export type ContractFeature = 'credential_jose' | 'presentation_jose' | 'credential_sdjwt' | 'presentation_sdjwt';
export type ContractOutcome = 'success' | 'failure' | 'indeterminate';

/** The algorithms the test suite uses; the header's `alg` must still fit the given key. */
export const CONTRACT_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256', 'PS256'];
/** Media types an enclosed credential's data: URL envelope may name. */
export const CONTRACT_MEDIA_TYPES = ['application/vc+jwt', 'application/vc+sd-jwt', 'application/vc+cose', 'application/vc-ld+jwt', 'application/vc'];

const WRONG_KIND = 'Wrong kind of document for this feature.';
const NOT_IN_CONTRACT = { status: 'Status is not part of the test-suite contract.', trust: 'Issuer trust is not part of the test-suite contract.' };

export interface ContractVerifierOptions {
  clockSkewSeconds: number;
  clock?: { now(): Date };
}

/**
 * The W3C vc-jose-cose test-suite contract: verify with exactly the given verification method (a JsonWebKey
 * document with `publicKeyJwk`, or a bare public JWK). Format, proof, data model and validity dates are checked with
 * the engine's own checks; no key is resolved, and status and trust are not part of the contract. Presentation time
 * claims are evaluated at the presentation's own `iat` (see docs/verification.md).
 */
export class ContractVerifier {
  private readonly validity: ValidityCheck;

  constructor(private readonly opts: ContractVerifierOptions) {
    this.validity = new ValidityCheck(opts.clockSkewSeconds * 1000);
  }

  verify(input: string, verificationMethod: unknown, feature: ContractFeature): Promise<{ result: ContractOutcome; verification: VerificationResult }> {
    const now = this.opts.clock ? this.opts.clock.now() : new Date();
    let verification: VerificationResult;
    try {
      const key = contractKey(verificationMethod);
      verification = key.ok ? this.run(input, key.key, feature, now) : key.refusal(evidenceOf(input, now));
    } catch {
      verification = unprocessable(input, now);
    }
    const relevant: CheckId[] = ['format', 'signature', 'data_model', 'validity'];
    const checks = verification.checks.filter((c) => relevant.includes(c.id));
    const result: ContractOutcome = checks.every((c) => c.status === 'pass')
      ? 'success'
      : checks.some((c) => c.status === 'fail')
        ? 'failure'
        : 'indeterminate';
    return Promise.resolve({ result, verification });
  }

  private run(input: string, key: VerificationKey, feature: ContractFeature, now: Date): VerificationResult {
    const board = new CheckBoard();
    const scan = readScan(input);
    if (!scan.ok) {
      refuseFormat(board, scan.code, scan.message, 'The input is not a readable credential.');
      return board.result(evidenceOf(scan.raw ?? input, now));
    }
    const evidence = evidenceOf(input, now, scan.credential.text);
    const sdJwtFeature = feature === 'credential_sdjwt' || feature === 'presentation_sdjwt';
    if (scan.credential.kind === 'sd-jwt') {
      if (sdJwtFeature) return this.sdJwt(scan.credential.text, key, feature === 'presentation_sdjwt', now, board, evidence);
      refuseFormat(board, 'unsupported_format', `An SD-JWT is not a ${feature} document.`, WRONG_KIND);
    } else if (sdJwtFeature) {
      refuseFormat(board, 'unsupported_format', `Expected an SD-JWT for ${feature}.`, WRONG_KIND);
      return board.result(evidence);
    }
    if (scan.credential.kind === 'json') refuseFormat(board, 'unsupported_format', 'The test-suite contract covers JOSE-secured credentials only.', WRONG_KIND);
    if (scan.credential.kind !== 'jws') return board.result(evidence);

    const read = readJws(scan.credential, board);
    if (!read) return board.result(evidence);
    const expected = feature === 'presentation_jose' ? 'vp+jwt' : 'vc+jwt';
    if (read.format !== expected) {
      refuseFormat(board, 'unsupported_format', `Expected a ${expected}, got a ${read.format}.`, WRONG_KIND);
      return board.result(evidence);
    }
    if (read.format === 'vp+jwt') return this.presentation(read.jws, key, now, board, evidence);
    const result = this.credential(read.jws, read.format, key, now, board, evidence);
    result.jws = scan.credential.text;
    return result;
  }

  private credential(
    jws: DecodedJws,
    format: JwtCredentialFormat,
    key: VerificationKey,
    now: Date,
    board: CheckBoard,
    evidence: VerificationEvidence,
  ): VerificationResult {
    const { credential, version, problems } = extractCredential(format, jws.payload);
    const summary = summariseCredential(credential, format, idOf(credential.issuer));
    passCredentialFormat(board, format, jws);
    if (!recordSignature(board, evidence, jws, signature(jws, key))) return board.result(evidence, summary);
    checkCredentialModel(board, credential, version, problems);
    board.set(this.validity.check(credential, jws.payload, version, now, 'credential'));
    board.skip('status', NOT_IN_CONTRACT.status);
    board.skip('issuer_trust', NOT_IN_CONTRACT.trust);
    return board.result(evidence, summary);
  }

  /**
   * An SD-JWT (RFC 9901; compact or JSON serialization) with the issuer key given: the issuer signature, the
   * Disclosures (every one referenced, no duplicates), the Key Binding JWT when present (required for a
   * presentation: holder signature by `cnf.jwk` and `sd_hash`; its age is not held against frozen vectors), and the
   * `nbf`/`exp` of the processed claims. Any `typ` ending in `sd-jwt` is read: the contract is about the mechanism,
   * not about which credential types this system trusts.
   */
  private sdJwt(text: string, key: VerificationKey, presentation: boolean, now: Date, board: CheckBoard, evidence: VerificationEvidence): VerificationResult {
    let parts: SdJwtParts;
    try {
      parts = parseSdJwt(text);
    } catch (err) {
      refuseFormat(board, 'malformed', err instanceof SdJwtError ? err.message : 'The SD-JWT cannot be read.', 'The SD-JWT could not be read.');
      return board.result(evidence);
    }
    const jws = parts.issuerJwt;
    const typ = typeof jws.header.typ === 'string' ? jws.header.typ.toLowerCase() : '';
    if (!typ.endsWith('sd-jwt')) {
      refuseFormat(board, 'unsupported_format', `The issuer-signed JWT's typ ${truncate(typ || '(none)')} is not an SD-JWT type.`, WRONG_KIND);
      return board.result(evidence);
    }
    board.pass('format', `An SD-JWT (${truncate(typ)}, ${String(jws.header.alg)}).`);
    if (!recordSignature(board, evidence, jws, signature(jws, key))) return board.result(evidence);
    let claims: JsonRecord;
    let algorithm: string;
    try {
      algorithm = sdHashAlgorithm(jws.payload);
      const processed = processDisclosures(jws.payload, parts.disclosures, algorithm);
      if (processed.unreferenced !== undefined) throw new SdJwtError('malformed', 'A Disclosure is not referenced by any digest of the signed payload.');
      claims = processed.claims;
    } catch (err) {
      board.fail('signature', 'signature_invalid', err instanceof Error ? err.message : 'The Disclosures cannot be processed.');
      board.skipRest(SIGNATURE_NOT_VERIFIED);
      return board.result(evidence);
    }
    const binding = checkKeyBinding(parts, claims, algorithm, { required: presentation, checkFreshness: false, now, skewMs: 0 });
    if (!binding.ok) {
      board.fail('signature', 'signature_invalid', binding.message);
      board.skipRest(SIGNATURE_NOT_VERIFIED);
      return board.result(evidence);
    }
    board.pass('data_model', `${Object.keys(claims).length} claims after the Disclosures; ${binding.message}`);
    board.set(this.validity.check({}, claims, '2.0', now, 'credential'));
    board.skip('status', NOT_IN_CONTRACT.status);
    board.skip('issuer_trust', NOT_IN_CONTRACT.trust);
    const result = board.result(evidence);
    result.jws = parts.text;
    return result;
  }

  /** The holder's signature and the envelopes; enclosed credentials' signatures cannot be checked with the holder's key. */
  private presentation(jws: DecodedJws, key: VerificationKey, now: Date, board: CheckBoard, evidence: VerificationEvidence): VerificationResult {
    const vp = jws.payload;
    const model = readPresentation(vp);
    passPresentationFormat(board, jws);
    if (!recordSignature(board, evidence, jws, signature(jws, key), 'Presentation: ', 'Not checked: the presentation signature could not be verified.'))
      return board.result(evidence);
    model.entries.forEach((entry, i) => model.problems.push(...envelopeProblems(entry).map((p) => `verifiableCredential ${i + 1}: ${p}`)));
    board.set(modelCheck(model.problems, 'The presentation and its enclosed credentials are well formed.'));
    // The suite's vectors are frozen: a presentation's time claims are evaluated when it was made (its iat).
    board.set(this.validity.check(vp, vp, '2.0', typeof vp.iat === 'number' ? new Date(vp.iat * 1000) : now, 'presentation'));
    board.skip('status', NOT_IN_CONTRACT.status);
    board.skip('issuer_trust', NOT_IN_CONTRACT.trust);
    return board.result(evidence);
  }
}

function signature(jws: DecodedJws, key: VerificationKey): SignatureOutcome {
  const alg = String(jws.header.alg);
  if (!CONTRACT_ALGORITHMS.includes(alg)) return algorithmRefused(alg);
  return signatureByKey(jws, alg, key, 'The signature verifies with the given key.');
}

type ContractKey = { ok: true; key: VerificationKey } | { ok: false; refusal: (evidence: VerificationEvidence) => VerificationResult };

/** The given verification method as a key, or the result that refuses it. */
function contractKey(verificationMethod: unknown): ContractKey {
  try {
    const method = isRecord(verificationMethod) && 'publicKeyJwk' in verificationMethod ? verificationMethod.publicKeyJwk : verificationMethod;
    // A bare key file may be a key pair (the SD-JWT examples give theirs so): only its public members are used.
    const jwk = toPublicJwk(isRecord(method) && !('publicKeyJwk' in (verificationMethod as JsonRecord)) ? publicMembers(method) : method);
    const id = isRecord(verificationMethod) && typeof verificationMethod.id === 'string' ? verificationMethod.id : `urn:jwk:${jwkThumbprint(jwk)}`;
    return { ok: true, key: { id, jwk, thumbprint: jwkThumbprint(jwk), keyObject: keyObjectFor(jwk), algorithms: algorithmsFor(jwk) } };
  } catch (err) {
    return {
      ok: false,
      refusal: (evidence) => {
        const board = new CheckBoard();
        board.fail('signature', 'key_not_found', `The given verification method is unusable: ${(err as Error).message}`);
        board.skipRest('The key could not be used.');
        return board.result(evidence);
      },
    };
  }
}

/** An enclosed credential must be a well-formed envelope of a VC media type (or conform if embedded). */
function envelopeProblems(entry: unknown): string[] {
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

function publicMembers(jwk: JsonRecord): JsonRecord {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, k: _k, ...rest } = jwk;
  return rest;
}
