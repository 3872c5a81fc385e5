import type { ReasonCode } from '../verification-result';

/**
 * Bounds on the work one Data Integrity credential can cause before any signature is checked (docs/verification.md,
 * "Data Integrity"). A real credential is far inside each: an Open Badge has about 150 JSON values, 60 statements,
 * a depth of 6 and a handful of blank nodes. The input itself is capped at 64 KiB like every scanned credential.
 */
export const DATA_INTEGRITY_LIMITS = {
  /** Proofs in one proof set or chain (each must verify). */
  proofsPerCredential: 4,
  /** Nesting of objects and arrays. */
  jsonDepth: 32,
  /** JSON values (objects, arrays, strings, numbers, booleans, nulls) in the credential. */
  jsonValues: 5000,
  /** `@context` entries at the top of the credential (jsonld itself dereferences at most 10 per context). */
  topLevelContexts: 10,
  /** RDF statements (quads) of one canonicalized document. */
  quadsPerDocument: 2000,
  /** rdf-canonize's work factor: deep blank-node comparisons allowed = (non-unique blank nodes)^1, i.e. O(n). */
  rdfcMaxWorkFactor: 1,
  /** Wall time for one RDFC-1.0 run (checked between permutations of blank nodes). */
  canonicalizationMs: 500,
} as const;

/** A Data Integrity verification that cannot succeed, with the reason code the result reports. */
export class DataIntegrityError extends Error {
  constructor(
    readonly code: ReasonCode,
    message: string,
  ) {
    super(message);
    this.name = 'DataIntegrityError';
  }
}
