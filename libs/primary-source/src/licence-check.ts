import { createHash } from 'node:crypto';
import { canonicalJson } from '@app/audit';
import type { CredentialSummary, PrimarySourceEvidence, ReasonCode, VerificationCheck, VerificationResult } from '@app/credentials';
import type { Lookup } from './licence-lookup.service';
import { licenceSubjectId } from './licence-number-hash';
import type { LicenceRecord } from './sources/licence-source';

/** The staff member's statement that stands in for the holder binding a signed credential carries. */
export const TWO_FORMS_OF_ID = 'Two forms of ID seen';

export interface StaffStatement {
  userId: string;
  name: string;
  at: Date;
}

export interface LicenceCheck {
  result: VerificationResult;
  /** The record check-in stores in place of a credential (canonical JSON: what was asked, what the source answered). */
  record: string;
  outcome: PrimarySourceEvidence['result'];
}

/**
 * A lookup as a verification result, so check-in decides, records and audits it as it does a scanned credential:
 * each check says what the source answered; only an active licence before its expiry passes; not found, expired,
 * suspended or revoked fail; no usable answer leaves the status indeterminate (the incident's policy decides, and
 * the result then carries no qualification: an unconfirmed licence admits to nothing clinical).
 * `typed` is the licence as the staff member entered it; `name` the name on the ID, for when the source gives none.
 */
export function licenceCheck(
  lookup: Lookup,
  typed: { licenceNumber: string; state: string; profession: string },
  name: string | undefined,
  staff: StaffStatement | null,
): LicenceCheck {
  const { configured, answer } = lookup;
  const source = configured.source;
  const at = lookup.lookedUpAt.toISOString();
  const record = answer.kind === 'found' ? answer.record : undefined;
  const expired = record ? isExpired(record, staff?.at ?? new Date()) : false;
  const outcome: PrimarySourceEvidence['result'] =
    answer.kind === 'indeterminate'
      ? 'indeterminate'
      : answer.kind === 'not_found'
        ? 'not_found'
        : !expired && (record!.status === 'active' || record!.status === 'probation')
          ? 'licensed'
          : 'not_licensed';
  const when = `${source.name} at ${at}${lookup.cached ? ' (cached answer)' : ''}`;

  const check = (id: VerificationCheck['id'], status: VerificationCheck['status'], code: ReasonCode | 'ok', message: string): VerificationCheck => ({
    id,
    status,
    code,
    message,
  });
  const checks: VerificationCheck[] = [
    check('format', 'pass', 'ok', `Licence looked up at its primary source, ${when}; there is no signed credential.`),
    check(
      'signature',
      'pass',
      'ok',
      staff
        ? `No signature: the source answered directly. Identity: ${TWO_FORMS_OF_ID.toLowerCase()} by ${staff.name}.`
        : 'No signature: the source answered directly.',
    ),
    answer.kind === 'not_found'
      ? check('data_model', 'fail', 'licence_not_found', `${source.name} has no ${typed.profession} licence ${typed.state} with that number.`)
      : check('data_model', 'pass', 'ok', 'The answer names the licence.'),
    expired
      ? check('validity', 'fail', 'expired', `${source.name} shows the licence expired${record?.expiresOn ? ` on ${record.expiresOn}` : ''}.`)
      : check('validity', 'pass', 'ok', record?.expiresOn ? `Valid until ${record.expiresOn}.` : 'The source states no expiry.'),
    statusCheck(answer, record, source.name),
    check('issuer_trust', 'pass', 'ok', `${source.name} is the configured primary source for ${typed.profession} licences of ${typed.state}.`),
  ];
  const errors = checks.filter((c) => c.status === 'fail');
  const warnings = checks.filter((c) => c.status === 'indeterminate');

  const subjectHash = lookup.request.licenceNumberHash;
  const summary: CredentialSummary = {
    format: 'primary-source',
    types: ['PrimarySourceLicenceCheck'],
    issuer: { id: `primary-source:${source.id}`, registryName: source.name, jurisdictions: [`US-${typed.state}`] },
    subject: { id: licenceSubjectId(typed.state, typed.profession, subjectHash), name: record?.holderName || name?.trim() || undefined },
    // Only a licence the source confirmed qualifies anyone for anything.
    qualification: outcome === 'licensed' ? typed.profession : undefined,
    achievement: { name: `${typed.profession} licence, ${typed.state} (primary source)` },
    licenseNumber: record?.licenceNumber ?? typed.licenceNumber,
    multistate: record?.multistate,
    validUntil: record?.expiresOn ? `${record.expiresOn}T23:59:59.000Z` : undefined,
    status: [],
  };
  const evidence: PrimarySourceEvidence = {
    source: source.id,
    sourceName: source.name,
    lookedUpAt: at,
    cached: lookup.cached,
    freshUntil: lookup.freshUntil.toISOString(),
    request: lookup.request,
    responseHash: answer.responseHash,
    result: outcome,
    licenceStatus: record ? (expired ? 'expired' : record.status) : undefined,
    detail: answer.kind === 'indeterminate' ? answer.detail : undefined,
    identity: staff ? { statement: TWO_FORMS_OF_ID, confirmedBy: { userId: staff.userId, name: staff.name }, at: staff.at.toISOString() } : undefined,
    assurance: assurance(outcome, source.name, at),
  };
  const document = canonicalJson({
    type: 'PrimarySourceLicenceCheck',
    source: source.id,
    lookedUpAt: at,
    request: { state: typed.state, profession: typed.profession, licenceNumber: typed.licenceNumber },
    result: outcome,
    record: record ?? null,
    responseHash: answer.responseHash,
    identity: evidence.identity ?? null,
  });
  const result: VerificationResult = {
    verified: errors.length === 0 && warnings.length === 0,
    checks,
    warnings,
    errors,
    credential: summary,
    evidence: {
      credentialHash: createHash('sha256').update(document).digest('hex'),
      status: [],
      verifiedAt: at,
      primarySource: evidence,
    },
    jws: document,
  };
  return { result, record: document, outcome };
}

