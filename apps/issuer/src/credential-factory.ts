import type { BoardKind } from './board-catalog';
import type { StatusPurpose } from './bitstring-status-list';
import type { AchievementDescription } from './qualifications';

/** Credential shapes the demo boards issue. Pure functions: no keys, no clock, no randomness. */

export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const VC_V1_CONTEXT = 'https://www.w3.org/2018/credentials/v1';
export const OB_V3P0_CONTEXT_FOR_VC2 = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
/** OB 3.0.1 is the last Open Badges context published for VCDM 1.1 (issuanceDate/expirationDate). */
export const OB_V3P0_CONTEXT_FOR_VC1 = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json';
/** Defines BitstringStatusListEntry for VCDM 1.1 credentials (VCDM 2.0 has it in its base context). */
export const STATUS_V1_CONTEXT = 'https://www.w3.org/ns/credentials/status/v1';

export interface IssuerProfileInput {
  did: string;
  name: string;
  url: string;
  jurisdiction: string;
  kind: BoardKind;
}

export interface CredentialContent {
  credentialId: string;
  issuer: IssuerProfileInput;
  achievement: AchievementDescription;
  achievementId: string;
  subject: { id: string; name: string; email?: string };
  licenseNumber: string;
  /** A nurse licence's compact status (NLC): multistate or single-state; absent for other credentials. */
  multistate?: boolean;
  validFrom: Date;
  validUntil: Date;
  status?: { index: number; listUrl: (purpose: StatusPurpose) => string };
}

export interface BitstringStatusListEntry {
  id: string;
  type: 'BitstringStatusListEntry';
  statusPurpose: StatusPurpose;
  statusListIndex: string;
  statusListCredential: string;
}

