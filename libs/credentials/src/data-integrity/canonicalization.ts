import canonicalize from 'canonicalize';
import jsonld, { type DocumentLoader, type Quad } from 'jsonld';
import ContextResolver, { type ResolvedContext, type ResolvedContextCache } from 'jsonld/lib/ContextResolver';
import { canonize } from 'rdf-canonize';
import { isRecord, type JsonRecord } from '../util/json';
import type { JsonLdContexts } from './context-store';
import { DATA_INTEGRITY_LIMITS, DataIntegrityError } from './limits';

export type DigestAlgorithm = 'sha256' | 'sha384';

/**
 * RDF Dataset Canonicalization (RDFC-1.0) of a JSON-LD document with jsonld.js and rdf-canonize: expansion in safe
 * mode (a term no context defines fails instead of being silently dropped from what the signature covers), contexts
 * only from the pinned store (an unknown URL fails and is never fetched), then a bounded canonicalization.
 */
export class RdfCanonicalizer {
  /** Resolved contexts, kept per store: another store in the process never sees contexts this one does not hold. */
  private readonly resolved = new BoundedCache(256);
  /** Contexts processed against an active context, shared by equal active contexts (type-scoped ones included). */
  private readonly processed = new ProcessedContexts();

  constructor(private readonly contexts: JsonLdContexts) {}

  /** How often a context was processed, or taken processed from the cache, since this canonicalizer was made. */
  contextCacheStats(): { hits: number; misses: number } {
    return { ...this.processed.stats };
  }

  /** The canonical N-Quads of `document`, with `digest` as RDFC-1.0's internal hash (SHA-384 for P-384 suites). */
  async canonize(document: JsonRecord, digest: DigestAlgorithm): Promise<string> {
    // jsonld does not always pass on what the loader threw (a scoped context is validated under its own error).
    let refused: string | undefined;
    const documentLoader: DocumentLoader = async (url) => {
      if (!this.contexts.has(url)) {
        refused ??= url;
        throw new Error('unknown context');
      }
      return { contextUrl: null, documentUrl: url, document: this.contexts.document(url), tag: 'static' };
    };
    let dataset: Quad[];
    try {
      dataset = await jsonld.toRDF(document, {
        documentLoader,
        safe: true,
        base: null,
        produceGeneralizedRdf: false,
        contextResolver: this.processed.resolver(new ContextResolver({ sharedCache: this.resolved })),
      });
    } catch (err) {
      if (refused !== undefined) {
        throw new DataIntegrityError(
          'unsupported_format',
          `The credential uses the JSON-LD context ${clip(refused)}, which is not one of the contexts held here (contexts are never fetched).`,
        );
      }
      throw jsonLdFailure(err);
    }
    const max = DATA_INTEGRITY_LIMITS.quadsPerDocument;
    if (dataset.length > max) throw new DataIntegrityError('malformed', `The credential makes ${dataset.length} statements; at most ${max} are canonicalized.`);
    try {
      return await canonize(dataset, {
        algorithm: 'RDFC-1.0',
        messageDigestAlgorithm: digest,
        format: 'application/n-quads',
        maxWorkFactor: DATA_INTEGRITY_LIMITS.rdfcMaxWorkFactor,
        signal: AbortSignal.timeout(DATA_INTEGRITY_LIMITS.canonicalizationMs),
        rejectURDNA2015: true,
      });
    } catch {
      throw new DataIntegrityError('malformed', "The credential's blank nodes are too entangled to canonicalize within the work limit (RDFC-1.0).");
    }
  }
}

/** RFC 8785 JSON Canonicalization Scheme (the `canonicalize` package). */
export function jcs(value: JsonRecord): string {
  const text = canonicalize(value);
  if (text === undefined) throw new DataIntegrityError('malformed', 'The credential cannot be serialized as JSON.');
  return text;
}

/** Safe mode reports the offending term in `details.event`; other JSON-LD errors name their code. */
function jsonLdFailure(err: unknown): DataIntegrityError {
  if (!(err instanceof Error) || !err.name.startsWith('jsonld.'))
    return new DataIntegrityError('malformed', 'The credential could not be processed as JSON-LD.');
  const details = (err as Error & { details?: unknown }).details;
  const event = isRecord(details) && isRecord(details.event) ? details.event : undefined;
  if (event) {
    const eventDetails = isRecord(event.details) ? event.details : {};
    const term = [eventDetails.property, eventDetails.type, eventDetails.term, eventDetails.value].find((v) => typeof v === 'string');
    const what = typeof event.code === 'string' ? event.code : 'invalid term';
    return new DataIntegrityError(
      'data_model_invalid',
      `The credential is not well-formed JSON-LD (${what}${term ? `: ${clip(term as string)}` : ''}); a signature would not cover it.`,
    );
  }
  const code = isRecord(details) && typeof details.code === 'string' ? details.code : err.message;
  return new DataIntegrityError('data_model_invalid', `The credential is not valid JSON-LD: ${clip(code)}.`);
}

/** jsonld's processed-context cache, bounded: the oldest entry goes first. */
class BoundedCache implements ResolvedContextCache {
  private readonly map = new Map<string, unknown>();

  constructor(private readonly max: number) {}

  get(key: string): unknown {
    return this.map.get(key);
  }

