import { qualificationFacts } from '../../model/credential-summary';
import { issuerActivity, jurisdictionCovers, mapQualification, type QualificationRule, type TrustedIssuer, type TrustSource } from '../../trust/trust-source';
import type { CredentialSummary, ReasonCode, VerificationCheck } from '../../verification-result';
import type { CheckBoard } from '../check-board';
import { truncate, type RunContext } from './context';

/** The issuer's registry entry and the qualification rules; `unavailable` when the registry cannot be read. */
export interface RegistryAnswer {
  entry?: TrustedIssuer;
  rules?: QualificationRule[];
  unavailable: boolean;
}

/**
 * Is the issuer trusted to certify this qualification in this jurisdiction? Decided from the issuer id, the registry
 * and what the credential shows, so it runs before anything is fetched for the issuer; the check is recorded last.
 */
export class TrustCheck {
  constructor(private readonly trust: TrustSource) {}

  /** registry() answered from the source's current in-memory copy, when it holds one: nothing to wait for. */
  cached(issuerId: string): RegistryAnswer | undefined {
    try {
      const view = this.trust.inMemory();
      return view ? { entry: view.findIssuer(issuerId), rules: view.qualificationRules, unavailable: false } : undefined;
    } catch {
      return { unavailable: true };
    }
  }

  /** The issuer's registry entry and the qualification rules, or `unavailable` (trust is then indeterminate). */
  async registry(issuerId: string): Promise<RegistryAnswer> {
    const cached = this.cached(issuerId);
    if (cached) return cached;
    try {
      const [entry, rules] = await Promise.all([this.trust.findIssuer(issuerId), this.trust.qualificationRules()]);
      return { entry, rules, unavailable: false };
    } catch {
      return { unavailable: true };
    }
  }

  /**
   * Names the issuer as the registry does and returns the trust check; or, when the issuer is not trusted (or the
   * registry cannot be read) and no full report was asked for, ends the board there and returns undefined.
   */
  beforeFetching(summary: CredentialSummary, registry: RegistryAnswer, ctx: RunContext, board: CheckBoard): VerificationCheck | undefined {
    if (registry.entry) {
      summary.issuer.registryName = registry.entry.name;
      summary.issuer.jurisdictions = registry.entry.jurisdictions;
    }
    const trust = this.decide(summary, registry, ctx);
    if (trust.status === 'pass' || ctx.fullReport) return trust;
    board.set(trust);
    board.skipRest(
      trust.status === 'indeterminate'
        ? 'Not checked: the trust registry cannot be read, so nothing was fetched for this issuer.'
        : 'Not checked: the issuer is not trusted here, so nothing was fetched for it.',
    );
    return undefined;
  }

  /**
   * Needs nothing fetched: the registry entry, and the qualification the credential shows (a valid signature cannot
   * change what the payload says, and an invalid one fails the credential anyway).
   */
  private decide(summary: CredentialSummary, registry: RegistryAnswer, ctx: RunContext): VerificationCheck {
    const { entry, rules } = registry;
    if (rules) summary.qualification = mapQualification(qualificationFacts(summary), rules);
    if (registry.unavailable || !rules)
      return {
        id: 'issuer_trust',
        status: 'indeterminate',
        code: 'untrusted_issuer',
        message: 'The trust registry cannot be read right now, so the issuer cannot be trusted.',
      };
    if (!entry) return trustFailure('untrusted_issuer', `The issuer ${truncate(summary.issuer.id)} is not in the trust registry.`);
    const activity = issuerActivity(entry, ctx.now);
    if (!activity.active) return trustFailure('untrusted_issuer', `${entry.name} is ${activity.reason}.`);

    let basis = '';
    const jurisdiction = ctx.options.jurisdiction;
    if (jurisdiction) {
      if (!coversAny(entry.jurisdictions, jurisdiction)) {
        const aid = (ctx.options.mutualAidJurisdictions ?? []).find((m) => coversAny(entry.jurisdictions, m));
        if (!aid)
          return trustFailure(
            'issuer_not_authorized',
            `${entry.name} is trusted in ${entry.jurisdictions.join(', ') || 'no jurisdiction'}, not in ${jurisdiction}.`,
          );
        basis = ` under mutual aid (${aid})`;
      }
    }
    const qualification = summary.qualification;
    if (!qualification) return trustFailure('issuer_not_authorized', 'The credential does not show a qualification the registry recognises.');
    if (!entry.qualifications.includes(qualification))
      return trustFailure('issuer_not_authorized', `${entry.name} is not authorized to certify ${qualification}.`);
    return {
      id: 'issuer_trust',
      status: 'pass',
      code: 'ok',
      message: `${entry.name} is trusted for ${qualification}${jurisdiction ? ` in ${jurisdiction}` : ''}${basis}.`,
    };
  }
}

function trustFailure(code: ReasonCode, message: string): VerificationCheck {
  return { id: 'issuer_trust', status: 'fail', code, message };
}

/** One of the issuer's jurisdictions covers the one wanted. */
function coversAny(jurisdictions: string[], wanted: string): boolean {
  for (const j of jurisdictions) if (jurisdictionCovers(j, wanted)) return true;
  return false;
}
