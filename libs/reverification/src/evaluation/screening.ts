import { issuerActivity, jurisdictionCovers, StatusListService, type DecodedStatusList, type StatusEntrySummary, type TrustedIssuer } from '@app/credentials';
import type { IncidentPracticeRules, PracticeAuthorityView } from '@app/practice-authority';
import type { CredentialFlag } from '@app/realtime';
import { gravest, PRACTICE_FLAGS, replacesFlag, REVERSIBLE_FLAGS, type Problem } from './flag-codes';

/** An active deployment and what is stored about its credential (no JWS: most rows never need it). */
export interface ActiveCredential {
  deploymentId: string;
  incidentId: string;
  responderId: string;
  credentialId: string;
  currentFlag: CredentialFlag | null;
  issuerId: string | null;
  /** The credential's format as verified at check-in (`dc+sd-jwt` issuers publish their keys differently). */
  format: string | null;
  qualification: string | null;
  validUntil: Date | null;
  statusEntries: StatusEntrySummary[];
  keyThumbprint: string | null;
  jurisdiction: string;
  /** The incident's mutual-aid list and the home states the practice rules in force admit (issuer trust accepts both). */
  mutualAidJurisdictions: string[];
  expiryWarned: boolean;
  /** The basis the check-in admitted on, the facts to decide it again, and the rules in force for the incident's state. */
  practice?: {
    admittedOn: PracticeAuthorityView | null;
    homeStates: string[];
    multistate: boolean | undefined;
    licenseNumber: string | null;
    missionNumber: string | null;
    incidentMutualAid: string[];
    rules: IncidentPracticeRules;
  };
}

/** Lookups resolved once per run (or block) before screening, so screening itself is a tight synchronous loop. */
export interface ScreeningFacts {
  now: number;
  clockSkewMs: number;
  expiryWarningMs: number;
  /** undefined: not in the registry; 'unavailable': the registry could not be read. */
  issuer(id: string): TrustedIssuer | undefined | 'unavailable';
  /** Thumbprints of the issuer's current assertion keys, found as for a credential of this format. */
  keyThumbprints(issuer: string, format: string | null): ReadonlySet<string> | 'unavailable';
  list(url: string): DecodedStatusList | 'unavailable';
}

export interface Screening {
  /** Problems the stored facts show now (to be confirmed by the verification engine before anything changes). */
  problems: Problem[];
  /** What could not be checked this time (status list, keys or registry unavailable). */
  unavailable: string[];
  /** The key that verified the credential is no longer among the issuer's keys: the signature must be re-checked. */
  keyChanged: boolean;
  expiresSoon: boolean;
}

/**
 * The cheap re-check of one credential from stored facts: status bits, validity end, the issuer's registry entry
 * and whether its signing key is still published. Nothing here decides alone: a suspected change is confirmed with
 * the engine's revalidate() before the deployment is touched (see Reverifier).
 */