/** XML Schema dateTimeStamp in UTC, whole seconds (so VC-JWT's numeric nbf/exp mirror it exactly). */
export function isoSeconds(date: Date): string {
  return new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

function issuerProfile(issuer: IssuerProfileInput): Record<string, unknown> {
  const [country, region] = issuer.jurisdiction.split('-');
  return {
    id: issuer.did,
    type: ['Profile'],
    name: issuer.name,
    url: issuer.url,
    address: { type: ['Address'], addressCountry: country, ...(region ? { addressRegion: region } : {}) },
  };
}

function statusEntries(content: CredentialContent): BitstringStatusListEntry[] | undefined {
  const status = content.status;
  if (!status) return undefined;
  return (['revocation', 'suspension'] as const).map((purpose) => ({
    id: `${status.listUrl(purpose)}#${status.index}`,
    type: 'BitstringStatusListEntry',
    statusPurpose: purpose,
    statusListIndex: String(status.index),
    statusListCredential: status.listUrl(purpose),
  }));
}

function achievementSubject(content: CredentialContent): Record<string, unknown> {
  const { achievement } = content;
  return {
    id: content.subject.id,
    type: ['AchievementSubject'],
    name: content.subject.name,
    // Open Badges identifies a recipient by IdentityObjects; the e-mail is one (unhashed: the badge is shown anyway).
    ...(content.subject.email
      ? { identifier: [{ type: 'IdentityObject', identityType: 'emailAddress', hashed: false, identityHash: content.subject.email }] }
      : {}),
    achievement: {
      id: content.achievementId,
      type: ['Achievement'],
      achievementType: achievement.achievementType,
      name: achievement.name,
      description: achievement.description,
      criteria: { narrative: achievement.criteria },
      humanCode: achievement.code,
      // No `creator` (optional in OB 3.0; it would repeat the issuer): the whole badge must fit one QR code
      // (2,953 bytes at most), and the served achievement at `id` carries it.
    },
    licenseNumber: content.licenseNumber,
  };
}

function credentialName(content: CredentialContent): string {
  return `${content.achievement.name} ${content.achievement.achievementType}`;
}

/** VC 2.0 Open Badge credential, to be secured as `vc+jwt` (VC-JOSE-COSE): the payload is the credential itself. */
export function buildVc2Credential(content: CredentialContent): Record<string, unknown> {
  const credentialStatus = statusEntries(content);
  return {
    '@context': [VC_V2_CONTEXT, OB_V3P0_CONTEXT_FOR_VC2],
    id: content.credentialId,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: issuerProfile(content.issuer),
    name: credentialName(content),
    validFrom: isoSeconds(content.validFrom),
    validUntil: isoSeconds(content.validUntil),
    credentialSubject: { ...achievementSubject(content), ...licenseScope(content) },
    ...(credentialStatus ? { credentialStatus } : {}),
  };
}

/**
 * The licence's compact status as a subject claim, for the JWT forms only: the Open Badges context defines no such
 * term, so a Data Integrity credential (JSON-LD, every term must expand) does not carry it.
 */
function licenseScope(content: CredentialContent): Record<string, unknown> {
  return content.multistate === undefined ? {} : { licenseScope: content.multistate ? 'multistate' : 'single-state' };
}

/** The Open Badges 3.0 vocabulary: the namespace the OB 3.0 context maps its terms into. */
export const OB_V3P0_VOCAB = 'https://purl.imsglobal.org/spec/vc/ob/vocab.html#';

/**
 * VC 2.0 Open Badge credential to be secured with a Data Integrity proof. The OB 3.0 context is not one verifiers
 * hold offline (they never fetch contexts, and an unknown context cannot be canonicalized), so an inline context maps
 * the terms VC 2.0 does not define into the OB vocabulary instead: the same shape (achievement, licenseNumber) for
 * the verifier's summary, and every term covered by the signature.
 */
export function buildDataIntegrityCredential(content: CredentialContent): Record<string, unknown> {
  return { ...buildVc2Credential(content), '@context': [VC_V2_CONTEXT, { '@vocab': OB_V3P0_VOCAB }] };
}

/** `iss` mirrors the issuer (allowed, must match); `iat` dates the signature. No `vc`/`vp` claims. */
export function vc2JwtPayload(credential: Record<string, unknown>, issuerDid: string, signedAt: Date): Record<string, unknown> {
  return { ...credential, iss: issuerDid, iat: epochSeconds(signedAt) };
}

/**
 * Open Badges 3.0 section 8.2: the payload is the credential itself, with the registered claims added; each mirrors
 * the credential field it stands for exactly (dates are whole seconds), as a verifier requires.
 */
export function ob3JwtPayload(credential: Record<string, unknown>, content: CredentialContent, signedAt: Date): Record<string, unknown> {
  return { ...credential, ...registeredClaims(content, signedAt) };
}

/** VCDM 1.1 Open Badge credential as VC-JWT 1.1 carries it in the `vc` claim. */
export function buildVc1Credential(content: CredentialContent): Record<string, unknown> {
  const credentialStatus = statusEntries(content);
  return {
    '@context': [VC_V1_CONTEXT, OB_V3P0_CONTEXT_FOR_VC1, ...(credentialStatus ? [STATUS_V1_CONTEXT] : [])],
    id: content.credentialId,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: issuerProfile(content.issuer),
    name: credentialName(content),
    issuanceDate: isoSeconds(content.validFrom),
    expirationDate: isoSeconds(content.validUntil),
    credentialSubject: achievementSubject(content),
    ...(credentialStatus ? { credentialStatus } : {}),
  };
}

/** VC-JWT 1.1 claims: every registered claim mirrors the credential field it stands for, so none conflicts. */
export function vc1JwtPayload(credential: Record<string, unknown>, content: CredentialContent, signedAt: Date): Record<string, unknown> {
  return { ...registeredClaims(content, signedAt), vc: credential };
}

/** The JWT registered claims of a credential, each the value of the credential field it stands for. */
function registeredClaims(content: CredentialContent, signedAt: Date): Record<string, unknown> {
  return {
    iss: content.issuer.did,
    sub: content.subject.id,
    jti: content.credentialId,
    nbf: epochSeconds(content.validFrom),
    exp: epochSeconds(content.validUntil),
    iat: epochSeconds(signedAt),
  };
}

/** The status list credential a board serves (signed as `vc+jwt` by the same board key). */
export function buildStatusListCredential(input: {
  listUrl: string;
  issuerDid: string;
  purpose: StatusPurpose;
  encodedList: string;
  ttlMs: number;
  validFrom: Date;
}): Record<string, unknown> {
  return {
    '@context': [VC_V2_CONTEXT],
    id: input.listUrl,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: input.issuerDid,
    validFrom: isoSeconds(input.validFrom),
    credentialSubject: {
      id: `${input.listUrl}#list`,
      type: 'BitstringStatusList',
      statusPurpose: input.purpose,
      encodedList: input.encodedList,
      ttl: input.ttlMs,
    },
  };
}
