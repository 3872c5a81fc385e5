/**
 * What the engine asks the trust registry. The registry itself (PostgreSQL, admin API, trust-list documents) lives
 * in @app/trust, which implements this; the CLI uses a trust-list file. Kept here so the engine depends on nothing
 * but this contract.
 */
export interface TrustedIssuer {
  /** DID or URL, compared exactly with the credential's issuer id. */
  id: string;
  /** Shown to users instead of whatever name the credential claims. */
  name: string;
  /** e.g. US-FL; `US` covers every US-xx. */
  jurisdictions: string[];
  /** Qualification codes the issuer is authorized for (RN, MD, ...). */
  qualifications: string[];
  /** JWS algorithms accepted from this issuer (RS256 / PS256 only when listed here). */
  algorithms: string[];
  validFrom?: Date;
  validUntil?: Date;
  retiredAt?: Date;
}

/**
 * One way to recognise a qualification. Exactly one kind per rule:
 *  - `achievementId`: the Open Badges achievement id equals this;
 *  - `achievementName` (+ `achievementTypes`): achievement name equal ignoring case and spacing, and the
 *    achievementType one of the list;
 *  - `credentialType`: the credential's `type` list contains this;
 *  - `vct`: the SD-JWT VC's `vct` (credential type) equals this.
 */
export interface QualificationRule {
  qualification: string;
  achievementId?: string;
  vct?: string;
  achievementTypes?: string[];
  achievementName?: string;
  credentialType?: string;
}

/** A registry as a source holds it in memory: the same answers as the source's methods, without a promise. */
export interface TrustView {
  findIssuer(id: string): TrustedIssuer | undefined;
  readonly qualificationRules: QualificationRule[];
}

export abstract class TrustSource {
  abstract findIssuer(id: string): Promise<TrustedIssuer | undefined>;
  /** In priority order within each kind (see mapQualification). */
  abstract qualificationRules(): Promise<QualificationRule[]>;

  /**
   * The registry as this source holds it in memory, while that copy is current; undefined when it has to be read
   * (then the methods above are used). Lets a verification consult the registry without waiting on a promise.
   */
  inMemory(): TrustView | undefined {
    return undefined;
  }
}

/** A fixed registry (tests, files). */
export class StaticTrustSource extends TrustSource {
  private readonly issuers: Map<string, TrustedIssuer>;
  private readonly view: TrustView;

  constructor(
    issuers: TrustedIssuer[],
    private readonly rules: QualificationRule[],
  ) {
    super();
    const byId = new Map(issuers.map((i) => [i.id, i]));
    this.issuers = byId;
    this.view = { findIssuer: (id) => byId.get(id), qualificationRules: rules };
  }

  override inMemory(): TrustView {
    return this.view;
  }

  async findIssuer(id: string): Promise<TrustedIssuer | undefined> {
    return this.issuers.get(id);
  }

  async qualificationRules(): Promise<QualificationRule[]> {
    return this.rules;
  }
}

export interface QualificationFacts {
  achievementId?: string;
  vct?: string;
  achievementType?: string;
  achievementName?: string;
  credentialTypes: string[];
}

const normalisedTexts = new Map<string, string>();

/**
 * Names compared ignoring case and spacing. Every verification compares its achievement with each rule, and rule
 * and badge names come from a small set, so the NFKC + regex work is done once per text (bounded: restarts when full).
 */
function normalise(text: string): string {
  let out = normalisedTexts.get(text);
  if (out === undefined) {
    out = text.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
    if (normalisedTexts.size >= 1024) normalisedTexts.clear();
    normalisedTexts.set(text, out);
  }
  return out;
}

/**
 * The qualification a credential shows, by the documented rules, in this order: (1) a rule naming its achievement
 * id, (2) a rule naming its SD-JWT VC type (`vct`), (3) a rule naming its achievementType and achievement name
 * (case-insensitive), (4) a rule naming one of its credential types. Within one kind the first matching rule wins.
 */
export function mapQualification(facts: QualificationFacts, rules: QualificationRule[]): string | undefined {
  if (facts.achievementId) {
    const byId = rules.find((r) => r.achievementId !== undefined && r.achievementId === facts.achievementId);
    if (byId) return byId.qualification;
  }
  if (facts.vct) {
    const byVct = rules.find((r) => r.vct !== undefined && r.vct === facts.vct);
    if (byVct) return byVct.qualification;
  }
  if (facts.achievementName && facts.achievementType) {
    const name = normalise(facts.achievementName);
    const type = normalise(facts.achievementType);
    const byName = rules.find(
      (r) => r.achievementName !== undefined && normalise(r.achievementName) === name && (r.achievementTypes ?? []).some((t) => normalise(t) === type),
    );
    if (byName) return byName.qualification;
  }
  const byType = rules.find((r) => r.credentialType !== undefined && facts.credentialTypes.includes(r.credentialType));
  return byType?.qualification;
}

/** `US` covers `US-FL`; otherwise codes must be equal (case-insensitive). */
export function jurisdictionCovers(issuerJurisdiction: string, wanted: string): boolean {
  if (issuerJurisdiction === wanted) return true;
  const a = issuerJurisdiction.toUpperCase();
  const b = wanted.toUpperCase();
  return a === b || (!a.includes('-') && b.startsWith(`${a}-`));
}

export type IssuerActivity = { active: true } | { active: false; reason: string };

const ACTIVE: IssuerActivity = Object.freeze({ active: true });

/** Whether the registry entry is in force at `now` (active period, not retired). */
export function issuerActivity(issuer: TrustedIssuer, now: Date): IssuerActivity {
  if (issuer.retiredAt && issuer.retiredAt.getTime() <= now.getTime())
    return { active: false, reason: `retired from the trust registry on ${issuer.retiredAt.toISOString().slice(0, 10)}` };
  if (issuer.validFrom && issuer.validFrom.getTime() > now.getTime())
    return { active: false, reason: `trusted only from ${issuer.validFrom.toISOString().slice(0, 10)}` };
  if (issuer.validUntil && issuer.validUntil.getTime() <= now.getTime())
    return { active: false, reason: `trust ended on ${issuer.validUntil.toISOString().slice(0, 10)}` };
  return ACTIVE;
}

/** JWS algorithms accepted from every issuer; RS256 and PS256 only when the registry entry lists them. */
export const DEFAULT_ALGORITHMS = ['ES256', 'ES384', 'EdDSA'] as const;
export const OPT_IN_ALGORITHMS = ['RS256', 'PS256'] as const;
export const SUPPORTED_ALGORITHMS: readonly string[] = [...DEFAULT_ALGORITHMS, ...OPT_IN_ALGORITHMS];