export function screen(c: ActiveCredential, facts: ScreeningFacts): Screening {
  const problems: Problem[] = [];
  const unavailable: string[] = [];
  let keyChanged = false;

  for (const entry of c.statusEntries) {
    const list = facts.list(entry.listUrl);
    if (list === 'unavailable') {
      unavailable.push(`status list ${entry.listUrl}`);
      continue;
    }
    let value: number;
    try {
      value = StatusListService.read(list, entry.index);
    } catch {
      unavailable.push(`status index ${entry.index} of ${entry.listUrl}`);
      continue;
    }
    if (value === 0) continue;
    // A Token Status List says what a value means (1 revoked, 2 suspended); a Bitstring list, by its purpose.
    if (list.tokenBits) {
      if (value === 1) problems.push({ code: 'revoked', message: 'The issuer has revoked this credential.' });
      else if (value === 2) problems.push({ code: 'suspended', message: 'The issuer has suspended this credential.' });
      else unavailable.push(`status value ${value} of index ${entry.index} of ${entry.listUrl}`);
    } else if (entry.purpose === 'revocation') problems.push({ code: 'revoked', message: 'The issuer has revoked this credential.' });
    else if (entry.purpose === 'suspension') problems.push({ code: 'suspended', message: 'The issuer has suspended this credential.' });
  }

  if (c.validUntil) {
    const until = c.validUntil.getTime();
    if (facts.now - facts.clockSkewMs >= until) problems.push({ code: 'expired', message: `The credential expired on ${c.validUntil.toISOString()}.` });
  }
  const expiresSoon = c.validUntil !== null && c.validUntil.getTime() > facts.now && c.validUntil.getTime() - facts.now <= facts.expiryWarningMs;

  if (c.issuerId) {
    const entry = facts.issuer(c.issuerId);
    if (entry === 'unavailable') unavailable.push('trust registry');
    else if (!entry) problems.push({ code: 'untrusted_issuer', message: 'The issuer is no longer in the trust registry.' });
    else {
      const activity = issuerActivity(entry, new Date(facts.now));
      if (!activity.active) problems.push({ code: 'untrusted_issuer', message: `${entry.name} is ${activity.reason}.` });
      else {
        const covered = (j: string): boolean => entry.jurisdictions.some((e) => jurisdictionCovers(e, j));
        if (!covered(c.jurisdiction) && !c.mutualAidJurisdictions.some(covered)) {
          problems.push({ code: 'issuer_not_authorized', message: `${entry.name} is no longer trusted in ${c.jurisdiction}.` });
        } else if (!c.qualification || !entry.qualifications.includes(c.qualification)) {
          problems.push({
            code: 'issuer_not_authorized',
            message: `${entry.name} is no longer authorized to certify ${c.qualification ?? 'this qualification'}.`,
          });
        }
      }
    }
    const keys = facts.keyThumbprints(c.issuerId, c.format);
    if (keys === 'unavailable') unavailable.push("issuer's keys");
    else keyChanged = !c.keyThumbprint || !keys.has(c.keyThumbprint);
  }

  const ended = practiceEnded(c, facts.now);
  if (ended) problems.push(ended);

  return { problems, unavailable, keyChanged, expiresSoon };
}

/**
 * The basis the deployment was admitted on, decided again with the rules in force now: a mission or order that
 * ended, a state that left the compact, a licence no longer multistate, a suspension. Only a basis that can end is
 * followed (a home-state licence or the incident's mutual-aid list rests on nothing the rules change).
 */
export function practiceEnded(c: ActiveCredential, now: number): Problem | undefined {
  const p = c.practice;
  const basis = p?.admittedOn?.basis;
  const code = basis ? PRACTICE_FLAGS[basis.kind] : undefined;
  if (!p || !basis || !code) return undefined;
  const answer = p.rules.decide({
    homeStates: p.homeStates,
    profession: c.qualification ?? undefined,
    multistate: p.multistate,
    licenseNumber: p.licenseNumber ?? undefined,
    missionNumber: p.missionNumber ?? undefined,
    mutualAidJurisdictions: p.incidentMutualAid,
    at: new Date(now),
  });
  if (answer.authorized) return undefined;
  return { code, message: `No longer authorized to practise here (admitted on: ${basis.text}) ${answer.reason.message}` };
}

export type ScreeningOutcome =
  /** Nothing to change (the flag already says it, or all is well). */
  | 'unchanged'
  /** Could not be checked completely and nothing suspicious was seen. */
  | 'unavailable'
  /** A change is suspected (new problem, a reversible flag that may clear, or the signature must be re-checked). */
  | 'confirm';

export function triage(c: ActiveCredential, s: Screening): ScreeningOutcome {
  if (s.keyChanged) return 'confirm';
  const worst = gravest(s.problems);
  if (worst) return replacesFlag(c.currentFlag?.code, worst.code) ? 'confirm' : 'unchanged';
  if (s.unavailable.length > 0) return 'unavailable';
  if (c.currentFlag && REVERSIBLE_FLAGS.has(c.currentFlag.code)) return 'confirm';
  return 'unchanged';
}
