import type { QualificationRule, TrustedIssuer, TrustView } from '@app/credentials';
import { TrustSource } from '@app/credentials';
import { rulesFromQualifications, toTrustedIssuer, type TrustRegistryRepository } from './trust-registry.repository';

/** How long a snapshot of the registry is used before it is re-read (writes in this process invalidate it at once). */
export const TRUST_SNAPSHOT_TTL_MS = 5000;
/** How long a snapshot still answers while the registry cannot be re-read; after that trust is indeterminate. */
export const TRUST_SNAPSHOT_MAX_STALE_MS = 60_000;

interface Snapshot {
  issuers: Map<string, TrustedIssuer>;
  rules: QualificationRule[];
  loadedAt: number;
  view: TrustView;
}

/**
 * The engine's view of the PostgreSQL registry: the whole registry (small: hundreds of issuers) is held as one
 * snapshot, re-read at most every few seconds and at once after a write through this process, so verification
 * does not query the database per credential. Other processes see a change within TRUST_SNAPSHOT_TTL_MS. If a
 * re-read fails, the previous snapshot keeps serving until it is TRUST_SNAPSHOT_MAX_STALE_MS old; then reads fail
 * and the engine reports trust as indeterminate (a retired issuer must not stay trusted through a long outage).
 */
export class DbTrustSource extends TrustSource {
  private snapshot?: Snapshot;
  private loading?: Promise<Snapshot>;
  private generation = 0;

  constructor(
    private readonly repository: Pick<TrustRegistryRepository, 'listIssuers' | 'listQualifications'>,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = TRUST_SNAPSHOT_TTL_MS,
    private readonly maxStaleMs = TRUST_SNAPSHOT_MAX_STALE_MS,
  ) {
    super();
  }

  async findIssuer(id: string): Promise<TrustedIssuer | undefined> {
    return (await this.current()).issuers.get(id);
  }

  async qualificationRules(): Promise<QualificationRule[]> {
    return (await this.current()).rules;
  }

  /** The snapshot while it is within its lifetime (verifications then read it without a promise). */
  override inMemory(): TrustView | undefined {
    const snap = this.snapshot;
    return snap && this.now() - snap.loadedAt < this.ttlMs ? snap.view : undefined;
  }

  /** Drops the snapshot: the next verification reads the registry again. */
  invalidate(): void {
    this.generation++;
    this.snapshot = undefined;
    this.loading = undefined;
  }

  private async current(): Promise<Snapshot> {
    const snap = this.snapshot;
    if (snap && this.now() - snap.loadedAt < this.ttlMs) return snap;
    try {
      return await this.load();
    } catch (err) {
      if (snap && this.now() - snap.loadedAt < this.maxStaleMs) return snap;
      throw err;
    }
  }

  private load(): Promise<Snapshot> {
    if (this.loading) return this.loading;
    const generation = this.generation;
    const loading: Promise<Snapshot> = (async () => {
      const [issuers, qualifications] = await Promise.all([this.repository.listIssuers(), this.repository.listQualifications()]);
      const byId = new Map(issuers.map((r) => [r.id, toTrustedIssuer(r)]));
      const rules = rulesFromQualifications(qualifications);
      const snapshot: Snapshot = { issuers: byId, rules, loadedAt: this.now(), view: { findIssuer: (id) => byId.get(id), qualificationRules: rules } };
      // A write that happened while this was loading makes it outdated: don't keep it.
      if (generation === this.generation) this.snapshot = snapshot;
      return snapshot;
    })().finally(() => {
      if (this.loading === loading) this.loading = undefined;
    });
    this.loading = loading;
    return loading;
  }
}
