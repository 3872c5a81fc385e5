import type { KeyObject } from 'node:crypto';
import { SingleFlight } from '@app/common';
import { FetchError, type BoundedFetcher } from '../fetch/bounded-fetcher';
import { isRecord, oneOrMany, type JsonRecord } from '../util/json';
import { algorithmsFor, hasPrivateMembers, isSigningJwk, JwkError, jwkThumbprint, keyObjectFor, toPublicJwk, type PublicJwk } from './jwk';
import { KeyResolutionError, type KeyErrorCode, type VerificationKey } from './key-types';
import { multikeyToJwk } from './multibase';

/**
 * Finds an issuer's public keys: did:jwk and did:key offline, did:web with one bounded GET, and an https issuer URL
 * through its JWKS or its controller document. Only keys usable for assertions (listed under `assertionMethod`) are returned; parsed key sets
 * and imported KeyObjects are cached (offline DIDs for good, fetched documents for their cache lifetime).
 */
export interface IssuerKeySet {
  issuer: string;
  method: 'did:jwk' | 'did:key' | 'did:web' | 'jwks' | 'controller-document' | 'jwt-vc-issuer';
  keys: VerificationKey[];
  fetchedAt: number;
  expiresAt: number;
}

export { KeyResolutionError, type KeyErrorCode, type VerificationKey } from './key-types';

/**
 * How an https issuer publishes its keys: `issuer` = at the issuer URL itself (a JWKS or a profile with keys, as Open
 * Badges issuers do); `jwt-vc-issuer` = in its JWT VC Issuer Metadata (`/.well-known/jwt-vc-issuer`, as SD-JWT VC
 * issuers do). DIDs resolve the same way either way.
 */
export type KeyDiscovery = 'issuer' | 'jwt-vc-issuer';

export interface KeyResolverOptions {
  fetcher: BoundedFetcher;
  now?: () => number;
  /** Lifetime of a fetched DID document or JWKS when the server sends no max-age. */
  cacheTtlMs: number;
  /** Hosts whose did:web documents are fetched over http (development only). */
  insecureHosts?: string[];
  maxCachedIssuers?: number;
  /** How long an expired key set may still be used while its document cannot be fetched (default 24 h). */
  staleIfErrorMs?: number;
}

const STALE_IF_ERROR_MS = 24 * 60 * 60 * 1000;

const FOREVER = Number.MAX_SAFE_INTEGER;
const DID_WEB_SEGMENT = /^[A-Za-z0-9._~%-]+$/;

export class KeyResolver {
  private readonly cache = new Map<string, IssuerKeySet>();
  private readonly loads = new SingleFlight<IssuerKeySet>();
  private readonly insecureHosts: Set<string>;

  constructor(private readonly opts: KeyResolverOptions) {
    this.insecureHosts = new Set((opts.insecureHosts ?? []).map((h) => h.toLowerCase()));
  }

  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  /** The issuer's assertion keys (cached; one fetch at a time per issuer). */
  async keySet(issuer: string, opts: { refresh?: boolean; discovery?: KeyDiscovery } = {}): Promise<IssuerKeySet> {
    const key = cacheKey(issuer, opts.discovery);
    if (!opts.refresh) {
      const fresh = this.cached(issuer, undefined, opts.discovery);
      if (fresh) return fresh;
    }
    const cached = this.cache.get(key);
    return this.loads.run(key, () =>
      this.load(issuer, opts.discovery).then(
        (set) => {
          this.remember(key, set);
          return set;
        },
        (err: unknown) => {
          // Bad connectivity at a scene must not turn a known issuer into an unknown one: keep using the key set we
          // verified with for a while (revocation is the status lists' job, and those are never served stale).
          if (cached && this.now() - cached.fetchedAt < (this.opts.staleIfErrorMs ?? STALE_IF_ERROR_MS)) return cached;
          throw err;
        },
      ),
    );
  }

  /**
   * What `keySet` answers while the issuer's set is fresh (at `now`, by default this resolver's clock), without a
   * promise; undefined when it must be loaded.
   */
  cached(issuer: string, now = this.now(), discovery?: KeyDiscovery): IssuerKeySet | undefined {
    const cached = this.cache.get(cacheKey(issuer, discovery));
    return cached && cached.expiresAt > now ? cached : undefined;
  }

