/**
 * Verification on an offline station, from an incident pack (docs/offline.md): the same checks and reason codes as
 * the engine for the JWS forms (vc+jwt, Open Badges 3.0 JWT, VC-JWT 1.1) and SD-JWT VC (dc+sd-jwt, vc+sd-jwt, compact
 * or JSON serialization), reading trust, keys and status from the pack instead of the network. The engine's
 * framework-free parts are shared (SD-JWT reading and Disclosure processing, Key Binding rules, credential summaries,
 * qualification mapping, Token Status List values); the signatures and digests, which the engine takes from
 * node:crypto synchronously, are computed here with WebCrypto and handed to it. No Node module is called on this
 * path, so the browser bundle takes this file (scripts/build-web.mjs stubs the Node modules it imports).
 */
import type { KeyObject } from 'node:crypto';
import type { DataIntegrityVerifier } from '../data-integrity/data-integrity-verifier';
import type { DecodedJws } from '../jws/compact-jws';
import { algorithmsFor, toPublicJwk } from '../keys/jwk';
import { KeyResolutionError, type VerificationKey } from '../keys/key-types';
import { idOf, isRecord, oneOrMany, type JsonRecord } from '../util/json';
import { qualificationFacts, summariseCredential } from '../model/credential-summary';
import { checkKeyBinding } from '../sd-jwt/key-binding';
import { isJwsJson, sdJwtFromJson } from '../sd-jwt/json-serialization';
import { looksLikeSdJwt, parseSdJwt, sdHashAlgorithm, type Digest } from '../sd-jwt/sd-jwt';
import { readSdJwtVc, sdJwtVcClaimProblems } from '../sd-jwt/sd-jwt-vc-reading';
import { summariseSdJwtVc } from '../sd-jwt/sd-jwt-vc-summary';
import { readTokenStatus, TOKEN_STATUS, type TokenStatusBits } from '../sd-jwt/token-status-list';
import { issuerActivity, jurisdictionCovers, mapQualification, type QualificationRule } from '../trust/trust-source';
import type { CredentialSummary } from '../verification-result';

export interface OfflineTrustedIssuer {
  id: string;
  name: string;
  jurisdictions: string[];
  qualifications: string[];
  algorithms: string[];
  validFrom?: string;
  validUntil?: string;
}

/** What the verifier reads from a pack (a subset of libs/offline's IncidentPack). */
export interface OfflinePack {
  packedAt: string;
  incident: { jurisdiction: string; mutualAidJurisdictions: string[]; positions: Array<{ id: string; name: string; requiredQualifications: string[] }> };
  policy: { statusUnavailable: 'admit_with_warning' | 'deny'; offlineStatusMaxAgeSeconds: number; clockSkewSeconds: number };
  trust: { issuers: OfflineTrustedIssuer[]; qualificationRules: QualificationRule[] };
  /** Per issuer; an https issuer may have a second entry, `method: 'jwt-vc-issuer'`, for its SD-JWT VCs. */
  keys: Array<{ issuer: string; method?: string; keys: Array<{ id: string; jwk: Record<string, string>; algorithms: string[] }> }>;
  statusLists: Array<{ url: string; issuer: string; purposes: string[]; bitLength: number; tokenBits?: number; gzip: string; fetchedAt: string }>;
}

export interface OfflineReason {
  code: string;
  message: string;
}

export interface OfflineVerification {
  decision: 'admitted' | 'admitted_with_warnings' | 'denied';
  reasons: OfflineReason[];
  name?: string;
  qualification?: string;
  issuerName?: string;
  /** Seconds between the pack's time and the scan. */
  packAgeSeconds: number;
}

