import { createHash } from 'node:crypto';
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
 * vc+jwt payload as is (VC-JOSE-COSE); nothing is repeated as JWT claims, so that the signed record fits one QR code.
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
  const position = statusPosition(input.statusIndex);
  const subjectId = facts.responder.subjectId ?? undefined;
  const admittedBy = facts.credential;
  return {
    '@context': [VC_V2_CONTEXT, OB_V3_CONTEXT],
    id: `urn:uuid:${input.recordId}`,
    type: ['VerifiableCredential', 'AchievementCredential', DEPLOYMENT_RECORD_TYPE],
    issuer: { id: issuer.did, type: ['Profile'], name: issuer.name },
    validFrom: seconds(input.issuedAt),
    name: kind.name,
    credentialSubject: {
      ...(subjectId ? { id: subjectId } : {}),
      type: ['AchievementSubject'],
      identifier: [{ type: 'IdentityObject', identityType: 'name', hashed: false, identityHash: facts.responder.name }],
      achievement: {
        id: `${issuer.baseUrl}/deployment-records/kinds/${createHash('sha256').update(kind.name).digest('hex').slice(0, 16)}`,
        type: ['Achievement'],
        achievementType: 'ext:DeploymentRecord',
        name: kind.name,
        ...(kind.description ? { description: kind.description } : {}),
        criteria: { narrative: 'Deployed on a verified credential; released at check-out.' },
      },
      activityStartDate: seconds(new Date(facts.checkedInAt)),
      activityEndDate: seconds(new Date(facts.checkedOutAt)),
      ...(facts.position ? { role: facts.position } : {}),
      deployment: {
        incident: facts.incident,
        positions: facts.position ? [facts.position] : [],
        assignments: facts.assignments,
        ...(facts.location ? { location: facts.location } : {}),
        ...(facts.agency ? { agency: facts.agency } : {}),
        ...(facts.homeUnit ? { homeUnit: facts.homeUnit } : {}),
        days: daysOnScene(facts.checkedInAt, facts.checkedOutAt),
        hoursOnDuty: facts.hoursOnDuty,
        admittedBy: {
          credentialHash: admittedBy.hash,
          ...(admittedBy.qualification ? { qualification: admittedBy.qualification } : {}),
          ...(admittedBy.issuerId ? { issuer: admittedBy.issuerId } : {}),
        },
        ...(facts.legalBasis ? { legalBasis: facts.legalBasis } : {}),
      },
    },
    credentialStatus: {
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(position.index),
      statusListCredential: statusListUrl(issuer, position.list),
    },
  };
}

/** An XML Schema dateTimeStamp to the second. */
const seconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The unsecured status list credential for list `list`, with the revoked bits set. */
export function statusListCredential(issuer: IssuerProfile, list: number, encodedList: string, now: Date): Record<string, unknown> {
  const url = statusListUrl(issuer, list);
  return {
    '@context': [VC_V2_CONTEXT],
    id: url,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: issuer.did,
    validFrom: seconds(now),
    credentialSubject: { id: `${url}#list`, type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList },
  };
}