  /** A cached key set, even if stale, without fetching (undefined when never resolved). */
  peek(issuer: string): IssuerKeySet | undefined {
    return this.cache.get(issuer);
  }

  forget(issuer?: string): void {
    if (issuer) {
      this.cache.delete(issuer);
      this.cache.delete(cacheKey(issuer, 'jwt-vc-issuer'));
    } else this.cache.clear();
  }

  /**
   * The key the JWS header designates, looked up only inside the issuer's own set: `kid` as a verification method id
   * (absolute, or `#fragment` relative to the issuer) or as the JWK's own kid; an embedded `jwk` only when it is one
   * of the issuer's keys; no hint at all only when the issuer has exactly one key.
   */
  select(set: IssuerKeySet, header: JsonRecord): VerificationKey {
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    if ('kid' in header && kid === undefined) throw new KeyResolutionError('key_not_found', 'The JWS kid is not a string.');
    let candidates = set.keys;
    if (kid !== undefined) {
      candidates = set.keys.filter((k) => k.id === kid || (kid.startsWith('#') && k.id === set.issuer + kid) || (k.jwk.kid !== undefined && k.jwk.kid === kid));
      if (candidates.length === 0) throw new KeyResolutionError('key_not_found', `The key ${truncate(kid)} is not one of the issuer's assertion keys.`);
    }
    if ('jwk' in header) {
      if (!isRecord(header.jwk) || hasPrivateMembers(header.jwk)) throw new KeyResolutionError('key_not_found', 'The embedded jwk header is not a public key.');
      let thumbprint: string;
      try {
        thumbprint = jwkThumbprint(toPublicJwk(header.jwk));
      } catch {
        throw new KeyResolutionError('key_not_found', 'The embedded jwk header is not a usable public key.');
      }
      candidates = candidates.filter((k) => k.thumbprint === thumbprint);
      if (candidates.length === 0) throw new KeyResolutionError('key_not_found', "The embedded jwk is not one of the issuer's keys.");
    }
    if (candidates.length === 1) return candidates[0];
    if (candidates.length === 0) throw new KeyResolutionError('key_not_found', 'The issuer publishes no assertion key.');
    throw new KeyResolutionError('key_not_found', 'The JWS names no key (kid) and the issuer has several.');
  }

  /**
   * The key a Data Integrity proof's `verificationMethod` names, looked up only inside the issuer's own set: the method
   * must be under the issuer's id (`<issuer>#...`), or the issuer itself when it has exactly one key (a did:key named
   * without its fragment).
   */
  method(set: IssuerKeySet, verificationMethod: string): VerificationKey {
    const owner = verificationMethod.split('#')[0];
    if (owner !== set.issuer)
      throw new KeyResolutionError(
        'key_not_found',
        `The verification method ${truncate(verificationMethod)} is not one of the issuer's: it belongs to ${truncate(owner)}.`,
      );
    const key = set.keys.find((k) => k.id === verificationMethod) ?? (verificationMethod === set.issuer && set.keys.length === 1 ? set.keys[0] : undefined);
    if (!key)
      throw new KeyResolutionError('key_not_found', `The verification method ${truncate(verificationMethod)} is not one of the issuer's assertion keys.`);
    return key;
  }

