import { Injectable } from '@nestjs/common';
import type { CredentialSummary, VerificationResult } from '@app/credentials';
import type { PracticeAuthorityView } from './dto/practice-answer.dto';
import { esarVhpLevel } from './domain/esar-vhp-level';
import {
  decidePracticeAuthority,
  homeStatesWithRules,
  rulesForState,
  type PracticeAnswer,
  type PracticeQuestion,
  type StateRules,
} from './domain/decide-practice-authority';
import { emptyPracticeRules, type PracticeRulesDocument } from './domain/practice-rules.document';
import { PracticeRulesRepository } from './practice-rules.repository';

/** How long the rules in force are used before the version number is checked again (an import here invalidates at once). */
export const PRACTICE_RULES_TTL_MS = 5000;

/** The rules about one incident state, as one rule-set version says: what check-in decides with, in memory. */
export class IncidentPracticeRules {
  constructor(
    readonly version: number,
    private readonly rules: StateRules,
  ) {}

  get governed(): boolean {
    return this.rules.governed;
  }

  /** Home states whose boards the issuer-trust check accepts here because a rule could admit their licensees. */
  homeStatesWithRules(at: Date): string[] {
    return homeStatesWithRules(this.rules, at);
  }

  decide(question: Omit<PracticeQuestion, 'incidentState'>): PracticeAnswer {
    return decidePracticeAuthority(this.rules, { ...question, incidentState: this.rules.incidentState });
  }

  /**
   * The answer for a verified credential: its issuer's jurisdictions are the home states, its qualification the
   * profession; the level counts every credential of the scan that verified (a presentation may carry a licence and a
   * hospital-privileges credential).
   */
  answer(
    summary: CredentialSummary,
    results: VerificationResult[],
    context: { missionNumber?: string; mutualAidJurisdictions: string[]; at: Date },
  ): PracticeAuthorityView {
    const answer = this.decide({
      homeStates: summary.issuer.jurisdictions ?? [],
      profession: summary.qualification,
      multistate: summary.multistate,
      licenseNumber: summary.licenseNumber,
      missionNumber: context.missionNumber,
      mutualAidJurisdictions: context.mutualAidJurisdictions,
      at: context.at,
    });
    const level = esarVhpLevel(
      results.flatMap((r) => (r.credential?.qualification ? [{ qualification: r.credential.qualification, verified: r.verified }] : [])),
    );
    return {
      authorized: answer.authorized,
      basis: answer.basis,
      nearest: answer.nearest,
      reason: answer.authorized ? null : answer.reason,
      level,
      ruleSetVersion: this.version,
    };
  }
}

interface Snapshot {
  version: number;
  document: PracticeRulesDocument;
  checkedAt: number;
  byState: Map<string, IncidentPracticeRules>;
}

/**
 * The rules in force, held in memory so a check-in decides without a query: the newest version is read once, then
 * only its number is checked every PRACTICE_RULES_TTL_MS (a new version is loaded when it changed); an import through
 * this process invalidates at once. Per incident state, the rules are filtered once per version.
 */
@Injectable()
export class PracticeAuthorityCache {
  private snapshot?: Snapshot;
  private loading?: Promise<Snapshot>;

  constructor(private readonly repository: PracticeRulesRepository) {}

  /** `maxAgeMs`: how old a check of the version in force may be (reverification runs pass 0: a run sees the latest). */
  async forState(incidentState: string, maxAgeMs = PRACTICE_RULES_TTL_MS): Promise<IncidentPracticeRules> {
    const snapshot = await this.current(maxAgeMs);
    let rules = snapshot.byState.get(incidentState);
    if (!rules) {
      rules = new IncidentPracticeRules(snapshot.version, rulesForState(snapshot.document, incidentState));
      snapshot.byState.set(incidentState, rules);
    }
    return rules;
  }

  invalidate(): void {
    if (this.snapshot) this.snapshot.checkedAt = -Infinity;
    this.loading = undefined;
  }

  private current(maxAgeMs: number): Promise<Snapshot> {
    const s = this.snapshot;
    if (s && Date.now() - s.checkedAt < maxAgeMs) return Promise.resolve(s);
    this.loading ??= this.refresh().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async refresh(): Promise<Snapshot> {
    const checkedAt = Date.now();
    const version = await this.repository.latestVersion();
    if (this.snapshot && this.snapshot.version === version) {
      this.snapshot.checkedAt = checkedAt;
      return this.snapshot;
    }
    const found = version > 0 ? await this.repository.find(version) : undefined;
    this.snapshot = { version: found?.version ?? 0, document: found?.document ?? emptyPracticeRules(), checkedAt, byState: new Map() };
    return this.snapshot;
  }
}
