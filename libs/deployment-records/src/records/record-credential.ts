import { DEPLOYMENT_RECORD_TYPE } from '@app/credentials';
import type { ReleasedDeployment } from '@app/incidents';
import type { DeploymentKind } from './deployment-record';

export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const OB_V3_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
/** Bits per status list: the Recommendation's minimum, for herd privacy. */
export const STATUS_LIST_LENGTH = 131_072;

export interface IssuerProfile {
  did: string;
  name: string;
  /** Where this deployment answers (from the did:web): status lists live under it. */
  baseUrl: string;
}

/** did:web:host%3Aport -> its origin; http only for hosts the operator allows to be fetched in clear (development). */
export function didWebOrigin(did: string, insecureHosts: readonly string[]): string {
  const authority = decodeURIComponent(did.slice('did:web:'.length).split(':')[0]);
  const host = authority.replace(/:\d+$/, '').toLowerCase();
  return `${insecureHosts.includes(host) ? 'http' : 'https'}://${authority}`;
}

/** Which list a status index is on, and where in it. */
export function statusPosition(statusIndex: number): { list: number; index: number } {
  return { list: Math.floor(statusIndex / STATUS_LIST_LENGTH) + 1, index: statusIndex % STATUS_LIST_LENGTH };
}

export const statusListUrl = (issuer: IssuerProfile, list: number): string => `${issuer.baseUrl}/deployment-records/status/${list}`;

/** Whole calendar days (UTC) from check-in to check-out, both counted. */
export function daysOnScene(from: string, until: string): number {
  const day = (iso: string): number => Math.floor(Date.parse(iso) / 86_400_000);
  return day(until) - day(from) + 1;
}

/** The kind a record names when the agency defined none for the incident or its type. */
export function defaultKind(facts: ReleasedDeployment): DeploymentKind {
  return { name: `Disaster Deployment: ${facts.incident.type}`, description: null };
}

/**
 * The unsecured deployment record: an Open Badges 3.0 AchievementCredential (VC 2.0) stating the incident, the
 * responder, positions and assignments, dates, hours, the admitting credential by hash and the legal basis. It is the
 * payload of the vc+jwt as is; `iss`, `jti`, `sub` and `iat` repeat what it says, as Open Badges 3.0 JWTs carry them.
 */
export function recordCredential(input: {
  recordId: string;
  facts: ReleasedDeployment;
  kind: DeploymentKind;
  issuer: IssuerProfile;
  issuedAt: Date;
  statusIndex: number;
}): Record<string, unknown> {
  const { facts, kind, issuer } = input;
  const profile = { id: issuer.did, type: ['Profile'], name: issuer.name };
  const position = statusPosition(input.statusIndex);
  const listUrl = statusListUrl(issuer, position.list);
  const subjectId = facts.responder.subjectId ?? undefined;
  const positions = facts.position ? [facts.position] : [];
  const validFrom = input.issuedAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    '@context': [VC_V2_CONTEXT, OB_V3_CONTEXT],
    id: `urn:uuid:${input.recordId}`,
    type: ['VerifiableCredential', 'AchievementCredential', DEPLOYMENT_RECORD_TYPE],
    issuer: profile,
    validFrom,
    name: kind.name,
    credentialSubject: {
      ...(subjectId ? { id: subjectId } : {}),
      type: ['AchievementSubject'],
      identifier: [{ type: 'IdentityObject', identityType: 'name', hashed: false, identityHash: facts.responder.name }],
      achievement: {
        id: `${issuer.baseUrl}/deployment-records/achievements/${encodeURIComponent(kind.name)}`,
        type: ['Achievement'],
        achievementType: 'ext:DeploymentRecord',
        name: kind.name,
        description: kind.description ?? `Deployed to ${facts.incident.name} (${facts.incident.number}) and released by ${issuer.name}.`,
        criteria: { narrative: 'Checked in on a verified credential, served on the incident and released at check-out, as the agency recorded.' },
        creator: profile,
      },
      activityStartDate: facts.checkedInAt,
      activityEndDate: facts.checkedOutAt,
      ...(facts.position ? { role: facts.position } : {}),
      deployment: {
        incident: facts.incident,
        positions,
        assignments: facts.assignments,
        ...(facts.location ? { location: facts.location } : {}),
        ...(facts.agency ? { agency: facts.agency } : {}),
        ...(facts.homeUnit ? { homeUnit: facts.homeUnit } : {}),
        checkedInAt: facts.checkedInAt,
        checkedOutAt: facts.checkedOutAt,
        days: daysOnScene(facts.checkedInAt, facts.checkedOutAt),
        hoursOnDuty: facts.hoursOnDuty,
        admittedBy: {
          credentialHash: facts.credential.hash,
          ...(facts.credential.qualification ? { qualification: facts.credential.qualification } : {}),
          ...(facts.credential.issuerId ? { issuer: facts.credential.issuerId } : {}),
          ...(facts.credential.issuerName ? { issuerName: facts.credential.issuerName } : {}),
        },
        ...(facts.legalBasis ? { legalBasis: facts.legalBasis } : {}),
      },
    },
    credentialStatus: {
      id: `${listUrl}#${position.index}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(position.index),
      statusListCredential: listUrl,
    },
    iss: issuer.did,
    jti: `urn:uuid:${input.recordId}`,
    ...(subjectId ? { sub: subjectId } : {}),
    iat: Math.floor(input.issuedAt.getTime() / 1000),
  };
}

/** The unsecured status list credential for list `list`, with the revoked bits set. */
export function statusListCredential(issuer: IssuerProfile, list: number, encodedList: string, now: Date): Record<string, unknown> {
  const url = statusListUrl(issuer, list);
  return {
    '@context': [VC_V2_CONTEXT],
    id: url,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: issuer.did,
    validFrom: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    credentialSubject: { id: `${url}#list`, type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList },
    iss: issuer.did,
    iat: Math.floor(now.getTime() / 1000),
  };
}