function statusCheck(answer: Lookup['answer'], record: LicenceRecord | undefined, sourceName: string): VerificationCheck {
  if (answer.kind === 'indeterminate') {
    return {
      id: 'status',
      status: 'indeterminate',
      code: 'status_unavailable',
      message: `${sourceName} gave no usable answer (${answer.detail}): the licence is not confirmed.`,
    };
  }
  if (!record) return { id: 'status', status: 'skipped', code: 'skipped', message: 'No licence to check.' };
  if (record.status === 'suspended' || record.status === 'inactive') {
    return { id: 'status', status: 'fail', code: 'suspended', message: `${sourceName} shows the licence ${record.status}.` };
  }
  if (record.status === 'revoked') return { id: 'status', status: 'fail', code: 'revoked', message: `${sourceName} shows the licence revoked.` };
  if (record.status === 'probation')
    return { id: 'status', status: 'pass', code: 'ok', message: `${sourceName} shows the licence active, on probation (conditions may apply).` };
  return { id: 'status', status: 'pass', code: 'ok', message: `${sourceName} shows the licence ${record.status}.` };
}

function isExpired(record: LicenceRecord, now: Date): boolean {
  if (record.status === 'expired') return true;
  return record.expiresOn !== undefined && Date.parse(`${record.expiresOn}T23:59:59.000Z`) < now.getTime();
}

/** The level of assurance, in the words the station shows beside a signed credential's. */
function assurance(outcome: PrimarySourceEvidence['result'], sourceName: string, at: string): string {
  if (outcome === 'indeterminate') return `Not verified: ${sourceName} could not be asked. Identity rests on the ID seen by staff only.`;
  if (outcome !== 'licensed') return `Verified with the primary source (${sourceName}) at ${at}: not licensed for this.`;
  return (
    `Verified with the primary source (${sourceName}) at ${at}. Licence status: the board's own record. ` +
    'Identity: two forms of ID seen by staff, not a signed credential bound to its holder, so it ranks below a verified signed credential.'
  );
}
