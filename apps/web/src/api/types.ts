/**
 * The API's JSON shapes as the web app reads them: the schemas of the api's OpenAPI document, generated into
 * schema.d.ts, under the names the app uses. A few unions the document spells as plain strings come from the
 * server's framework-free files (the verification result, the ICS 211 fields, the live board's types), type-only.
 */
import type { CheckStatus, CredentialSummary, VerificationCheck } from '../../../../libs/credentials/src/verification-result';
import type { Ics211Fields } from '../../../../libs/incidents/src/deployments/ics211';
import type { OutOfServiceReason, ResourceStatus } from '../../../../libs/realtime/src/live-events';
import type { components } from './schema';

export type { CheckStatus, CredentialSummary, Ics211Fields, OutOfServiceReason, ResourceStatus, VerificationCheck };

/** The schemas of the api's OpenAPI document (schema.d.ts, written by `npm run api:types`). */
type Schemas = components['schemas'];

export type Role = 'admin' | 'commander' | 'checkin' | 'auditor' | 'supervisor' | 'timekeeper';
export const ROLES: readonly Role[] = ['admin', 'commander', 'checkin', 'auditor', 'supervisor', 'timekeeper'];

export type Principal = Schemas['PrincipalDto'];

export type TokenResponse = Schemas['AccessTokenDto'];

/** RFC 9457 problem details with the API's reason code, or one the app makes for a request that got no answer. */
export interface Problem {
  status?: number;
  code?: string;
  title?: string;
  detail?: string;
  errors?: Array<{ field: string; message: string }>;
}

export const LOCATION_KINDS = ['Base', 'Staging Area', 'ICP', 'Helibase', 'Other'] as const;
export type LocationKind = (typeof LOCATION_KINDS)[number];

export type Incident = Schemas['IncidentDto'];

export type StaffMember = Schemas['StaffMemberDto'];

export type UserView = Schemas['UserDto'];

export type VerifyResponse = Schemas['VerificationResultDto'];

export type Deployment = Schemas['DeploymentDto'];

export type CheckInDecision = 'admitted' | 'admitted_with_warnings' | 'denied';

export type CheckInResponse = Schemas['CheckInResponseDto'];

export type RecentScan = Schemas['RecentCheckInDto'];

export type StatusHistory = Schemas['DeploymentHistoryDto'];

export type ReverifyJob = Schemas['ReverifyAcceptedDto'];

export type JobView = Schemas['JobDto'];

export type DeploymentRecord = Schemas['DeploymentRecordDto'];

export type PresentedRecord = Schemas['PresentedRecordResultDto'];

export type WalkUp = Schemas['WalkUpDto'];

export type WalkUpBadge = Schemas['WalkUpBadgeDto'];
export type TimePackage = Schemas['TimePackageDto'];

export type TimeCorrection = Schemas['CorrectionDto'];
export type Par = Schemas['ParDto'];

export type ParMember = Schemas['ParMemberDto'];

export type ParWithMembers = Schemas['ParWithMembersDto'];

export type AccountabilitySettings = Schemas['AccountabilitySettingsDto'];

export type ActivityLog = Schemas['ActivityLogDto'];

export type ActivityItem = Schemas['ActivityItemDto'];

export type MissingPerson = Schemas['MissingPersonDto'];

export type WorkLimit = Schemas['WorkLimitDto'];

export type Release = Schemas['DemobDto'];