  private remember(key: string, set: IssuerKeySet): void {
    const max = this.opts.maxCachedIssuers ?? 5000;
    if (this.cache.size >= max && !this.cache.has(key)) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, set);
  }

  private async load(issuer: string, discovery?: KeyDiscovery): Promise<IssuerKeySet> {
    if (issuer.length > 4096) throw new KeyResolutionError('did_unresolvable', 'The issuer identifier is too long.');
    if (issuer.startsWith('did:jwk:')) return this.didJwk(issuer);
    if (issuer.startsWith('did:key:')) return this.didKey(issuer);
    if (issuer.startsWith('did:web:')) return this.didWeb(issuer);
    if (issuer.startsWith('did:'))
      throw new KeyResolutionError('did_unresolvable', `The DID method of ${truncate(issuer)} is not supported (did:web, did:key, did:jwk are).`);
    if (issuer.startsWith('https://') || issuer.startsWith('http://'))
      return discovery === 'jwt-vc-issuer' ? this.jwtVcIssuerJwks(issuer) : this.issuerJwks(issuer);
    throw new KeyResolutionError('key_not_found', `No key can be found for the issuer ${truncate(issuer)} (not a DID or https URL).`);
  }

  private offline(issuer: string, method: 'did:jwk' | 'did:key', id: string, jwk: PublicJwk): IssuerKeySet {
    return { issuer, method, keys: [makeKey(id, jwk)], fetchedAt: this.now(), expiresAt: FOREVER };
  }

  private didJwk(did: string): IssuerKeySet {
    const encoded = did.slice('did:jwk:'.length).split('#')[0];
    let value: unknown;
    try {
      if (!/^[A-Za-z0-9_-]+$/.test(encoded)) throw new Error('not base64url');
      value = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    } catch {
      throw new KeyResolutionError('did_unresolvable', 'The did:jwk does not contain a JSON key.');
    }
    if (isRecord(value) && hasPrivateMembers(value)) throw new KeyResolutionError('did_unresolvable', 'The did:jwk contains a private key; refused.');
    // Its DID document lists an encryption key under keyAgreement only: the DID has no assertion key.
    if (isRecord(value) && !isSigningJwk(value))
      throw new KeyResolutionError(
        'key_not_found',
        'The did:jwk key is not a signing key (its use or key_ops exclude verification), so it has no assertion key.',
      );
    try {
      return this.offline(did, 'did:jwk', `${did}#0`, toPublicJwk(value));
    } catch (err) {
      throw new KeyResolutionError('did_unresolvable', `The did:jwk key is unusable: ${(err as Error).message}`);
    }
  }

  private didKey(did: string): IssuerKeySet {
    const value = did.slice('did:key:'.length).split('#')[0];
    try {
      return this.offline(did, 'did:key', `${did}#${value}`, multikeyToJwk(value));
    } catch (err) {
      throw new KeyResolutionError('did_unresolvable', `The did:key is invalid: ${(err as Error).message}`);
    }
  }

  /** did:web -> https URL: host (with %3A port) then path segments; `/.well-known` only without a path. */
  didWebUrl(did: string): string {
    const parts = did.slice('did:web:'.length).split(':');
    if (parts.some((p) => !DID_WEB_SEGMENT.test(p))) throw new KeyResolutionError('did_unresolvable', 'The did:web identifier has invalid characters.');
    let host: string;
    let path: string[];
    try {
      host = decodeURIComponent(parts[0]);
      path = parts.slice(1).map((p) => decodeURIComponent(p));
    } catch {
      throw new KeyResolutionError('did_unresolvable', 'The did:web identifier is not properly percent-encoded.');
    }
    if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(host) || path.some((p) => p.includes('/') || p === '..' || p === '.')) {
      throw new KeyResolutionError('did_unresolvable', 'The did:web host or path is invalid.');
    }
    const hostname = host.replace(/:\d+$/, '').toLowerCase();
    const scheme = this.insecureHosts.has(hostname) ? 'http' : 'https';
    const suffix = path.length === 0 ? '/.well-known/did.json' : `/${path.map(encodeURIComponent).join('/')}/did.json`;
    return `${scheme}://${host}${suffix}`;
  }

  private async fetchJson(url: string, what: string, code: KeyErrorCode): Promise<{ doc: JsonRecord; fetchedAt: number; expiresAt: number }> {
    try {
      // The parsed key set is cached here (with its own freshness), so the fetcher's response cache is not used.
      const res = await this.opts.fetcher.get(url, { accept: 'application/did+json, application/json', cache: false });
      let doc: unknown;
      try {
        doc = JSON.parse(res.body.toString('utf8'));
      } catch {
        throw new KeyResolutionError(code, `The ${what} at ${url} is not JSON.`);
      }
      if (!isRecord(doc)) throw new KeyResolutionError(code, `The ${what} at ${url} is not a JSON object.`);
      const ttl = res.noStore ? 0 : (res.maxAgeMs ?? this.opts.cacheTtlMs);
      const fetchedAt = this.now();
      return { doc, fetchedAt, expiresAt: fetchedAt + ttl };
    } catch (err) {
      if (err instanceof KeyResolutionError) throw err;
      const detail = err instanceof FetchError ? err.message : 'network error';
      throw new KeyResolutionError(code, `The ${what} could not be retrieved: ${detail}`);
    }
  }

  private async didWeb(did: string): Promise<IssuerKeySet> {
    const url = this.didWebUrl(did.split('#')[0]);
    const { doc, fetchedAt, expiresAt } = await this.fetchJson(url, 'DID document', 'did_unresolvable');
    if (doc.id !== did) throw new KeyResolutionError('did_unresolvable', `The DID document at ${url} is for another DID.`);
    return { issuer: did, method: 'did:web', keys: assertionKeys(doc, did), fetchedAt, expiresAt };
  }

  /**
   * An https issuer URL: GET the URL itself; it answers a JWKS (`keys`), or a profile with an embedded `jwks` or a
   * same-origin `jwks_uri`. Every key in the set may sign credentials unless its `use` or `key_ops` say otherwise.
   * A profile that is a controller document (its `id` the issuer URL, `verificationMethod` and `assertionMethod`,
   * as Data Integrity issuers publish) gives its assertion methods, read like a did:web document's.
   */
  private async issuerJwks(issuer: string): Promise<IssuerKeySet> {
    const first = await this.fetchJson(issuer, 'issuer key set', 'key_not_found');
    if (!Array.isArray(first.doc.keys) && !('jwks' in first.doc) && !('jwks_uri' in first.doc) && 'verificationMethod' in first.doc) {
      if (first.doc.id !== issuer) throw new KeyResolutionError('key_not_found', `The issuer document at ${truncate(issuer)} is about another id.`);
      const keys = assertionKeys(first.doc, issuer);
      if (keys.length === 0) throw new KeyResolutionError('key_not_found', `The issuer ${truncate(issuer)} publishes no usable assertion key.`);
      return { issuer, method: 'controller-document', keys, fetchedAt: first.fetchedAt, expiresAt: first.expiresAt };
    }
    let jwks: unknown = first.doc;
    let { fetchedAt, expiresAt } = first;
    if (!Array.isArray(first.doc.keys)) {
      if (isRecord(first.doc.jwks)) jwks = first.doc.jwks;
      else if (typeof first.doc.jwks_uri === 'string') {
        const target = new URL(first.doc.jwks_uri, issuer);
        if (target.origin !== new URL(issuer).origin) throw new KeyResolutionError('key_not_found', 'The issuer points to a key set on another origin.');
        const second = await this.fetchJson(target.toString(), 'issuer key set', 'key_not_found');
        jwks = second.doc;
        fetchedAt = second.fetchedAt;
        expiresAt = Math.min(expiresAt, second.expiresAt);
      }
    }
    return { issuer, method: 'jwks', keys: signingKeys(issuer, jwks), fetchedAt, expiresAt };
  }

  /** The JWT VC Issuer Metadata URL of an https issuer: `/.well-known/jwt-vc-issuer` between its host and its path. */
  jwtVcIssuerMetadataUrl(issuer: string): string {
    let url: URL;
    try {
      url = new URL(issuer);
    } catch {
      throw new KeyResolutionError('key_not_found', 'The issuer is not a valid URL.');
    }
    if (url.search || url.hash || url.username || url.password)
      throw new KeyResolutionError('key_not_found', 'The issuer URL has a query, fragment or credentials.');
    const path = url.pathname === '/' ? '' : url.pathname;
    return `${url.origin}/.well-known/jwt-vc-issuer${path}`;
  }

  /**
   * An SD-JWT VC issuer's keys (SD-JWT VC, JWT VC Issuer Metadata): the metadata must name exactly this issuer and
   * carry `jwks`, or a same-origin `jwks_uri`, not both.
   */
  private async jwtVcIssuerJwks(issuer: string): Promise<IssuerKeySet> {
    const url = this.jwtVcIssuerMetadataUrl(issuer);
    const meta = await this.fetchJson(url, 'JWT VC issuer metadata', 'key_not_found');
    if (meta.doc.issuer !== issuer) throw new KeyResolutionError('key_not_found', `The issuer metadata at ${truncate(url)} is for another issuer.`);
    if (meta.doc.jwks !== undefined && meta.doc.jwks_uri !== undefined)
      throw new KeyResolutionError('key_not_found', 'The issuer metadata has both jwks and jwks_uri.');
    let { fetchedAt, expiresAt } = meta;
    let jwks: unknown = meta.doc.jwks;
    if (typeof meta.doc.jwks_uri === 'string') {
      const target = new URL(meta.doc.jwks_uri, url);
      if (target.origin !== new URL(issuer).origin) throw new KeyResolutionError('key_not_found', 'The issuer metadata points to a key set on another origin.');
      const second = await this.fetchJson(target.toString(), 'issuer key set', 'key_not_found');
      jwks = second.doc;
      fetchedAt = second.fetchedAt;
      expiresAt = Math.min(expiresAt, second.expiresAt);
    }
    return { issuer, method: 'jwt-vc-issuer', keys: signingKeys(issuer, jwks), fetchedAt, expiresAt };
  }
}

