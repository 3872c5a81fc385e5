/** Plain words for the codes the API uses: what check-in staff and commanders read. */
import type { CheckInDecision, CheckStatus, OutOfServiceReason, ResourceStatus } from './api/types';

export const DECISION_WORD: Record<CheckInDecision, string> = {
  admitted: 'ADMITTED',
  admitted_with_warnings: 'ADMITTED WITH WARNINGS',
  denied: 'DENIED',
};

export const DECISION_ICON: Record<CheckInDecision, string> = {
  admitted: '✔',
  admitted_with_warnings: '⚠',
  denied: '✖',
};

export const CHECK_STATUS_WORD: Record<CheckStatus, string> = {
  pass: 'Passed',
  fail: 'Failed',
  indeterminate: 'Could not check',
  skipped: 'Skipped',
};

export const CHECK_STATUS_ICON: Record<CheckStatus, string> = {
  pass: '✔',
  fail: '✖',
  indeterminate: '?',
  skipped: '–',
};

export const CHECK_NAME: Record<string, string> = {
  format: 'Format',
  signature: 'Signature',
  data_model: 'Credential contents',
  validity: 'Validity dates',
  status: 'Revocation / suspension',
  issuer_trust: 'Issuer trusted here',
  qualification: 'Qualification',
};

export const STATUS_WORD: Record<ResourceStatus | 'demobilized', string> = {
  assigned: 'Assigned',
  available: 'Available',
  out_of_service: 'Out of service',
  demobilized: 'Checked out',
};

export const OOS_REASON_WORD: Record<OutOfServiceReason, string> = {
  rest: 'Rest',
  personnel: 'Personnel',
  credential: 'Credential problem',
  other: 'Other',
};

/** Fallback wording for reason codes when the server sent no message. */
const REASON_WORD: Record<string, string> = {
  malformed: 'The scan is not a credential this system can read.',
  unsupported_format: 'This kind of credential is not supported.',
  signature_invalid: 'The signature does not match: the credential may have been altered.',
  alg_not_allowed: 'The credential is signed with an algorithm that is not allowed.',
  key_not_found: "The issuer's signing key could not be found.",
  did_unresolvable: "The issuer's identity could not be looked up.",
  untrusted_issuer: 'The issuer is not in the trust registry.',
  issuer_not_authorized: 'The issuer is not authorized for this qualification here.',
  not_yet_valid: 'The credential is not valid yet.',
  expired: 'The credential has expired.',
  revoked: 'The credential has been revoked by its issuer.',
  suspended: 'The credential is suspended by its issuer.',
  status_unavailable: 'Revocation status could not be checked right now.',
  status_list_invalid: "The issuer's status list could not be trusted.",
  data_model_invalid: 'The credential is not well formed.',
  not_qualified: 'The qualification does not fit the chosen position.',
  no_qualification: 'No qualification could be read from the credential.',
  active_elsewhere: 'This person is already checked in at another incident.',
  status_unavailable_policy: 'Status could not be checked and this incident denies in that case.',
  deployment_record: 'A deployment record, not a licence: scan the licence to check in.',
};

export const reasonText = (r: { code: string; message?: string }): string => r.message || REASON_WORD[r.code] || r.code;

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatClock(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/** Text as staff type it to find someone: lower case, accents dropped ("garcia" finds "García"). */
export const foldText = (text: string): string => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
