import type { DataIntegrityVerifier } from '../data-integrity/data-integrity-verifier';
import { decodeCompactJws } from '../jws/compact-jws';
import { readScan } from '../input/scan-input';
import { detectFormat, extractCredential } from '../model/credential-format';
import { parseInstant, ZONE_OPTIONAL } from '../model/instants';
import { asStatusListToken, type SdJwtVcVerifier } from '../sd-jwt/sd-jwt-vc-verifier';
import { StatusListError, type VerifiedStatusListCredential } from '../status/status-list-service';
import type { TrustedIssuer, TrustSource } from '../trust/trust-source';
import { firstRecord, idOf, isRecord, oneOrMany, type JsonRecord } from '../util/json';
import type { SignatureCheck } from './checks/signature';
import type { ValidityCheck } from './checks/validity';

const invalid = (message: string): StatusListError => new StatusListError('status_list_invalid', message);

/**
 * Verifies a fetched status list credential (the StatusListService's verifier): an IETF Token Status List, a JWS,
 * or JSON-LD with Data Integrity, each signed by a key of its issuer and valid now.
 */
export class StatusListCredentials {
  constructor(
    private readonly deps: {
      trust: TrustSource;
      signature: SignatureCheck;
      validity: ValidityCheck;
      dataIntegrity: DataIntegrityVerifier;
      sdJwt: SdJwtVcVerifier;
    },
  ) {}

  async verify(body: string, nowMs: number, expected: { url: string; issuer?: string }): Promise<VerifiedStatusListCredential> {
    const token = asStatusListToken(body);
    if (token) return this.deps.sdJwt.verifyStatusListToken(token, nowMs, expected);
    let text = body.trim();
    if (text.startsWith('{')) {
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        throw invalid('The status list is not valid JSON.');
      }
      if (isRecord(doc) && 'proof' in doc) return this.verifyDataIntegrity(doc, nowMs);
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

    const signature = await this.deps.signature.ofJws(decoded.jws, issuer, await this.findIssuerQuietly(issuer), {});
    if (!signature.ok) {
      if (signature.code === 'did_unresolvable')
        throw new StatusListError('status_unavailable', `The status list issuer's keys are unavailable: ${signature.message}`);
      throw invalid(`The status list signature does not verify: ${signature.message}`);
    }
    return this.contents(credential, decoded.jws.payload, version, issuer, nowMs);
  }

  /** A status list credential secured with Data Integrity: its proofs by its issuer's keys, as for any credential. */
  private async verifyDataIntegrity(doc: JsonRecord, nowMs: number): Promise<VerifiedStatusListCredential> {
    const reading = this.deps.dataIntegrity.read(doc);
    if (!reading.ok) throw invalid(`The status list credential cannot be read: ${reading.message}`);
    const { credential, version } = reading;
    const issuer = statusListIssuer(credential);
    const entry = await this.findIssuerQuietly(issuer);
    const proofs = await this.deps.signature.ofDataIntegrity(reading, issuer, entry, { now: new Date(nowMs) });
    if (!proofs.ok) {
      if (proofs.code === 'did_unresolvable')
        throw new StatusListError('status_unavailable', `The status list issuer's keys are unavailable: ${proofs.message}`);
      throw invalid(`The status list proof does not verify: ${proofs.message}`);
    }
    return this.contents(credential, {}, version, issuer, nowMs);
  }

  /** The registry entry of a status list's issuer, for its algorithms (none when the registry cannot be read). */
  private async findIssuerQuietly(issuer: string): Promise<TrustedIssuer | undefined> {
    try {
      return await this.deps.trust.findIssuer(issuer);
    } catch {
      return undefined;
    }
  }

  /** What a verified status list credential says: valid now, its purposes, its bits, how long to keep it. */
  private contents(credential: JsonRecord, claims: JsonRecord, version: '2.0' | '1.1', issuer: string, nowMs: number): VerifiedStatusListCredential {
    const validity = this.deps.validity.check(credential, claims, version, new Date(nowMs), 'credential');
    if (validity.status !== 'pass') throw invalid(`The status list credential is not valid now: ${validity.message}`);

    const subject = firstRecord(credential.credentialSubject);
    if (!subject || typeof subject.encodedList !== 'string') throw invalid('The status list has no encodedList.');
    const purposes = oneOrMany(subject.statusPurpose).filter((p): p is string => typeof p === 'string');
    if (purposes.length === 0) throw invalid('The status list declares no statusPurpose.');
    const ttl = typeof subject.ttl === 'number' && Number.isFinite(subject.ttl) && subject.ttl >= 0 ? subject.ttl : undefined;
    const validUntil = parseInstant(credential.validUntil ?? credential.expirationDate, ZONE_OPTIONAL);
    return { issuer, purposes, encodedList: subject.encodedList, ttlMs: ttl, validUntil };
  }
}

/** The issuer of a status list credential, after checking that it is one. */
function statusListIssuer(credential: JsonRecord): string {
  const issuer = idOf(credential.issuer);
  const types = oneOrMany(credential.type);
  if (!types.includes('BitstringStatusListCredential') && !types.includes('StatusList2021Credential')) {
    throw invalid('The document is not a status list credential.');
  }
  if (!issuer) throw invalid('The status list credential names no issuer.');
  return issuer;
}
