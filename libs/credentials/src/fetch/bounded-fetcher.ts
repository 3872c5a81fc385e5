import type { LookupAddress } from 'node:dns';
import { Resolver } from 'node:dns/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * The project's one outbound HTTP client (did:web documents, JWKS, status lists, anything else fetched from a URL a
 * stranger chose). Every request is bounded: https only (plain http only for configured development hosts), a
 * deadline for the whole exchange, a byte limit enforced while streaming, at most 3 redirects (each re-checked),
 * and never to private, loopback or link-local addresses (nor IPv6 forms embedding an IPv4 address) unless
 * configured. Host names are resolved by c-ares with a deadline that cancels the query, never on libuv's small
 * thread pool. The address checked is the address connected to (the lookup is pinned), so DNS rebinding cannot slip
 * past the check. Responses are cached with a TTL (Cache-Control max-age honoured, `no-store` respected);
 * conditional requests (If-None-Match) are supported.
 */
export interface FetchPolicy {
  /** Hosts (no port) that may be fetched over plain http, e.g. localhost. */
  insecureHosts: string[];
  allowPrivateNetwork: boolean;
  timeoutMs: number;
  /** Deadline of one host name resolution (within timeoutMs); default DNS_TIMEOUT_MS. */
  dnsTimeoutMs?: number;
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
  'invalid_url' | 'scheme_not_allowed' | 'private_address' | 'dns_failed' | 'timeout' | 'too_large' | 'too_many_redirects' | 'http_status' | 'network';

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

/** Resolves a host name to its addresses, settling within `timeoutMs` (FetchError 'timeout' past it). */
export type LookupFn = (hostname: string, timeoutMs: number) => Promise<LookupAddress[]>;

/** Default deadline of one host name resolution. */
export const DNS_TIMEOUT_MS = 2000;
const DNS_TRIES = 2;

/**
 * A and AAAA through c-ares (the system's DNS servers, or `servers`), on a resolver of its own that is cancelled at
 * the deadline: a slow or hostile DNS server cannot hold a query (or one of libuv's four pool threads, which
 * dns.lookup would use) past it. Names under `localhost` are loopback (RFC 6761) without asking anyone; /etc/hosts
 * is not read.
 */
export const caresLookup =
  (servers?: string[]): LookupFn =>
  async (hostname, timeoutMs) => {
    if (hostname === 'localhost' || hostname.endsWith('.localhost'))
      return [
        { address: '127.0.0.1', family: 4 },
        { address: '::1', family: 6 },
      ];
    const resolver = new Resolver({ timeout: Math.max(1, Math.floor(timeoutMs / DNS_TRIES)), tries: DNS_TRIES });
    if (servers) resolver.setServers(servers);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      resolver.cancel();
    }, timeoutMs);
    timer.unref?.();
    try {
      const [v4, v6] = await Promise.allSettled([resolver.resolve4(hostname), resolver.resolve6(hostname)]);
      if (timedOut) throw new FetchError('timeout', `Timed out resolving ${truncate(hostname)}.`);
      const addresses: LookupAddress[] = [
        ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 })) : []),
        ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 })) : []),
      ];
      if (addresses.length === 0) throw new FetchError('dns_failed', `The host ${truncate(hostname)} could not be resolved.`);
      return addresses;
    } finally {
      clearTimeout(timer);
    }
  };

const systemLookup = caresLookup();

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

  /** Resolves the host (within `timeoutMs`) and refuses private / loopback / link-local addresses unless allowed. */
  private async resolve(url: URL, timeoutMs: number): Promise<LookupAddress> {
    const host = hostnameOf(url);
    let addresses: LookupAddress[];
    if (isIP(host)) {
      addresses = [{ address: host, family: isIP(host) }];
    } else {
      try {
        addresses = await (this.deps.lookup ?? systemLookup)(host, Math.min(timeoutMs, this.policy.dnsTimeoutMs ?? DNS_TIMEOUT_MS));
      } catch (err) {
        if (err instanceof FetchError && err.code === 'timeout') throw err;
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
    const address = await this.resolve(url, remaining);
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
      req.on('error', (err) =>
        finish(() => reject(err instanceof FetchError ? err : new FetchError('network', `Could not fetch ${url.origin}: ${err.message}`))),
      );
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

/**
 * Public unicast only: not private, loopback, link-local, unique-local, CGNAT, multicast, reserved or unspecified;
 * and no IPv6 address carrying an IPv4 address (IPv4-compatible, SIIT, NAT64, 6to4, Teredo, ISATAP), whose IPv4
 * part a gateway may deliver anywhere, except IPv4-mapped addresses of a public IPv4 address.
 */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return ipaddr.IPv4.parse(address).range() === 'unicast';
  if (family !== 6) return false;
  const canonical = canonicalIpv6(address);
  if (!canonical) return false;
  const ip = ipaddr.IPv6.parse(canonical);
  if (ip.isIPv4MappedAddress()) return isPublicAddress(ip.toIPv4Address().toString());
  return !embedsIpv4(ip.parts) && ip.range() === 'unicast';
}

/**
 * The address in canonical hex form (the URL standard's serialisation): ipaddr.js reads "::a.b.c.d" (IPv4-compatible)
 * as if it were "::ffff:a.b.c.d" (IPv4-mapped); the hex form has one reading.
 */
function canonicalIpv6(address: string): string | undefined {
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
}

/** IPv6 forms that embed an IPv4 address, by their 16-bit groups. */
function embedsIpv4(p: number[]): boolean {
  const zero = (from: number, to: number): boolean => p.slice(from, to).every((g) => g === 0);
  return (
    zero(0, 6) || // ::a.b.c.d, IPv4-compatible (deprecated), also :: and ::1
    (zero(0, 4) && p[4] === 0xffff && p[5] === 0) || // ::ffff:0:a.b.c.d, SIIT (RFC 6145)
    (p[0] === 0x64 && p[1] === 0xff9b && (zero(2, 6) || p[2] === 1)) || // 64:ff9b::/96 and 64:ff9b:1::/48, NAT64
    p[0] === 0x2002 || // 2002::/16, 6to4
    (p[0] === 0x2001 && p[1] === 0) || // 2001::/32, Teredo
    ((p[4] & 0xfdff) === 0 && p[5] === 0x5efe) // ::0:5efe:a.b.c.d and ::200:5efe:a.b.c.d interface ids, ISATAP
  );
}

function hostnameOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