/**
 * The keys of a DID document or controller document that its subject uses for assertions: the verification methods
 * listed (or embedded) under `assertionMethod`, controlled by the subject, with a usable public key.
 */
function assertionKeys(doc: JsonRecord, subject: string): VerificationKey[] {
  const methods = new Map<string, JsonRecord>();
  const absolute = (id: string): string => (id.startsWith('#') ? subject + id : id);
  for (const vm of oneOrMany(doc.verificationMethod)) {
    if (isRecord(vm) && typeof vm.id === 'string') methods.set(absolute(vm.id), vm);
  }
  const keys: VerificationKey[] = [];
  for (const ref of oneOrMany(doc.assertionMethod)) {
    const vm = typeof ref === 'string' ? methods.get(absolute(ref)) : isRecord(ref) ? ref : undefined;
    if (!vm || typeof vm.id !== 'string') continue;
    const id = absolute(vm.id);
    // A key controlled by someone else is not the subject's key, even if the document lists it.
    if (vm.controller !== undefined && vm.controller !== subject) continue;
    const jwk = jwkOfMethod(vm);
    if (!jwk) continue;
    try {
      keys.push(makeKey(id, jwk));
    } catch {
      // Invalid key material (e.g. a point not on the curve): not a candidate.
    }
  }
  return keys;
}