const ALGORITHMS: Record<string, { key: EcKeyImportParams | RsaHashedImportParams | Algorithm; verify: EcdsaParams | RsaPssParams | Algorithm }> = {
  ES256: { key: { name: 'ECDSA', namedCurve: 'P-256' } as EcKeyImportParams, verify: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams },
  ES384: { key: { name: 'ECDSA', namedCurve: 'P-384' } as EcKeyImportParams, verify: { name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams },
  EdDSA: { key: { name: 'Ed25519' }, verify: { name: 'Ed25519' } },
  // Only for an issuer the registry lists them for, as online (trust-source.ts, OPT_IN_ALGORITHMS).
  RS256: { key: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as RsaHashedImportParams, verify: { name: 'RSASSA-PKCS1-v1_5' } },
  PS256: { key: { name: 'RSA-PSS', hash: 'SHA-256' } as RsaHashedImportParams, verify: { name: 'RSA-PSS', saltLength: 32 } as RsaPssParams },
};
/** RSA keys below 2,048 bits are refused, as online (verify-signature.ts). */
const MIN_RSA_BITS = 2048;
const DEFAULT_ALGORITHMS = ['ES256', 'ES384', 'EdDSA'];

const fromB64url = (text: string): Uint8Array<ArrayBuffer> => {
  const raw = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
};

/** Whole hours as such, and a tenth under 10 h: "2.4 h old (limit 2 h)" rather than "2 h old (limit 2 h)". */
const hoursText = (seconds: number): string => {
  const hours = seconds / 3600;
  return Number.isInteger(hours) || hours >= 10 ? String(Math.round(hours)) : hours.toFixed(1);
};

export interface PackVerifierOptions {
  /**
   * The engine's Data Integrity verifier, loaded when the first such credential is scanned: in the browser a
   * separate chunk (jsonld, rdf-canonize and the bundled contexts) with WebCrypto proofs (web-proof-crypto.ts).
   * Without it Data Integrity credentials are `offline_unsupported`.
   */
  dataIntegrity?: () => Promise<DataIntegrityVerifier>;
}

/** Decoded status lists and imported keys of one pack, reused across scans (a warm pack). */
export class PackVerifier {
  private readonly bits = new Map<string, Promise<Uint8Array>>();
  private readonly cryptoKeys = new Map<string, Promise<CryptoKey>>();
  private dataIntegrity?: Promise<DataIntegrityVerifier>;

  constructor(
    readonly pack: OfflinePack,
    private readonly options: PackVerifierOptions = {},
  ) {}

  async verify(input: string, opts: { positionId?: string; now?: Date } = {}): Promise<OfflineVerification> {
    const now = opts.now ?? new Date();
    const packAgeSeconds = Math.max(0, Math.round((now.getTime() - Date.parse(this.pack.packedAt)) / 1000));
    const ctx: Judging = { now, positionId: opts.positionId, packAgeSeconds };
    const text = input.trim();
    if (text.startsWith('{')) {
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        return denied(ctx, 'malformed', 'The credential could not be read.');
      }
      if (!isRecord(doc)) return denied(ctx, 'malformed', 'The credential could not be read.');
      if (isJwsJson(doc)) {
        const compact = sdJwtFromJson(doc);
        return compact.ok ? this.verifySdJwt(compact.compact, ctx) : denied(ctx, 'malformed', compact.message);
      }
      if ('proof' in doc || oneOrMany(doc.type).includes('VerifiablePresentation')) return this.verifyDataIntegrity(doc, ctx);
      return denied(ctx, 'offline_unsupported', OFFLINE_UNSUPPORTED);
    }
    if (looksLikeSdJwt(text)) return this.verifySdJwt(text, ctx);
    const parts = text.split('.');
    if (parts.length !== 3) return denied(ctx, 'offline_unsupported', OFFLINE_UNSUPPORTED);
    let header: JsonRecord;
    let payload: JsonRecord;
    try {
      header = JSON.parse(new TextDecoder().decode(fromB64url(parts[0]))) as JsonRecord;
      payload = JSON.parse(new TextDecoder().decode(fromB64url(parts[1]))) as JsonRecord;
    } catch {
      return denied(ctx, 'malformed', 'The credential could not be read.');
    }
    if (!isRecord(header) || !isRecord(payload)) return denied(ctx, 'malformed', 'The credential could not be read.');
    const credential = isRecord(payload.vc) ? payload.vc : payload;
    const issuerId =
      typeof credential.issuer === 'string'
        ? credential.issuer
        : isRecord(credential.issuer) && typeof credential.issuer.id === 'string'
          ? credential.issuer.id
          : typeof payload.iss === 'string'
            ? payload.iss
            : undefined;
    if (!issuerId) return denied(ctx, 'key_not_found', 'The credential names no issuer, so no key can be looked up.');
    const summary = summariseCredential(credential, 'vc+jwt', issuerId);
    const from = summary.validFrom ? Date.parse(summary.validFrom) : typeof payload.nbf === 'number' ? payload.nbf * 1000 : undefined;
    const until = summary.validUntil ? Date.parse(summary.validUntil) : typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
    return this.judge(ctx, summary, issuerId, { from, until }, async (issuer, who) =>
      this.issuerSignature(
        ctx,
        { header, signingInput: `${parts[0]}.${parts[1]}`, signature: parts[2] },
        issuerId,
        issuer,
        who,
        'The signature does not verify: the badge was altered or not issued by this issuer.',
      ),
    );
  }

  /**
   * An SD-JWT VC: read as the engine reads it (sd-jwt-vc-reading.ts), with the Disclosure digests, the Key Binding
   * JWT's sd_hash and its holder signature computed first with WebCrypto, then the engine's rules on them.
   */
  private async verifySdJwt(text: string, ctx: Judging): Promise<OfflineVerification> {
    const digests = new Map<string, string>();
    let holderSignature: boolean | 'unusable' = 'unusable';
    try {
      const parts = parseSdJwt(text);
      const algorithm = sdHashAlgorithm(parts.issuerJwt.payload);
      for (const t of [...parts.disclosures, parts.boundText]) digests.set(`${algorithm}:${t}`, await webDigest(algorithm, t));
      if (parts.kbJwt) holderSignature = await this.holderSignature(parts.kbJwt, parts.issuerJwt.payload.cnf);
    } catch {
      // Not readable: readSdJwtVc below says why, with the engine's words.
    }
    const digest: Digest = (t, algorithm) => digests.get(`${algorithm}:${t}`) ?? '';
    const reading = readSdJwtVc(text, digest);
    if (!reading.ok) return denied(ctx, reading.code, reading.message);
    const { parts, claims } = reading;
    const issuerId = typeof claims.iss === 'string' ? claims.iss : undefined;
    if (!issuerId) return denied(ctx, 'key_not_found', 'The credential names no issuer (iss), so no key can be looked up.');
    const summary = summariseSdJwtVc(claims, issuerId);
    const instant = (v: unknown): number | undefined => (typeof v === 'number' && Math.abs(v) <= 8.64e12 ? v * 1000 : undefined);
    const validity: Validity = { from: instant(claims.nbf), until: instant(claims.exp) };
    return this.judge(ctx, summary, issuerId, validity, async (issuer, who) => {
      const [h, p, sig] = parts.issuerJwt.compact.split('.');
      const signed = await this.issuerSignature(
        ctx,
        { header: parts.issuerJwt.header, signingInput: `${h}.${p}`, signature: sig },
        issuerId,
        issuer,
        who,
        'The signature does not verify: the credential was altered or not signed by this key.',
        'jwt-vc-issuer',
      );
      if (signed) return signed;
      if (reading.unreferenced) return denied(ctx, 'signature_invalid', reading.unreferenced, who);
      const binding = checkKeyBinding(
        parts,
        claims,
        reading.hashAlgorithm,
        { required: false, checkFreshness: true, now: ctx.now, skewMs: this.pack.policy.clockSkewSeconds * 1000 },
        {
          holderSignature: () => {
            if (holderSignature === 'unusable') throw new Error('unusable holder key');
            return holderSignature;
          },
          digest,
        },
      );
      if (!binding.ok) return denied(ctx, 'signature_invalid', binding.message, who);
      const problems = sdJwtVcClaimProblems(claims);
      if (problems.length > 0) return denied(ctx, 'data_model_invalid', problems.slice(0, 5).join(' '), who);
      // A stale Key Binding JWT counts once the credential's own dates pass, as in the engine's validity check.
      validity.late = binding.freshness;
      return undefined;
    });
  }

  /**
   * A JSON-LD credential with Data Integrity proofs, through the engine's verifier (read, then the proofs with the
   * issuer's keys from the pack). A presentation: its one enclosed credential, when the presentation carries no proof
   * of its own (a holder's keys are not in the pack, so a holder proof cannot be checked offline).
   */
  private async verifyDataIntegrity(doc: JsonRecord, ctx: Judging): Promise<OfflineVerification> {
    const load = this.options.dataIntegrity;
    if (!load) return denied(ctx, 'offline_unsupported', OFFLINE_UNSUPPORTED);
    let verifier: DataIntegrityVerifier;
    try {
      verifier = await (this.dataIntegrity ??= load());
    } catch {
      this.dataIntegrity = undefined;
      return denied(ctx, 'offline_unsupported', 'The Data Integrity verifier could not be loaded on this station: verify it online.');
    }
    let credential = doc;
    if (oneOrMany(doc.type).includes('VerifiablePresentation')) {
      const presentation = verifier.read(doc, { proofOptional: true });
      if (!presentation.ok) return denied(ctx, presentation.code, presentation.message);
      if (presentation.proofs.length > 0)
        return denied(ctx, 'offline_unsupported', "A presentation's own proof (its holder's) cannot be checked offline: verify it online.");
      const enclosed = oneOrMany(doc.verifiableCredential);
      if (enclosed.length !== 1 || !isRecord(enclosed[0]) || !('proof' in enclosed[0]))
        return denied(ctx, 'offline_unsupported', 'Offline, a presentation must enclose exactly one credential with a Data Integrity proof: verify it online.');
      credential = enclosed[0];
    }
    const reading = verifier.read(credential);
    if (!reading.ok) return denied(ctx, reading.code, reading.message);
    const issuerId = idOf(credential.issuer);
    if (!issuerId) return denied(ctx, 'key_not_found', 'The credential names no issuer, so no key can be looked up.');
    const summary = summariseCredential(credential, 'ldp-vc', issuerId);
    const validity = {
      from: summary.validFrom ? Date.parse(summary.validFrom) : undefined,
      until: summary.validUntil ? Date.parse(summary.validUntil) : undefined,
    };
    return this.judge(ctx, summary, issuerId, validity, async (issuer, who) => {
      const keys = this.keysOf(issuerId, 'issuer');
      const allowed = issuer.algorithms.length > 0 ? issuer.algorithms : DEFAULT_ALGORITHMS;
      const check = await verifier.verify(reading, {
        keyFor: (method) => {
          if (method.split('#')[0] !== issuerId)
            throw new KeyResolutionError('key_not_found', `The proof's verification method ${method.slice(0, 100)} is not one of the issuer's.`);
          const key = keys.find((k) => k.id === method);
          if (!key) throw new KeyResolutionError('key_not_found', `The pack holds no key ${method.slice(0, 100)} of ${issuer.name}.`);
          return packKey(key);
        },
        algorithmAllowed: (alg) => allowed.includes(alg) && Boolean(ALGORITHMS[alg]),
        now: ctx.now,
        clockSkewMs: this.pack.policy.clockSkewSeconds * 1000,
      });
      return check.ok ? undefined : denied(ctx, check.code, check.message, who);
    });
  }

  /**
   * The engine's order once the format is read: trust, signature (and what the format checks with it), validity,
   * authority, status from the pack, then the position.
   */
  private async judge(
    ctx: Judging,
    summary: CredentialSummary,
    issuerId: string,
    validity: Validity,
    signature: (issuer: OfflineTrustedIssuer, who: Partial<OfflineVerification>) => Promise<OfflineVerification | undefined>,
  ): Promise<OfflineVerification> {
    const { now } = ctx;
    const who = { name: summary.subject.name };

    // Trust before anything else, as the engine: an issuer outside the pack's slice is not trusted here.
    const issuer = this.pack.trust.issuers.find((i) => i.id === issuerId);
    if (!issuer) return denied(ctx, 'untrusted_issuer', `${summary.issuer.claimedName ?? issuerId} is not in the trust registry for this incident.`, who);
    const activity = issuerActivity({ ...issuer, validFrom: date(issuer.validFrom), validUntil: date(issuer.validUntil) }, now);
    if (!activity.active) return denied(ctx, 'untrusted_issuer', `${issuer.name} is ${activity.reason}.`, { ...who, issuerName: issuer.name });

    const refused = await signature(issuer, { ...who, issuerName: issuer.name });
    if (refused) return refused;

    // Validity period, with the engine's clock skew.
    const skew = this.pack.policy.clockSkewSeconds * 1000;
    const { from, until } = validity;
    if (until !== undefined && until + skew < now.getTime())
      return denied(ctx, 'expired', `The credential expired on ${new Date(until).toISOString().slice(0, 10)}.`, { ...who, issuerName: issuer.name });
    if (from !== undefined && from - skew > now.getTime())
      return denied(ctx, 'not_yet_valid', `The credential is valid only from ${new Date(from).toISOString().slice(0, 10)}.`, {
        ...who,
        issuerName: issuer.name,
      });
    if (validity.late) return denied(ctx, validity.late.code, validity.late.message, { ...who, issuerName: issuer.name });

    // Authority: jurisdiction (or mutual aid) and qualification.
    const regions = [this.pack.incident.jurisdiction, ...this.pack.incident.mutualAidJurisdictions];
    if (!issuer.jurisdictions.some((j) => regions.some((r) => jurisdictionCovers(j, r))))
      return denied(
        ctx,
        'issuer_not_authorized',
        `${issuer.name} is trusted in ${issuer.jurisdictions.join(', ')}, not in ${this.pack.incident.jurisdiction}.`,
        {
          ...who,
          issuerName: issuer.name,
        },
      );
    const qualification = mapQualification(qualificationFacts(summary), this.pack.trust.qualificationRules);
    const known = { ...who, issuerName: issuer.name, qualification };
    if (!qualification) return denied(ctx, 'issuer_not_authorized', 'The credential does not show a qualification the registry recognises.', known);
    if (!issuer.qualifications.includes(qualification))
      return denied(ctx, 'issuer_not_authorized', `${issuer.name} is not authorized to certify ${qualification}.`, known);

    // Status, from the lists in the pack: a list missing or older than the offline limit is "status unavailable".
    const warnings: OfflineReason[] = [];
    for (const entry of summary.status) {
      const list = this.pack.statusLists.find((l) => l.url === entry.listUrl);
      const token = entry.purpose === 'status_list';
      const entries = list && token ? (list.tokenBits ? Math.floor(list.bitLength / list.tokenBits) : 0) : (list?.bitLength ?? 0);
      if (!list || entry.index < 0 || entry.index >= entries) {
        warnings.push({ code: 'status_unavailable', message: 'The status list of this credential is not in the incident pack: its status is not confirmed.' });
        continue;
      }
      const ageSeconds = (now.getTime() - Date.parse(list.fetchedAt)) / 1000;
      if (ageSeconds > this.pack.policy.offlineStatusMaxAgeSeconds) {
        warnings.push({
          code: 'status_unavailable',
          message: `The status list in the pack is ${hoursText(ageSeconds)} h old (limit ${hoursText(this.pack.policy.offlineStatusMaxAgeSeconds)} h): its status is not confirmed.`,
        });
        continue;
      }
      const bits = await this.listBits(list.url, list.gzip);
      if (token) {
        // A Token Status List (SD-JWT VC): its value, read as the engine reads it.
        const value = readTokenStatus(bits, entry.index, list.tokenBits as TokenStatusBits);
        if (value === TOKEN_STATUS.invalid) return denied(ctx, 'revoked', 'The issuer has revoked this credential.', known);
        if (value === TOKEN_STATUS.suspended) return denied(ctx, 'suspended', 'The issuer has suspended this credential.', known);
        if (value !== TOKEN_STATUS.valid)
          warnings.push({
            code: 'status_unavailable',
            message: `The status list gives this credential the status ${value}, which this system does not interpret.`,
          });
        continue;
      }
      if ((bits[entry.index >> 3] >> (7 - (entry.index & 7))) & 1) {
        const purpose = entry.purpose || list.purposes[0];
        if (purpose === 'suspension') return denied(ctx, 'suspended', 'The credential is suspended by its issuer.', known);
        return denied(ctx, 'revoked', 'The credential was revoked by its issuer.', known);
      }
    }

    const position = ctx.positionId ? this.pack.incident.positions.find((p) => p.id === ctx.positionId) : undefined;
    if (position && !position.requiredQualifications.includes(qualification))
      return denied(ctx, 'not_qualified', `${position.name} needs ${position.requiredQualifications.join(' or ')}; the badge shows ${qualification}.`, known);
    const { packAgeSeconds } = ctx;
    if (warnings.length === 0) return { decision: 'admitted', reasons: [], packAgeSeconds, ...known };
    if (this.pack.policy.statusUnavailable === 'deny')
      return {
        decision: 'denied',
        reasons: [
          ...warnings,
          { code: 'status_unavailable_policy', message: "This incident's policy denies check-in while a credential's status cannot be confirmed." },
        ],
        packAgeSeconds,
        ...known,
      };
    return { decision: 'admitted_with_warnings', reasons: warnings, packAgeSeconds, ...known };
  }

  /**
   * The issuer's keys in the pack, found as the engine finds them online: an SD-JWT VC of an https issuer by its JWT
   * VC Issuer Metadata (the pack's `jwt-vc-issuer` entry), everything else by the issuer's own keys (a DID document,
   * its JWKS or profile).
   */
  private keysOf(issuerId: string, discovery: 'issuer' | 'jwt-vc-issuer'): OfflinePack['keys'][number]['keys'] {
    const metadata = discovery === 'jwt-vc-issuer' && !issuerId.startsWith('did:');
    return this.pack.keys.find((k) => k.issuer === issuerId && (k.method === 'jwt-vc-issuer') === metadata)?.keys ?? [];
  }

  /** The issuer's JWS signature with its keys as the pack resolved them; a refusal, or undefined when it verifies. */
  private async issuerSignature(
    ctx: Judging,
    { header, signingInput, signature }: { header: JsonRecord; signingInput: string; signature: string },
    issuerId: string,
    issuer: OfflineTrustedIssuer,
    who: Partial<OfflineVerification>,
    invalid: string,
    discovery: 'issuer' | 'jwt-vc-issuer' = 'issuer',
  ): Promise<OfflineVerification | undefined> {
    const alg = typeof header.alg === 'string' ? header.alg : '';
    const allowed = issuer.algorithms.length > 0 ? issuer.algorithms : DEFAULT_ALGORITHMS;
    if (!ALGORITHMS[alg] || !(DEFAULT_ALGORITHMS.includes(alg) || allowed.includes(alg)))
      return denied(ctx, 'alg_not_allowed', `The algorithm ${alg.slice(0, 40) || '(none)'} is not accepted.`, who);
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    const keys = this.keysOf(issuerId, discovery);
    const key =
      keys.find((k) => kid !== undefined && (k.id === kid || k.id.endsWith(`#${kid.split('#').pop()}`))) ??
      (kid === undefined && keys.length === 1 ? keys[0] : undefined);
    if (!key) return denied(ctx, 'key_not_found', `The pack holds no key ${kid ?? ''} of ${issuer.name}.`, who);
    let valid = false;
    try {
      valid = await crypto.subtle.verify(
        ALGORITHMS[alg].verify,
        await this.cryptoKey(key.id, key.jwk, alg),
        fromB64url(signature),
        new TextEncoder().encode(signingInput),
      );
    } catch {
      valid = false;
    }
    return valid ? undefined : denied(ctx, 'signature_invalid', invalid, who);
  }

  /** The Key Binding JWT's signature by the holder key `cnf.jwk` ('unusable' when that is no key WebCrypto takes). */
  private async holderSignature(kb: DecodedJws, cnf: unknown): Promise<boolean | 'unusable'> {
    const alg = typeof kb.header.alg === 'string' ? kb.header.alg : '';
    if (!isRecord(cnf) || !isRecord(cnf.jwk) || !ALGORITHMS[alg] || !DEFAULT_ALGORITHMS.includes(alg)) return 'unusable';
    const jwk = cnf.jwk as Record<string, unknown>;
    let key: CryptoKey;
    try {
      key = await crypto.subtle.importKey(
        'jwk',
        { kty: String(jwk.kty), crv: String(jwk.crv), x: String(jwk.x), ...(jwk.y === undefined ? {} : { y: String(jwk.y) }) },
        ALGORITHMS[alg].key,
        false,
        ['verify'],
      );
    } catch {
      return 'unusable';
    }
    const dot = kb.compact.lastIndexOf('.');
    try {
      return await crypto.subtle.verify(ALGORITHMS[alg].verify, key, fromB64url(kb.compact.slice(dot + 1)), new TextEncoder().encode(kb.compact.slice(0, dot)));
    } catch {
      return false;
    }
  }

  private cryptoKey(id: string, jwk: Record<string, string>, alg: string): Promise<CryptoKey> {
    const cacheKey = `${alg}:${id}`;
    let key = this.cryptoKeys.get(cacheKey);
    if (!key) {
      const material: JsonWebKey =
        jwk.kty === 'RSA' ? { kty: 'RSA', n: jwk.n, e: jwk.e } : { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y === undefined ? {} : { y: jwk.y }) };
      key =
        jwk.kty === 'RSA' && fromB64url(jwk.n ?? '').length * 8 < MIN_RSA_BITS
          ? Promise.reject(new Error('RSA key below 2,048 bits'))
          : crypto.subtle.importKey('jwk', material, ALGORITHMS[alg].key, false, ['verify']);
      key.catch(() => undefined);
      this.cryptoKeys.set(cacheKey, key);
    }
    return key;
  }

  private listBits(url: string, gzip: string): Promise<Uint8Array> {
    let bits = this.bits.get(url);
    if (!bits) {
      bits = gunzip(fromB64url(gzip));
      this.bits.set(url, bits);
    }
    return bits;
  }
}

