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

  constructor(private readonly contexts: JsonLdContexts) {}

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
        contextResolver: new ContextResolver({ sharedCache: this.processed }),
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

function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