/** The usable signing keys of a JWKS (`use` sig or absent, `key_ops` with verify or absent); at least one. */
function signingKeys(issuer: string, jwks: unknown): VerificationKey[] {
  const keys: VerificationKey[] = [];
  for (const raw of isRecord(jwks) ? oneOrMany(jwks.keys) : []) {
    if (!isRecord(raw) || !isSigningJwk(raw)) continue;
    try {
      const jwk = toPublicJwk(raw);
      const id = `${issuer}#${jwk.kid ?? jwkThumbprint(jwk)}`;
      keys.push(makeKey(id, jwk));
    } catch {
      // A key that cannot be used is simply not a candidate.
    }
  }
  if (keys.length === 0) throw new KeyResolutionError('key_not_found', `The issuer ${truncate(issuer)} publishes no usable key.`);
  return keys;
}

/** Keys found through JWT VC Issuer Metadata are cached apart from the same URL's own key set (a DID's are the same). */
const cacheKey = (issuer: string, discovery?: KeyDiscovery): string =>
  discovery === 'jwt-vc-issuer' && !issuer.startsWith('did:') ? `jwt-vc-issuer ${issuer}` : issuer;

function jwkOfMethod(vm: JsonRecord): PublicJwk | undefined {
  try {
    if (isRecord(vm.publicKeyJwk)) {
      if (hasPrivateMembers(vm.publicKeyJwk) || !isSigningJwk(vm.publicKeyJwk)) return undefined;
      return toPublicJwk(vm.publicKeyJwk);
    }
    if (typeof vm.publicKeyMultibase === 'string') return multikeyToJwk(vm.publicKeyMultibase);
  } catch (err) {
    if (!(err instanceof JwkError)) throw err;
  }
  return undefined;
}

function makeKey(id: string, jwk: PublicJwk): VerificationKey {
  return { id, jwk, thumbprint: jwkThumbprint(jwk), keyObject: keyObjectFor(jwk), algorithms: algorithmsFor(jwk) };
}

function truncate(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
