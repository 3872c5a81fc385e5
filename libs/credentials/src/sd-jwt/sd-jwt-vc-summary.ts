import { jwkThumbprint, toPublicJwk } from '../keys/jwk';
import { multistateClaim, statusEntries } from '../model/credential-summary';
import { toIso } from '../model/instants';
import { isRecord, type JsonRecord } from '../util/json';
import type { CredentialSummary, StatusEntrySummary } from '../verification-result';
import { tokenStatusReference } from './token-status-list';

/**
 * What check-in staff see about an SD-JWT VC, from its processed claims (only what the holder disclosed):
 * name from `name` or `given_name` + `family_name`, licence number from `license_number` (or `licence_number`,
 * `licenseNumber`), validity from `nbf` / `exp` (`iat` is when it was issued, not a validity bound), subject id from
 * `sub`, else the RFC 9278 thumbprint URI of the holder key in `cnf.jwk`. Every string is clipped.
 */
const MAX_TEXT = 300;
const clip = (value: string | undefined): string | undefined =>
  value === undefined ? undefined : value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim().length > 0 ? value : undefined);
/** A NumericDate a Date can hold, in ms. */
const instant = (value: unknown): number | undefined => (typeof value === 'number' && Math.abs(value) <= 8.64e12 ? value * 1000 : undefined);

export function summariseSdJwtVc(claims: JsonRecord, issuerId: string | undefined): CredentialSummary {
  const vct = text(claims.vct);
  const given = text(claims.given_name);
  const family = text(claims.family_name);
  const from = instant(claims.nbf);
  const until = instant(claims.exp);
  return {
    format: 'dc+sd-jwt',
    id: clip(text(claims.jti)),
    types: vct ? [clip(vct)!] : [],
    vct: clip(vct),
    issuer: { id: clip(issuerId) ?? '' },
    subject: {
      id: clip(text(claims.sub) ?? holderKeyUri(claims.cnf)),
      name: clip(text(claims.name) ?? (given || family ? [given, family].filter(Boolean).join(' ') : undefined)),
      email: clip(text(claims.email)),
    },
    licenseNumber: clip(licenceNumber(claims)),
    multistate: multistateClaim(claims.multistate, claims.license_scope),
    validFrom: from !== undefined ? toIso(from) : undefined,
    validUntil: until !== undefined ? toIso(until) : undefined,
    status: statusSummary(claims),
  };
}

function licenceNumber(claims: JsonRecord): string | undefined {
  for (const name of ['license_number', 'licence_number', 'licenseNumber']) {
    const value = claims[name];
    if (typeof value === 'string' && value.length > 0) return value;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  }
  return undefined;
}

/** `urn:ietf:params:oauth:jwk-thumbprint:sha-256:<thumbprint>` of `cnf.jwk` (RFC 9278), when it is a usable key. */
function holderKeyUri(cnf: unknown): string | undefined {
  if (!isRecord(cnf) || !isRecord(cnf.jwk)) return undefined;
  try {
    return `urn:ietf:params:oauth:jwk-thumbprint:sha-256:${jwkThumbprint(toPublicJwk(cnf.jwk))}`;
  } catch {
    return undefined;
  }
}

function statusSummary(claims: JsonRecord): StatusEntrySummary[] {
  const out: StatusEntrySummary[] = [];
  if (isRecord(claims.status)) {
    const ref = tokenStatusReference(claims.status);
    if ('uri' in ref) out.push({ type: 'TokenStatusList', purpose: 'status_list', listUrl: ref.uri, index: ref.idx });
  }
  return [...out, ...statusEntries(claims)];
}
