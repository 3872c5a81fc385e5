import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { SingleFlight } from '@app/common';
import { FetchError, type BoundedFetcher } from '../fetch/bounded-fetcher';
import { VERIFICATION_LIMITS, type DecodeBudget } from '../limits';
import { decodeTokenList, readTokenStatus } from '../sd-jwt/token-status-list';
import { decodeEncodedList, gunzipBounded, readStatus, StatusListDecodeError } from './bitstring';
import type { StatusListStore, StoredStatusList } from './status-list-store';

const gzipAsync = promisify(gzip);

/**
 * Fetches, verifies, decodes and caches status lists. Reads are served from process memory while fresh, then from
 * the shared store (another process may have fetched it), and only then from the network, with one fetch at a time
 * per URL in this process and If-None-Match when an ETag is known. The reverification worker calls `refresh` on a
 * schedule and `peek` to read what is cached without fetching.
 */
export type StatusListErrorCode = 'status_unavailable' | 'status_list_invalid';

export class StatusListError extends Error {
  /** The last copy of this list known here, when a fresh one could not be had: its set bits still speak. */
  stale?: DecodedStatusList;

  constructor(
    readonly code: StatusListErrorCode,
    message: string,
    readonly opts: {
      /** The credential fails (an index outside the list, a request over its limits) rather than its status being unknown. */
      fails?: boolean;
      /** Set when the request's decompression budget ran out: another request may still load the list. */
      budget?: DecodeBudget;
    } = {},
  ) {
    super(message);
    this.name = 'StatusListError';
  }
}

/** What verifying a fetched list credential yields (the engine supplies the verifier: signature, type, validity). */
export interface VerifiedStatusListCredential {
  issuer: string;
  purposes: string[];
  /** A Bitstring Status List's `encodedList` (multibase base64url of gzip). */
  encodedList?: string;
  /** An IETF Token Status List's `lst` (base64url of zlib) and the width of its entries. */
  tokenList?: { lst: string; bits: 1 | 2 | 4 | 8 };
  /** The list's `ttl` in ms, if it declares one. */
  ttlMs?: number;
  validUntil?: number;
}

/**
 * Verifies a fetched list. `expected.issuer` is the issuer of the credential that named the list, for lists that
 * may leave their issuer implicit (a Status List Token without `iss`).
 */
export type StatusListCredentialVerifier = (body: string, now: number, expected: { url: string; issuer?: string }) => Promise<VerifiedStatusListCredential>;

export interface DecodedStatusList extends Omit<StoredStatusList, 'gzip'> {
  bits: Uint8Array;
  /** True when served past its freshness (only from `peek`). */
  stale: boolean;
}

export interface StatusListServiceOptions {
  fetcher: BoundedFetcher;
  store: StatusListStore;
  verifyListCredential: StatusListCredentialVerifier;
  now?: () => number;
  /** Lists shorter than this are refused (privacy: 131,072 by default). */
  minBits: number;
  /** Freshness of a list that declares no ttl and gets no max-age. */
  defaultTtlMs: number;
  memoryEntries?: number;
  /** Decoded lists of one issuer kept in memory (default VERIFICATION_LIMITS.statusListsPerIssuer). */
  memoryEntriesPerIssuer?: number;
  /** Bytes of decoded lists kept in memory (default VERIFICATION_LIMITS.statusListCacheBytes). */
  memoryBytes?: number;
  /** Told how each read was served (metrics: cache hits against fetches). */
  observe?: (served: StatusListRead) => void;
}

/** How a status-list read was served: from this process, from the shared store, from the network, or not at all. */
export type StatusListRead = 'memory' | 'shared' | 'fetched' | 'not_modified' | 'failed';

export class StatusListService {
  private readonly memory = new Map<string, DecodedStatusList>();
  private memoryBytes = 0;
  private readonly loads = new SingleFlight<{ list: DecodedStatusList; changed: boolean }>();

  constructor(private readonly opts: StatusListServiceOptions) {}

  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  /**
   * A fresh, verified list (from memory, the shared store, or the network). Throws StatusListError, carrying the
   * last known copy (`stale`) when there is one. Decompression is charged to `budget`, the asking request's.
   */
  async get(url: string, budget?: DecodeBudget, issuer?: string): Promise<DecodedStatusList> {
    const fresh = this.cached(url);
    if (fresh) {
      this.opts.observe?.('memory');
      return fresh;
    }
    try {
      return (await this.singleFlight(url, false, budget, issuer)).list;
    } catch (err) {
      // Joined a load another request started and whose budget ran out: this request's own budget decides.
      if (err instanceof StatusListError && err.opts.budget && err.opts.budget !== budget) return (await this.singleFlight(url, false, budget, issuer)).list;
      throw err;
    }
  }

  /**
   * What `get` answers when this process holds the list fresh (at `now`, by default this service's clock), without
   * a promise; undefined when it must be loaded.
   */
  cached(url: string, now = this.now()): DecodedStatusList | undefined {
    const cached = this.memory.get(url);
    return cached && cached.expiresAt > now ? cached : undefined;
  }

