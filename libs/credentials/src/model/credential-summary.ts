import type { CredentialSummary, StatusEntrySummary } from '../verification-result';
import { firstRecord, idOf, isRecord, oneOrMany, textOf, type JsonRecord } from '../util/json';
import { statusIndex } from './data-model';
import { normalisedIso, parseInstant, ZONE_OPTIONAL } from './instants';
import type { QualificationFacts } from '../trust/trust-source';

/**
 * What check-in staff see about a credential, read from VC 2.0 and Open Badges 3.0 shapes (achievement, licenseNumber,
 * identifier[] of the subject). Every string is clipped: a credential is untrusted input.
 */
const MAX_TEXT = 300;
const clip = (value: string | undefined): string | undefined =>
  value === undefined ? undefined : value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;

export function summariseCredential(credential: JsonRecord, format: CredentialSummary['format'], issuerId: string | undefined): CredentialSummary {
  const subject = firstRecord(credential.credentialSubject) ?? {};
  const achievement = firstRecord(subject.achievement);
  const issuer = credential.issuer;
  const fromText = credential.validFrom ?? credential.issuanceDate;
  const untilText = credential.validUntil ?? credential.expirationDate;
  const from = parseInstant(fromText, ZONE_OPTIONAL);
  const until = parseInstant(untilText, ZONE_OPTIONAL);
  return {
    format,
    id: typeof credential.id === 'string' ? clip(credential.id) : undefined,
    types: typeNames(credential.type),
    issuer: { id: clip(issuerId) ?? '', claimedName: clip(isRecord(issuer) ? textOf(issuer.name) : undefined) },
    subject: {
      id: typeof subject.id === 'string' ? clip(subject.id) : undefined,
      name: clip(subjectName(subject)),
      email: clip(typeof subject.email === 'string' ? subject.email : identifier(subject, 'emailAddress')),
    },
    achievement: achievement
      ? {
          id: typeof achievement.id === 'string' ? clip(achievement.id) : undefined,
          name: clip(textOf(achievement.name)),
          achievementType: typeof achievement.achievementType === 'string' ? clip(achievement.achievementType) : undefined,
        }
      : undefined,
    licenseNumber: clip(typeof subject.licenseNumber === 'string' ? subject.licenseNumber : undefined),
    multistate: multistateClaim(subject.multistate, subject.licenseScope),
    validFrom: from !== undefined ? normalisedIso(fromText, from) : undefined,
    validUntil: until !== undefined ? normalisedIso(untilText, until) : undefined,
    status: statusEntries(credential),
  };
}

/** The credential's types (at most 20), each clipped. */
function typeNames(value: unknown): string[] {
  const all = oneOrMany(value);
  // The usual case, a few short names: taken as they are.
  if (all.length <= 20 && all.every((t) => typeof t === 'string' && t.length <= MAX_TEXT)) return all.slice() as string[];
  const names: string[] = [];
  for (const t of all) {
    if (typeof t !== 'string') continue;
    names.push(t.length > MAX_TEXT ? `${t.slice(0, MAX_TEXT)}…` : t);
    if (names.length === 20) break;
  }
  return names;
}

export function qualificationFacts(summary: CredentialSummary): QualificationFacts {
  return {
    achievementId: summary.achievement?.id,
    vct: summary.vct,
    achievementType: summary.achievement?.achievementType,
    achievementName: summary.achievement?.name,
    credentialTypes: summary.types,
  };
}

export function statusEntries(credential: JsonRecord): StatusEntrySummary[] {
  const named = oneOrMany(credential.credentialStatus);
  // The usual case, a few entries that are all objects: read without intermediate lists.
  const entries = named.length <= 16 && named.every(isRecord) ? (named as JsonRecord[]) : named.filter(isRecord).slice(0, 16);
  return entries.map((entry) => ({
    type: typeof entry.type === 'string' ? entry.type : 'unknown',
    purpose: typeof entry.statusPurpose === 'string' ? entry.statusPurpose : '',
    listUrl: typeof entry.statusListCredential === 'string' ? entry.statusListCredential : (idOf(entry) ?? ''),
    index: statusIndex(entry.statusListIndex) ?? -1,
  }));
}

/** A licence's multistate status as the credential states it; undefined when it says nothing. */
export function multistateClaim(flag: unknown, scope: unknown): boolean | undefined {
  if (typeof flag === 'boolean') return flag;
  if (scope === 'multistate') return true;
  if (scope === 'single-state') return false;
  return undefined;
}

function subjectName(subject: JsonRecord): string | undefined {
  const direct = textOf(subject.name);
  if (direct) return direct;
  const given = textOf(subject.givenName);
  const family = textOf(subject.familyName);
  if (given || family) return [given, family].filter(Boolean).join(' ');
  return identifier(subject, 'name');
}

/** An unhashed Open Badges IdentityObject of the subject (identityType name / emailAddress). */
function identifier(subject: JsonRecord, identityType: string): string | undefined {
  for (const item of oneOrMany(subject.identifier)) {
    if (isRecord(item) && item.identityType === identityType && item.hashed !== true && typeof item.identityHash === 'string') return item.identityHash;
  }
  return undefined;
}
