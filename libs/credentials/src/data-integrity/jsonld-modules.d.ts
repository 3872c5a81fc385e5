/**
 * The parts of `jsonld` (9.0.0) and `rdf-canonize` (5.0.0) this module uses; neither package ships type declarations.
 */
declare module 'jsonld' {
  export interface RemoteDocument {
    contextUrl: string | null;
    documentUrl: string;
    document: unknown;
    /** `static`: the document never changes, so its processed form may be cached. */
    tag?: 'static';
  }
  export type DocumentLoader = (url: string) => Promise<RemoteDocument>;
  export interface Quad {
    subject: { termType: string; value: string };
    predicate: { termType: string; value: string };
    object: { termType: string; value: string; datatype?: { termType: string; value: string }; language?: string };
    graph: { termType: string; value: string };
  }
  export interface ToRdfOptions {
    documentLoader: DocumentLoader;
    safe: boolean;
    base: null;
    produceGeneralizedRdf: false;
    /** Internal to jsonld (lib/ContextResolver.js): where processed contexts are cached. */
    contextResolver: unknown;
  }
  const jsonld: {
    toRDF(input: object, options: ToRdfOptions): Promise<Quad[]>;
  };
  export default jsonld;
}

declare module 'jsonld/lib/ContextResolver' {
  /** A cache with the Map-like `get`/`set` that jsonld's own LRU offers. */
  export interface ResolvedContextCache {
    get(key: string): unknown;
    set(key: string, value: unknown): unknown;
  }
  /** A context as resolved (lib/ResolvedContext.js), with the processed forms jsonld caches per active context. */
  export interface ResolvedContext {
    document: unknown;
    getProcessed(activeCtx: object): unknown;
    setProcessed(activeCtx: object, processed: unknown): void;
  }
  class ContextResolver {
    constructor(options: { sharedCache: ResolvedContextCache });
    resolve(args: object): Promise<ResolvedContext[]>;
  }
  export = ContextResolver;
}

declare module 'rdf-canonize' {
  import type { Quad } from 'jsonld';
  export interface CanonizeOptions {
    algorithm: 'RDFC-1.0';
    messageDigestAlgorithm: 'sha256' | 'sha384';
    format: 'application/n-quads';
    maxWorkFactor: number;
    signal: AbortSignal;
    rejectURDNA2015: true;
  }
  export function canonize(dataset: Quad[], options: CanonizeOptions): Promise<string>;
}