  /** Fetches now (conditionally, with the known ETag) whatever the freshness; `changed` when the list's bytes differ. */
  refresh(url: string): Promise<{ list: DecodedStatusList; changed: boolean }> {
    return this.singleFlight(url, true);
  }

  /** What is cached here or in the shared store, fresh or not, without any fetch. */
  async peek(url: string): Promise<DecodedStatusList | undefined> {
    const now = this.now();
    const cached = this.memory.get(url);
    const stored = await this.opts.store.get(url);
    if (stored && (!cached || stored.fetchedAt >= cached.fetchedAt)) return this.adopt(stored, now);
    return cached ? { ...cached, stale: cached.expiresAt <= now } : undefined;
  }

  /** The value of one entry: throws StatusListError (`status_list_invalid`) when the index is outside the list. */
  static read(list: DecodedStatusList, index: number, size = 1): number {
    const width = list.tokenBits ?? size;
    if (!Number.isSafeInteger(index) || index < 0 || (index + 1) * width > list.bitLength) {
      throw new StatusListError('status_list_invalid', `Index ${index} is outside the status list (${Math.floor(list.bitLength / width)} entries).`, {
        fails: true,
      });
    }
    return list.tokenBits ? readTokenStatus(list.bits, index, list.tokenBits) : readStatus(list.bits, index, size);
  }

  /** One load at a time per URL in this process: concurrent callers share it. */
  private singleFlight(url: string, force: boolean, budget?: DecodeBudget, issuer?: string): Promise<{ list: DecodedStatusList; changed: boolean }> {
    return this.loads.run(url, () => this.load(url, force, budget, issuer));
  }

  private async load(url: string, force: boolean, budget?: DecodeBudget, issuer?: string): Promise<{ list: DecodedStatusList; changed: boolean }> {
    const now = this.now();
    const inMemory = this.memory.get(url);
    let stored: StoredStatusList | undefined;
    try {
      stored = await this.opts.store.get(url);
    } catch {
      stored = undefined;
    }
    if (!force && stored && stored.expiresAt > now && (!inMemory || stored.fetchedAt >= inMemory.fetchedAt)) {
      this.opts.observe?.('shared');
      return { list: await this.adopt(stored, now, budget), changed: inMemory?.version !== stored.version };
    }
    const previous = newest(stored, inMemory);
    try {
      return await this.fetchAndDecode(url, previous, now, budget, issuer ?? previous?.issuer);
    } catch (err) {
      this.opts.observe?.('failed');
      const failure = err instanceof StatusListError ? err : new StatusListError('status_unavailable', 'The status list could not be read.');
      if (previous && !failure.opts.budget) failure.stale = await this.staleCopy(previous, budget);
      throw failure;
    }
  }

  private async fetchAndDecode(
    url: string,
    previous: StoredStatusList | DecodedStatusList | undefined,
    now: number,
    budget?: DecodeBudget,
    issuer?: string,
  ): Promise<{ list: DecodedStatusList; changed: boolean }> {
    let response;
    try {
      response = await this.opts.fetcher.get(url, {
        accept: 'application/vc+jwt, application/statuslist+jwt, application/jwt, application/json;q=0.5',
        ifNoneMatch: previous?.etag,
        cache: false,
      });
    } catch (err) {
      const detail = err instanceof FetchError ? err.message : 'network error';
      throw new StatusListError('status_unavailable', `The status list could not be retrieved: ${detail}`);
    }

    if (response.notModified && previous) {
      if (previous.validUntil !== undefined && previous.validUntil <= now)
        throw new StatusListError('status_list_invalid', 'The status list credential has expired.');
      const renewed: StoredStatusList = {
        ...(await toStored(previous)),
        fetchedAt: this.now(),
        expiresAt: this.expiry(this.now(), previous.ttlMs, response.maxAgeMs, previous.validUntil),
        etag: response.etag ?? previous.etag,
      };
      await this.save(renewed);
      this.opts.observe?.('not_modified');
      return { list: await this.adopt(renewed, now, budget), changed: false };
    }

    const body = response.body.toString('utf8');
    const verified = await this.opts.verifyListCredential(body, now, { url, issuer });
    let bits: Uint8Array;
    try {
      bits = verified.tokenList ? await decodeTokenList(verified.tokenList.lst, { budget }) : await decodeEncodedList(verified.encodedList ?? '', { budget });
    } catch (err) {
      throw decodeFailure(err);
    }
    const bitLength = bits.length * 8;
    if (bitLength < this.opts.minBits) {
      throw new StatusListError(
        'status_list_invalid',
        `The status list has ${bitLength} entries, fewer than the ${this.opts.minBits} required (holders' privacy).`,
      );
    }
    const version = createHash('sha256').update(body).digest('hex');
    const fetchedAt = this.now();
    const list: StoredStatusList = {
      url,
      issuer: verified.issuer,
      purposes: verified.purposes,
      // A Token Status List is zlib, not gzip: its decoded bytes are kept gzipped like every other list.
      gzip: verified.tokenList ? new Uint8Array(await gzipAsync(bits)) : gzipOf(verified.encodedList ?? ''),
      bitLength,
      fetchedAt,
      expiresAt: this.expiry(fetchedAt, verified.ttlMs, response.noStore ? 0 : response.maxAgeMs, verified.validUntil),
      validUntil: verified.validUntil,
      ttlMs: verified.ttlMs,
      etag: response.etag,
      version,
      tokenBits: verified.tokenList?.bits,
    };
    await this.save(list);
    const decoded: DecodedStatusList = { ...withoutGzip(list), bits, stale: false };
    this.remember(decoded);
    this.opts.observe?.('fetched');
    return { list: decoded, changed: previous?.version !== version };
  }

