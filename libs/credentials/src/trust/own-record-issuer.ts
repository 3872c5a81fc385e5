import type { AppConfig } from '@app/config';
import { type QualificationRule, type TrustedIssuer, type TrustView, TrustSource } from './trust-source';

/** The qualification a deployment record shows: proof of service, never a licence to practise (check-in never admits on it). */
export const DEPLOYMENT_RECORD_QUALIFICATION = 'DEPLOYMENT_RECORD';
/** The credential type that marks an agency's deployment record (beside VerifiableCredential and AchievementCredential). */
export const DEPLOYMENT_RECORD_TYPE = 'DeploymentRecordCredential';

export interface OwnRecordIssuer {
  did: string;
  name: string;
  jurisdiction: string;
}

/**
 * The registry plus the agency's own records issuer, pinned by configuration (RECORDS_ISSUER_DID) rather than a
 * registry row: it is trusted for DEPLOYMENT_RECORD only, and a registry entry for the same DID is ignored, so no
 * registry edit can make the agency's key vouch for a licence.
 */
export class TrustWithOwnRecordIssuer extends TrustSource {
  private readonly entry: TrustedIssuer;
  private readonly rule: QualificationRule = { qualification: DEPLOYMENT_RECORD_QUALIFICATION, credentialType: DEPLOYMENT_RECORD_TYPE };

  constructor(
    private readonly inner: TrustSource,
    own: OwnRecordIssuer,
  ) {
    super();
    this.entry = { id: own.did, name: own.name, jurisdictions: [own.jurisdiction], qualifications: [DEPLOYMENT_RECORD_QUALIFICATION], algorithms: ['EdDSA'] };
  }

  async findIssuer(id: string): Promise<TrustedIssuer | undefined> {
    return id === this.entry.id ? this.entry : this.inner.findIssuer(id);
  }

  async qualificationRules(): Promise<QualificationRule[]> {
    return this.withRule(await this.inner.qualificationRules());
  }

  override inMemory(): TrustView | undefined {
    const view = this.inner.inMemory();
    if (!view) return undefined;
    const rules = this.withRule(view.qualificationRules);
    return { findIssuer: (id) => (id === this.entry.id ? this.entry : view.findIssuer(id)), qualificationRules: rules };
  }

  // Other rules keep their own meaning: the record's type rule is only consulted after them (mapQualification order).
  private withRule(rules: QualificationRule[]): QualificationRule[] {
    return rules.some((r) => r.qualification === DEPLOYMENT_RECORD_QUALIFICATION)
      ? rules.filter((r) => r.qualification !== DEPLOYMENT_RECORD_QUALIFICATION).concat(this.rule)
      : rules.concat(this.rule);
  }
}

/** The source as is, or with the agency's records issuer when one is configured. */
export function withOwnRecordIssuer(source: TrustSource, own: OwnRecordIssuer | undefined): TrustSource {
  return own ? new TrustWithOwnRecordIssuer(source, own) : source;
}

/** The records issuer RECORDS_ISSUER_DID configures, if any. */
export function ownRecordIssuerFrom(config: AppConfig): OwnRecordIssuer | undefined {
  const { issuerDid, issuerName, jurisdiction } = config.records;
  return issuerDid ? { did: issuerDid, name: issuerName, jurisdiction } : undefined;
}
