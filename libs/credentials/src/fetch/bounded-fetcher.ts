import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * The project's one outbound HTTP client (did:web documents, JWKS, status lists, anything else fetched from a URL a
 * stranger chose). Every request is bounded: https only (plain http only for configured development hosts), a
 * deadline for the whole exchange, a byte limit enforced while streaming, at most 3 redirects (each re-checked),
 * and never to private, loopback or link-local addresses unless configured. The address checked is the address
 * connected to (the lookup is pinned), so DNS rebinding cannot slip past the check. Responses are cached with a TTL
 * (Cache-Control max-age honoured, `no-store` respected); conditional requests (If-None-Match) are supported.
 */
export interface FetchPolicy {
  /** Hosts (no port) that may be fetched over plain http, e.g. localhost. */
  insecureHosts: string[];
  allowPrivateNetwork: boolean;
  timeoutMs: number;
  maxBytes: number;
  /** Default cache lifetime of a response without max-age; 0 disables caching. */
  cacheTtlMs: number;
  maxRedirects?: number;
  /** Upper bound of entries kept in the response cache. */
  cacheEntries?: number;
}

export interface FetchOptions {
  accept?: string;
  /** Send If-None-Match; a 304 answer comes back as `notModified: true` with an empty body. */
  ifNoneMatch?: string;
  /** Use and fill the response cache (default true; conditional requests never use it). */
  cache?: boolean;
  maxBytes?: number;
  timeoutMs?: number;
}

export interface FetchResult {
  /** The URL finally answered (after redirects). */
  url: string;
  status: number;
  notModified: boolean;
  body: Buffer;
  contentType?: string;
  etag?: string;
  /** Cache-Control max-age in ms, when the server sent one. */
  maxAgeMs?: number;
  noStore: boolean;
  /** When the response was received (ms since epoch); for cached answers, when it was originally received. */
  fetchedAt: number;
  fromCache: boolean;
}

export type FetchErrorCode =
  | 'invalid_url'
  | 'scheme_not_allowed'
  | 'private_address'
  | 'dns_failed'
  | 'timeout'
  | 'too_large'
  | 'too_many_redirects'
  | 'http_status'
  | 'network';

export class FetchError extends Error {
  constructor(
    readonly code: FetchErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}

type LookupFn = (hostname: string) => Promise<LookupAddress[]>;

const defaultLookup: LookupFn = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

interface CacheEntry {
  result: FetchResult;
  expiresAt: number;
}

export class BoundedFetcher {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly insecureHosts: Set<string>;
  private readonly maxRedirects: number;
  private readonly cacheEntries: number;

  constructor(
    readonly policy: FetchPolicy,
    private readonly deps: { lookup?: LookupFn; now?: () => number } = {},
  ) {
    this.insecureHosts = new Set(policy.insecureHosts.map((h) => h.toLowerCase()));
    this.maxRedirects = policy.maxRedirects ?? 3;
    this.cacheEntries = policy.cacheEntries ?? 1000;
  }

  private now(): number {
    return this.deps.now ? this.deps.now() : Date.now();
  }

  /** May this URL be fetched at all (scheme and host rules, before any DNS)? */
  isAllowedUrl(url: string): boolean {
    try {
      this.checkUrl(new URL(url));
      return true;
    } catch {
      return false;
    }
  }

  clearCache(): void {
    this.cache.clear();
  }

  async get(url: string, opts: FetchOptions = {}): Promise<FetchResult> {
    const useCache = opts.cache !== false && opts.ifNoneMatch === undefined;
    const cacheKey = `${opts.accept ?? ''} ${url}`;
    if (useCache) {
      const hit = this.cache.get(cacheKey);
      if (hit && hit.expiresAt > this.now()) return { ...hit.result, fromCache: true };
      if (hit) this.cache.delete(cacheKey);
    }
    const timeoutMs = Math.min(opts.timeoutMs ?? this.policy.timeoutMs, this.policy.timeoutMs);
    const deadline = this.now() + timeoutMs;
    let current = this.parse(url);
    for (let redirects = 0; ; redirects++) {
      const response = await this.request(current, opts, deadline);
      if (response.redirect) {
        if (redirects >= this.maxRedirects) throw new FetchError('too_many_redirects', `More than ${this.maxRedirects} redirects from ${url}.`);
        current = this.parse(new URL(response.redirect, current).toString());
        continue;
      }
      const result = response.result!;
      if (useCache && !result.noStore && result.status === 200) {
        const ttl = result.maxAgeMs ?? this.policy.cacheTtlMs;
        if (ttl > 0) this.remember(cacheKey, result, ttl);
      }
      return result;
    }
  }

  private remember(key: string, result: FetchResult, ttlMs: number): void {
    if (this.cache.size >= this.cacheEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, { result, expiresAt: this.now() + ttlMs });
  }

  private parse(url: string): URL {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new FetchError('invalid_url', `Not a valid URL: ${truncate(url)}`);
    }
    this.checkUrl(parsed);
    return parsed;
  }

  private checkUrl(url: URL): void {
    if (url.username || url.password) throw new FetchError('invalid_url', 'URLs with credentials are not fetched.');
    const host = hostnameOf(url);
    if (url.protocol === 'https:') return;
    if (url.protocol === 'http:' && this.insecureHosts.has(host)) return;
    throw new FetchError('scheme_not_allowed', `Only https URLs are fetched (${url.protocol}//${host} is not allowed).`);
  }