  private expiry(fetchedAt: number, ttlMs: number | undefined, maxAgeMs: number | undefined, validUntil: number | undefined): number {
    const lifetimes = [ttlMs, maxAgeMs].filter((v): v is number => typeof v === 'number' && v >= 0);
    const lifetime = lifetimes.length > 0 ? Math.min(...lifetimes) : this.opts.defaultTtlMs;
    return Math.min(fetchedAt + lifetime, validUntil ?? Number.MAX_SAFE_INTEGER);
  }

  private async save(list: StoredStatusList): Promise<void> {
    try {
      await this.opts.store.put(list);
    } catch {
      // The store is an accelerator; memory still holds the list.
    }
  }

  /** Decodes a stored list once per version and keeps it in memory. */
  private async adopt(stored: StoredStatusList, now: number, budget?: DecodeBudget): Promise<DecodedStatusList> {
    const decoded: DecodedStatusList = { ...withoutGzip(stored), bits: await this.bitsOf(stored, budget), stale: stored.expiresAt <= now };
    this.remember(decoded);
    return decoded;
  }

  private async bitsOf(stored: StoredStatusList, budget?: DecodeBudget): Promise<Uint8Array> {
    const cached = this.memory.get(stored.url);
    if (cached && cached.version === stored.version) return cached.bits;
    try {
      return await gunzipBounded(stored.gzip, { budget });
    } catch (err) {
      throw decodeFailure(err);
    }
  }

  /** The last copy known here, marked stale; undefined if even that cannot be read. */
  private async staleCopy(previous: StoredStatusList | DecodedStatusList, budget?: DecodeBudget): Promise<DecodedStatusList | undefined> {
    if (!('gzip' in previous)) return { ...previous, stale: true };
    try {
      return { ...withoutGzip(previous), bits: await this.bitsOf(previous, budget), stale: true };
    } catch {
      return undefined;
    }
  }

  /** Keeps a decoded list within the bounds: per issuer (one issuer cannot crowd out the others), count and bytes. */
  private remember(list: DecodedStatusList): void {
    this.forgetList(list.url);
    const perIssuer = this.opts.memoryEntriesPerIssuer ?? VERIFICATION_LIMITS.statusListsPerIssuer;
    const maxEntries = this.opts.memoryEntries ?? 2000;
    const maxBytes = this.opts.memoryBytes ?? VERIFICATION_LIMITS.statusListCacheBytes;
    const ofIssuer = [...this.memory.values()].filter((cached) => cached.issuer === list.issuer);
    for (let i = 0; i <= ofIssuer.length - perIssuer; i++) this.forgetList(ofIssuer[i].url);
    for (const url of this.memory.keys()) {
      if (this.memory.size < maxEntries && this.memoryBytes + list.bits.byteLength <= maxBytes) break;
      this.forgetList(url);
    }
    this.memory.set(list.url, list);
    this.memoryBytes += list.bits.byteLength;
  }

  private forgetList(url: string): void {
    const cached = this.memory.get(url);
    if (!cached) return;
    this.memory.delete(url);
    this.memoryBytes -= cached.bits.byteLength;
  }
}

function decodeFailure(err: unknown): StatusListError {
  if (!(err instanceof StatusListDecodeError)) return new StatusListError('status_list_invalid', 'The list cannot be decoded.');
  if (err.budget) return new StatusListError('status_list_invalid', err.message, { fails: true, budget: err.budget });
  return new StatusListError('status_list_invalid', err.message);
}

function newest(a: StoredStatusList | undefined, b: DecodedStatusList | undefined): StoredStatusList | DecodedStatusList | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.fetchedAt >= b.fetchedAt ? a : b;
}

function withoutGzip(list: StoredStatusList): Omit<StoredStatusList, 'gzip'> {
  const { gzip: _gzip, ...rest } = list;
  return rest;
}

async function toStored(list: StoredStatusList | DecodedStatusList): Promise<StoredStatusList> {
  if ('gzip' in list) return list;
  const { bits, stale: _stale, ...rest } = list;
  // Only reached when a 304 arrives and the previous copy lived in memory only (store unavailable).
  return { ...rest, gzip: new Uint8Array(await gzipAsync(bits)) };
}

function gzipOf(encodedList: string): Uint8Array {
  const text = encodedList.startsWith('u') ? encodedList.slice(1) : encodedList;
  return new Uint8Array(Buffer.from(text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), 'base64url'));
}