const date = (iso: string | undefined): Date | undefined => (iso ? new Date(iso) : undefined);

const OFFLINE_UNSUPPORTED =
  'Only JWS badges (vc+jwt, Open Badges 3.0 JWT, VC-JWT), SD-JWT VCs and Data Integrity credentials can be verified offline: verify it online.';

/**
 * A pack key as the engine's Data Integrity verifier takes it. It reads `jwk` (suite fit) and hands the key to its
 * ProofCrypto, which on the station is WebCrypto and imports `jwk` itself: there is no node:crypto KeyObject here.
 */
function packKey(key: { id: string; jwk: Record<string, string>; algorithms: string[] }): VerificationKey {
  const jwk = toPublicJwk(key.jwk);
  return { id: key.id, jwk, thumbprint: '', keyObject: undefined as unknown as KeyObject, algorithms: algorithmsFor(jwk) };
}

interface Validity {
  from?: number;
  until?: number;
  /** A failure of the validity check after the dates (a stale Key Binding JWT). */
  late?: { code: string; message: string };
}

interface Judging {
  now: Date;
  positionId?: string;
  packAgeSeconds: number;
}

function denied(ctx: Pick<Judging, 'packAgeSeconds'>, code: string, message: string, extra: Partial<OfflineVerification> = {}): OfflineVerification {
  return { decision: 'denied', reasons: [{ code, message }], packAgeSeconds: ctx.packAgeSeconds, ...extra };
}

/** base64url(digest) with WebCrypto, `algorithm` in node:crypto's naming (as sdHashAlgorithm gives it). */
async function webDigest(algorithm: string, text: string): Promise<string> {
  const name = algorithm === 'sha384' ? 'SHA-384' : algorithm === 'sha512' ? 'SHA-512' : 'SHA-256';
  const bytes = new Uint8Array(await crypto.subtle.digest(name, new TextEncoder().encode(text)));
  let raw = '';
  for (const b of bytes) raw += String.fromCharCode(b);
  return btoa(raw).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
