/**
 * Verification on an offline station, from an incident pack (docs/offline.md): the same checks and reason codes as
 * the engine for the JWS forms (vc+jwt, Open Badges 3.0 JWT, VC-JWT 1.1), reading trust, keys and status from the
 * pack instead of the network. WebCrypto and DecompressionStream only (no Node module), so the browser bundle takes
 * this file; the rest of the engine needs node:crypto KeyObjects, node:zlib, jsonld and the bounded fetcher.
 */
import { isRecord, type JsonRecord } from '../util/json';
import { qualificationFacts, summariseCredential } from '../model/credential-summary';
import { issuerActivity, jurisdictionCovers, mapQualification, type QualificationRule } from '../trust/trust-source';

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
  keys: Array<{ issuer: string; keys: Array<{ id: string; jwk: Record<string, string>; algorithms: string[] }> }>;
  statusLists: Array<{ url: string; issuer: string; purposes: string[]; bitLength: number; gzip: string; fetchedAt: string }>;
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

const ALGORITHMS: Record<string, { key: EcKeyImportParams | Algorithm; verify: EcdsaParams | Algorithm }> = {
  ES256: { key: { name: 'ECDSA', namedCurve: 'P-256' } as EcKeyImportParams, verify: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams },
  ES384: { key: { name: 'ECDSA', namedCurve: 'P-384' } as EcKeyImportParams, verify: { name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams },
  EdDSA: { key: { name: 'Ed25519' }, verify: { name: 'Ed25519' } },
};
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

/** Decoded status lists and imported keys of one pack, reused across scans (a warm pack). */
export class PackVerifier {
  private readonly bits = new Map<string, Promise<Uint8Array>>();
  private readonly cryptoKeys = new Map<string, Promise<CryptoKey>>();

  constructor(readonly pack: OfflinePack) {}

  async verify(input: string, opts: { positionId?: string; now?: Date } = {}): Promise<OfflineVerification> {
    const now = opts.now ?? new Date();
    const packAgeSeconds = Math.max(0, Math.round((now.getTime() - Date.parse(this.pack.packedAt)) / 1000));
    const deny = (code: string, message: string, extra: Partial<OfflineVerification> = {}): OfflineVerification => ({
      decision: 'denied',
      reasons: [{ code, message }],
      packAgeSeconds,
      ...extra,
    });

    const parts = input.trim().split('.');
    if (parts.length !== 3)
      return deny('offline_unsupported', 'Only JWS badges (vc+jwt, Open Badges 3.0 JWT, VC-JWT) can be verified offline: verify it online.');
    let header: JsonRecord;
    let payload: JsonRecord;
    try {
      header = JSON.parse(new TextDecoder().decode(fromB64url(parts[0]))) as JsonRecord;
      payload = JSON.parse(new TextDecoder().decode(fromB64url(parts[1]))) as JsonRecord;
    } catch {
      return deny('malformed', 'The credential could not be read.');
    }
    if (!isRecord(header) || !isRecord(payload)) return deny('malformed', 'The credential could not be read.');
    const credential = isRecord(payload.vc) ? payload.vc : payload;
    const issuerId =
      typeof credential.issuer === 'string'
        ? credential.issuer
        : isRecord(credential.issuer) && typeof credential.issuer.id === 'string'
          ? credential.issuer.id
          : typeof payload.iss === 'string'
            ? payload.iss
            : undefined;
    if (!issuerId) return deny('key_not_found', 'The credential names no issuer, so no key can be looked up.');
    const summary = summariseCredential(credential, 'vc+jwt', issuerId);
    const who = { name: summary.subject.name };

    // Trust before anything else, as the engine: an issuer outside the pack's slice is not trusted here.
    const issuer = this.pack.trust.issuers.find((i) => i.id === issuerId);
    if (!issuer) return deny('untrusted_issuer', `${summary.issuer.claimedName ?? issuerId} is not in the trust registry for this incident.`, who);
    const activity = issuerActivity({ ...issuer, validFrom: date(issuer.validFrom), validUntil: date(issuer.validUntil) }, now);
    if (!activity.active) return deny('untrusted_issuer', `${issuer.name} is ${activity.reason}.`, { ...who, issuerName: issuer.name });

    // Signature, with the issuer's keys as the pack resolved them.
    const alg = typeof header.alg === 'string' ? header.alg : '';
    const allowed = issuer.algorithms.length > 0 ? issuer.algorithms : DEFAULT_ALGORITHMS;
    if (!ALGORITHMS[alg] || !(DEFAULT_ALGORITHMS.includes(alg) || allowed.includes(alg)))
      return deny('alg_not_allowed', `The algorithm ${alg || '(none)'} is not accepted.`, { ...who, issuerName: issuer.name });
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    const keys = this.pack.keys.find((k) => k.issuer === issuerId)?.keys ?? [];
    const key =
      keys.find((k) => kid !== undefined && (k.id === kid || k.id.endsWith(`#${kid.split('#').pop()}`))) ??
      (kid === undefined && keys.length === 1 ? keys[0] : undefined);
    if (!key) return deny('key_not_found', `The pack holds no key ${kid ?? ''} of ${issuer.name}.`, { ...who, issuerName: issuer.name });
    const signed = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
    let valid = false;
    try {
      valid = await crypto.subtle.verify(ALGORITHMS[alg].verify, await this.cryptoKey(key.id, key.jwk, alg), fromB64url(parts[2]), signed);
    } catch {
      valid = false;
    }
    if (!valid)
      return deny('signature_invalid', 'The signature does not verify: the badge was altered or not issued by this issuer.', {
        ...who,
        issuerName: issuer.name,
      });

    // Validity period, with the engine's clock skew.
    const skew = this.pack.policy.clockSkewSeconds * 1000;
    const from = summary.validFrom ? Date.parse(summary.validFrom) : typeof payload.nbf === 'number' ? payload.nbf * 1000 : undefined;
    const until = summary.validUntil ? Date.parse(summary.validUntil) : typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
    if (until !== undefined && until + skew < now.getTime())
      return deny('expired', `The credential expired on ${new Date(until).toISOString().slice(0, 10)}.`, { ...who, issuerName: issuer.name });
    if (from !== undefined && from - skew > now.getTime())
      return deny('not_yet_valid', `The credential is valid only from ${new Date(from).toISOString().slice(0, 10)}.`, { ...who, issuerName: issuer.name });

    // Authority: jurisdiction (or mutual aid) and qualification.
    const regions = [this.pack.incident.jurisdiction, ...this.pack.incident.mutualAidJurisdictions];
    if (!issuer.jurisdictions.some((j) => regions.some((r) => jurisdictionCovers(j, r))))
      return deny('issuer_not_authorized', `${issuer.name} is trusted in ${issuer.jurisdictions.join(', ')}, not in ${this.pack.incident.jurisdiction}.`, {
        ...who,
        issuerName: issuer.name,
      });
    const qualification = mapQualification(qualificationFacts(summary), this.pack.trust.qualificationRules);
    const known = { ...who, issuerName: issuer.name, qualification };
    if (!qualification) return deny('issuer_not_authorized', 'The credential does not show a qualification the registry recognises.', known);
    if (!issuer.qualifications.includes(qualification))
      return deny('issuer_not_authorized', `${issuer.name} is not authorized to certify ${qualification}.`, known);

    // Status, from the lists in the pack: a list missing or older than the offline limit is "status unavailable".
    const warnings: OfflineReason[] = [];
    for (const entry of summary.status) {
      const list = this.pack.statusLists.find((l) => l.url === entry.listUrl);
      if (!list || entry.index < 0 || entry.index >= list.bitLength) {
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
      if ((bits[entry.index >> 3] >> (7 - (entry.index & 7))) & 1) {
        const purpose = entry.purpose || list.purposes[0];
        if (purpose === 'suspension') return deny('suspended', 'The credential is suspended by its issuer.', known);
        return deny('revoked', 'The credential was revoked by its issuer.', known);
      }
    }

    const position = opts.positionId ? this.pack.incident.positions.find((p) => p.id === opts.positionId) : undefined;
    if (position && !position.requiredQualifications.includes(qualification))
      return deny('not_qualified', `${position.name} needs ${position.requiredQualifications.join(' or ')}; the badge shows ${qualification}.`, known);
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

  private cryptoKey(id: string, jwk: Record<string, string>, alg: string): Promise<CryptoKey> {
    const cacheKey = `${alg}:${id}`;
    let key = this.cryptoKeys.get(cacheKey);
    if (!key) {
      key = crypto.subtle.importKey('jwk', { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, ALGORITHMS[alg].key, false, ['verify']);
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

async function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