  set(key: string, value: unknown): this {
    if (!this.map.has(key) && this.map.size >= this.max) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
    this.map.set(key, value);
    return this;
  }
}

type ActiveContext = object & { previousContext?: unknown };
type RevertFn = (this: ActiveContext) => ActiveContext;

/**
 * jsonld caches a processed context per active context *object*. A type-scoped context (VC 2.0 and Open Badges define
 * one for most types) is processed against a fresh clone of the active context every time, so that cache never hits
 * and each verification re-processes them (most of the JSON-LD cost). Here equal active contexts share one key:
 * - an active context jsonld produced by processing context D against an active context of key K has key `K D`;
 *   the same document processed against an equal context yields an equal result;
 * - the clone jsonld makes before a type-scoped context (lib/context.js: `rval = rval.clone(); rval.previousContext
 *   = activeCtx`, the only place a context's previousContext is set to an existing context) equals that context
 *   apart from its previousContext, so it gets key `^K` from the context it points back to;
 * - any other object (the initial context, a clone being filled in) keeps a key of its own, as jsonld does.
 * Keys and entries are bounded; past the bound a context simply gets a key of its own (no sharing, no error).
 */
class ProcessedContexts {
  private readonly keys = new WeakMap<object, string>();
  private readonly documents = new WeakMap<ResolvedContext, string>();
  private readonly entries = new BoundedCache(1024);
  /** Derived keys, interned to short ones so that nesting does not grow them. */
  private readonly interned = new BoundedCache(4096);
  private next = 0;
  private readonly wrappedReverts = new WeakMap<RevertFn, RevertFn>();
  private readonly reverts = new WeakSet<RevertFn>();
  readonly stats = { hits: 0, misses: 0 };

  /** `inner`, with its resolved contexts answering from this cache. */
  resolver(inner: ContextResolver): { resolve(args: object): Promise<unknown[]> } {
    return {
      resolve: async (args: object) => (await inner.resolve(args)).map((resolved) => this.wrap(resolved)),
    };
  }

  private wrap(resolved: ResolvedContext): ResolvedContext {
    // A null context (reset) is never processed through the cache.
    if (resolved.document === null) return resolved;
    let document = this.documents.get(resolved);
    if (document === undefined) {
      document = this.fresh();
      this.documents.set(resolved, document);
    }
    const id = document;
    return {
      document: resolved.document,
      getProcessed: (activeCtx) => {
        const processed = this.entries.get(`${this.keyOf(activeCtx)} ${id}`);
        if (processed === undefined) this.stats.misses += 1;
        else this.stats.hits += 1;
        return processed;
      },
      setProcessed: (activeCtx, processed) => {
        const key = `${this.keyOf(activeCtx)} ${id}`;
        this.entries.set(key, processed);
        const context = isRecord(processed) ? (processed.context as ActiveContext | undefined) : undefined;
        if (typeof context !== 'object' || context === null || this.keys.has(context)) return;
        this.keys.set(context, this.intern(key));
        // Its previousContext is a clone of the active context's (what a type-scoped context reverts to): equal.
        const previous = context.previousContext;
        const before = (activeCtx as ActiveContext).previousContext;
        const beforeKey = typeof before === 'object' && before !== null ? this.keys.get(before) : undefined;
        if (typeof previous === 'object' && previous !== null && beforeKey !== undefined && !this.keys.has(previous)) this.keys.set(previous, beforeKey);
        this.keyReverts(context);
      },
    };
  }

  /**
   * Leaving a type-scoped context, jsonld reverts to a clone of the previousContext
   * (`revertToPreviousContext`, a method each active context carries and passes on to its clones): that clone equals
   * the previousContext, so it takes its key. The method is wrapped on contexts this cache produced only.
   */
  private keyReverts(context: ActiveContext & { revertToPreviousContext?: unknown }): void {
    const revert = context.revertToPreviousContext;
    if (typeof revert !== 'function' || this.reverts.has(revert as RevertFn)) return;
    let wrapped = this.wrappedReverts.get(revert as RevertFn);
    if (!wrapped) {
      const original = revert as RevertFn;
      const keys = this.keys;
      wrapped = function (this: ActiveContext): ActiveContext {
        const previous = this.previousContext;
        // jsonld never changes an active context it handed out (processing works on a clone of its own), so a
        // previousContext this cache keys is returned as it is rather than cloned again.
        if (typeof previous === 'object' && previous !== null && keys.has(previous)) return previous as ActiveContext;
        return original.call(this);
      };
      this.wrappedReverts.set(original, wrapped);
      this.reverts.add(wrapped);
    }
    context.revertToPreviousContext = wrapped;
  }

  private keyOf(activeCtx: ActiveContext): string {
    const known = this.keys.get(activeCtx);
    if (known !== undefined) return known;
    const previous = activeCtx.previousContext;
    const previousKey = typeof previous === 'object' && previous !== null ? this.keys.get(previous) : undefined;
    const key = previousKey !== undefined ? this.intern(`^${previousKey}`) : this.fresh();
    this.keys.set(activeCtx, key);
    return key;
  }

  private intern(derived: string): string {
    const known = this.interned.get(derived);
    if (typeof known === 'string') return known;
    const key = this.fresh();
    this.interned.set(derived, key);
    return key;
  }

  private fresh(): string {
    this.next += 1;
    return this.next.toString(36);
  }
}

function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
