import canonicalize from 'canonicalize';
import jsonld, { type DocumentLoader, type Quad } from 'jsonld';
import ContextResolver, { type ResolvedContextCache } from 'jsonld/lib/ContextResolver';
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
  /** Processed contexts, kept per store: another store in the process never sees contexts this one does not hold. */
  private readonly processed = new BoundedCache(256);
  private readonly loader: DocumentLoader;

  constructor(private readonly contexts: JsonLdContexts) {
    this.loader = async (url) => {
      if (!contexts.has(url)) throw new UnknownContextError(url);
      return { contextUrl: null, documentUrl: url, document: contexts.document(url), tag: 'static' };
    };
  }

  /** The canonical N-Quads of `document`, with `digest` as RDFC-1.0's internal hash (SHA-384 for P-384 suites). */
  async canonize(document: JsonRecord, digest: DigestAlgorithm): Promise<string> {
    let dataset: Quad[];
    try {
      dataset = await jsonld.toRDF(document, {
        documentLoader: this.loader,
        safe: true,
        base: null,
        produceGeneralizedRdf: false,
        contextResolver: new ContextResolver({ sharedCache: this.processed }),
      });
    } catch (err) {
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

class UnknownContextError extends Error {
  constructor(readonly url: string) {
    super(`unknown context ${url}`);
  }
}

/** jsonld wraps what the loader throws (as `details.cause`); safe mode reports the offending term in `details.event`. */
function jsonLdFailure(err: unknown): DataIntegrityError {
  const unknown = findCause(err, (e): e is UnknownContextError => e instanceof UnknownContextError);
  if (unknown) {
    return new DataIntegrityError('unsupported_format', `The credential uses the JSON-LD context ${clip(unknown.url)}, which is not one of the contexts held here (contexts are never fetched).`);
  }
  if (!(err instanceof Error) || !err.name.startsWith('jsonld.')) return new DataIntegrityError('malformed', 'The credential could not be processed as JSON-LD.');
  const details = (err as Error & { details?: unknown }).details;
  const event = isRecord(details) && isRecord(details.event) ? details.event : undefined;
  if (event) {
    const eventDetails = isRecord(event.details) ? event.details : {};
    const term = [eventDetails.property, eventDetails.type, eventDetails.term, eventDetails.value].find((v) => typeof v === 'string');
    const what = typeof event.code === 'string' ? event.code : 'invalid term';
    return new DataIntegrityError('data_model_invalid', `The credential is not well-formed JSON-LD (${what}${term ? `: ${clip(term as string)}` : ''}); a signature would not cover it.`);
  }
  const code = isRecord(details) && typeof details.code === 'string' ? details.code : err.message;
  return new DataIntegrityError('data_model_invalid', `The credential is not valid JSON-LD: ${clip(code)}.`);
}

function findCause<T>(err: unknown, match: (e: unknown) => e is T): T | undefined {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    if (match(e)) return e;
    const details: unknown = (e as { details?: unknown }).details;
    e = isRecord(details) && 'cause' in details ? details.cause : (e as { cause?: unknown }).cause;
  }
  return undefined;
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

function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
