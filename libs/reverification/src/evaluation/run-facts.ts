import type { CredentialVerifier, DecodedStatusList, KeyDiscovery, TrustedIssuer, TrustSource } from '@app/credentials';
import type { ActiveCredential, ScreeningFacts } from './screening';

/** Lookups of one issuer, key set or list at a time, at most this many at once (status lists are fetched here). */
const LOOKUP_CONCURRENCY = 8;

/**
 * The facts a run screens against, resolved once per run: registry entries (the engine's trust source), issuer key
 * sets and decoded status lists (the engine's resolver and StatusListService, so fetching, verifying, decoding and
 * the Redis-shared cache are the engine's; a list another process fetched is not fetched again).
 */
export class RunFacts implements ScreeningFacts {
  private readonly issuers = new Map<string, TrustedIssuer | undefined | 'unavailable'>();
  private readonly keys = new Map<string, ReadonlySet<string> | 'unavailable'>();
  private readonly lists = new Map<string, DecodedStatusList | 'unavailable'>();

  constructor(
    private readonly verifier: CredentialVerifier,
    private readonly trust: TrustSource,
    readonly now: number,
    readonly clockSkewMs: number,
    readonly expiryWarningMs: number,
  ) {}

  /** Resolves whatever these credentials need that this run has not looked up yet. */
  async prepare(credentials: ActiveCredential[]): Promise<void> {
    const issuers = new Set<string>();
    const keySets = new Map<string, { issuer: string; discovery: KeyDiscovery }>();
    const lists = new Set<string>();
    for (const c of credentials) {
      if (c.issuerId && !this.issuers.has(c.issuerId)) issuers.add(c.issuerId);
      if (c.issuerId) {
        const discovery = discoveryOf(c.format);
        const key = keySetKey(c.issuerId, discovery);
        if (!this.keys.has(key)) keySets.set(key, { issuer: c.issuerId, discovery });
      }
      for (const e of c.statusEntries) if (!this.lists.has(e.listUrl)) lists.add(e.listUrl);
    }
    await inParallel([...issuers], async (id) => {
      try {
        this.issuers.set(id, await this.trust.findIssuer(id));
      } catch {
        this.issuers.set(id, 'unavailable');
      }
    });
    await inParallel([...keySets], async ([key, { issuer, discovery }]) => {
      try {
        const set = await this.verifier.keys.keySet(issuer, { discovery });
        this.keys.set(key, new Set(set.keys.map((k) => k.thumbprint)));
      } catch {
        this.keys.set(key, 'unavailable');
      }
    });
    await inParallel([...lists], async (url) => {
      try {
        this.lists.set(url, await this.verifier.statusLists.get(url));
      } catch {
        this.lists.set(url, 'unavailable');
      }
    });
  }

  issuer(id: string): TrustedIssuer | undefined | 'unavailable' {
    return this.issuers.has(id) ? this.issuers.get(id) : 'unavailable';
  }

  keyThumbprints(issuer: string, format: string | null): ReadonlySet<string> | 'unavailable' {
    return this.keys.get(keySetKey(issuer, discoveryOf(format))) ?? 'unavailable';
  }

  list(url: string): DecodedStatusList | 'unavailable' {
    return this.lists.get(url) ?? 'unavailable';
  }

  get listCount(): number {
    return this.lists.size;
  }
}

/** SD-JWT VC issuers publish their keys in JWT VC Issuer Metadata (the engine verified them so). */
const discoveryOf = (format: string | null): KeyDiscovery => (format === 'dc+sd-jwt' ? 'jwt-vc-issuer' : 'issuer');
const keySetKey = (issuer: string, discovery: KeyDiscovery): string => `${discovery} ${issuer}`;

async function inParallel<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(LOOKUP_CONCURRENCY, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(lanes);
}