  /** Resolves the host and refuses private / loopback / link-local addresses unless allowed. */
  private async resolve(url: URL): Promise<LookupAddress> {
    const host = hostnameOf(url);
    let addresses: LookupAddress[];
    if (isIP(host)) {
      addresses = [{ address: host, family: isIP(host) }];
    } else {
      try {
        addresses = await (this.deps.lookup ?? defaultLookup)(host);
      } catch {
        throw new FetchError('dns_failed', `The host ${host} could not be resolved.`);
      }
    }
    if (addresses.length === 0) throw new FetchError('dns_failed', `The host ${host} has no address.`);
    if (!this.policy.allowPrivateNetwork) {
      for (const a of addresses) {
        if (!isPublicAddress(a.address)) throw new FetchError('private_address', `The host ${host} resolves to a private or local address; not fetched.`);
      }
    }
    return addresses[0];
  }

  private async request(url: URL, opts: FetchOptions, deadline: number): Promise<{ redirect?: string; result?: FetchResult }> {
    const remaining = deadline - this.now();
    if (remaining <= 0) throw new FetchError('timeout', `Timed out fetching ${url.origin}.`);
    const address = await withTimeout(this.resolve(url), remaining, url);
    const maxBytes = Math.min(opts.maxBytes ?? this.policy.maxBytes, this.policy.maxBytes);
    const transport = url.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = {
      accept: opts.accept ?? 'application/json, */*;q=0.5',
      'accept-encoding': 'identity',
      'user-agent': 'responder-checkin-verifier',
    };
    if (opts.ifNoneMatch) headers['if-none-match'] = opts.ifNoneMatch;

    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const req = transport.request(
        url,
        {
          method: 'GET',
          headers,
          // Connect to exactly the address that was checked.
          lookup: (_host, _options, callback) => {
            const cb = callback as (err: Error | null, address: string | LookupAddress[], family?: number) => void;
            if ((_options as { all?: boolean }).all) cb(null, [address]);
            else cb(null, address.address, address.family);
          },
          servername: isIP(hostnameOf(url)) ? undefined : hostnameOf(url),
          agent: false,
        },
        (res) => this.readResponse(url, res, maxBytes, opts, (err, value) => finish(() => (err ? reject(err) : resolve(value!)))),
      );
      const timer = setTimeout(() => {
        const err = new FetchError('timeout', `Timed out fetching ${url.origin}.`);
        finish(() => reject(err));
        req.destroy(err);
      }, remaining);
      timer.unref?.();
      req.on('error', (err) => finish(() => reject(err instanceof FetchError ? err : new FetchError('network', `Could not fetch ${url.origin}: ${err.message}`))));
      req.end();
    });
  }

  private readResponse(
    url: URL,
    res: IncomingMessage,
    maxBytes: number,
    opts: FetchOptions,
    done: (err: FetchError | null, value?: { redirect?: string; result?: FetchResult }) => void,
  ): void {
    const status = res.statusCode ?? 0;
    if ([301, 302, 303, 307, 308].includes(status)) {
      res.resume();
      const location = res.headers.location;
      if (!location) return done(new FetchError('http_status', `Redirect without a Location from ${url.origin}.`, status));
      return done(null, { redirect: location });
    }
    const cacheControl = String(res.headers['cache-control'] ?? '');
    const maxAge = /(?:^|,)\s*(?:s-)?max-age=(\d{1,9})/i.exec(cacheControl);
    const base = {
      url: url.toString(),
      status,
      contentType: res.headers['content-type'],
      etag: typeof res.headers.etag === 'string' ? res.headers.etag : undefined,
      maxAgeMs: maxAge ? Number(maxAge[1]) * 1000 : undefined,
      noStore: /no-store|no-cache/i.test(cacheControl),
      fetchedAt: this.now(),
      fromCache: false,
    };
    if (status === 304 && opts.ifNoneMatch) {
      res.resume();
      return done(null, { result: { ...base, notModified: true, body: Buffer.alloc(0), etag: base.etag ?? opts.ifNoneMatch } });
    }
    if (status < 200 || status > 299) {
      res.resume();
      return done(new FetchError('http_status', `${url.origin} answered HTTP ${status}.`, status));
    }
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      res.destroy();
      return done(new FetchError('too_large', `The response from ${url.origin} is larger than ${maxBytes} bytes.`));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        res.destroy();
        done(new FetchError('too_large', `The response from ${url.origin} is larger than ${maxBytes} bytes.`));
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => done(null, { result: { ...base, notModified: false, body: Buffer.concat(chunks) } }));
    res.on('error', (err) => done(new FetchError('network', `Reading from ${url.origin} failed: ${err.message}`)));
    res.on('close', () => {
      if (!res.complete) done(new FetchError('network', `${url.origin} closed the connection early.`));
    });
  }
}

/** Public unicast only: not private, loopback, link-local, unique-local, CGNAT, multicast, reserved or unspecified. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

function hostnameOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, url: URL): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new FetchError('timeout', `Timed out resolving ${url.hostname}.`)), ms);
        timer.unref?.();
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
