/**
 * Where fetched, verified status lists are kept between verifications. The in-memory store serves one process (the
 * CLI); the Redis store lets every api and worker process share what one of them fetched (see RedisStatusListStore).
 */
export interface StoredStatusList {
  /** The statusListCredential URL. */
  url: string;
  /** Issuer of the list credential (a credential's list must come from the credential's own issuer). */
  issuer: string;
  /** statusPurpose values the list declares (revocation, suspension, ...). */
  purposes: string[];
  /** The bitstring as published: gzip bytes (a few hundred bytes for 131,072 mostly-zero bits). */
  gzip: Uint8Array;
  bitLength: number;
  /** ms since epoch: when the list was (last) fetched or confirmed unchanged (HTTP 304). */
  fetchedAt: number;
  /** ms since epoch: fresh until then (list `ttl`, HTTP max-age, the list's validUntil, or the default TTL). */
  expiresAt: number;
  /** The list credential's own validUntil (ms), if any: after it the list is no longer usable. */
  validUntil?: number;
  /** The list's declared `ttl` (ms), kept to recompute freshness after a 304. */
  ttlMs?: number;
  etag?: string;
  /** sha256 (hex) of the list credential as fetched: a new value means the list changed. */
  version: string;
  /**
   * Set for an IETF Token Status List: the width of one entry, read least significant bits first. Absent for a
   * Bitstring Status List (entries of the credential's `statusSize`, most significant bit first).
   */
  tokenBits?: 1 | 2 | 4 | 8;
}

export abstract class StatusListStore {
  abstract get(url: string): Promise<StoredStatusList | undefined>;
  abstract put(list: StoredStatusList): Promise<void>;
}

export class InMemoryStatusListStore extends StatusListStore {
  private readonly lists = new Map<string, StoredStatusList>();

  constructor(private readonly maxEntries = 10000) {
    super();
  }

  async get(url: string): Promise<StoredStatusList | undefined> {
    return this.lists.get(url);
  }

  async put(list: StoredStatusList): Promise<void> {
    if (this.lists.size >= this.maxEntries && !this.lists.has(list.url)) {
      const oldest = this.lists.keys().next().value;
      if (oldest !== undefined) this.lists.delete(oldest);
    }
    this.lists.set(list.url, list);
  }
}
