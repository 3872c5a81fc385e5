import { hash, verify } from 'node:crypto';
import { MAX_INPUT_BYTES } from '../limits';
import { KeyResolutionError, type VerificationKey } from '../keys/key-types';
import { base58Decode } from '../keys/multibase';
import { VC_V1_CONTEXT, VC_V2_CONTEXT, type DataModelVersion } from '../model/data-model';
import { parseInstant } from '../model/instants';
import { isRecord, oneOrMany, type JsonRecord } from '../util/json';
import { jcs, RdfCanonicalizer, type DigestAlgorithm } from './canonicalization';
import type { JsonLdContexts } from './context-store';
import { DATA_INTEGRITY_LIMITS, DataIntegrityError } from './limits';

/**
 * Verifies the Data Integrity proofs of a JSON-LD credential (W3C VC Data Integrity 1.0 and its EdDSA and ECDSA
 * cryptosuites): eddsa-rdfc-2022, eddsa-jcs-2022, ecdsa-rdfc-2019, ecdsa-jcs-2019 (P-256, P-384) and the legacy
 * Ed25519Signature2020. Proof sets and chains (`previousProof`) are verified proof by proof; every proof must verify.
 *
 * Two steps, so the engine can decide trust in between without fetching anything: `read` checks the shape offline
 * (sizes, contexts known, proofs of a supported suite); `verify` resolves each proof's key through the caller and
 * checks the signatures. Which keys count (the issuer's own) and which algorithms are accepted is the caller's
 * policy, given as callbacks.
 */
export type SuiteName = 'eddsa-rdfc-2022' | 'eddsa-jcs-2022' | 'ecdsa-rdfc-2019' | 'ecdsa-jcs-2019' | 'Ed25519Signature2020';

interface Suite {
  name: SuiteName;
  canonicalization: 'RDFC-1.0' | 'JCS';
  keys: 'Ed25519' | 'ECDSA';
}

const ED25519_SIGNATURE_2020: Suite = { name: 'Ed25519Signature2020', canonicalization: 'RDFC-1.0', keys: 'Ed25519' };

/** The cryptosuites of a DataIntegrityProof, by the name in its `cryptosuite`. */
const CRYPTOSUITES = new Map<string, Suite>([
  ['eddsa-rdfc-2022', { name: 'eddsa-rdfc-2022', canonicalization: 'RDFC-1.0', keys: 'Ed25519' }],
  ['eddsa-jcs-2022', { name: 'eddsa-jcs-2022', canonicalization: 'JCS', keys: 'Ed25519' }],
  ['ecdsa-rdfc-2019', { name: 'ecdsa-rdfc-2019', canonicalization: 'RDFC-1.0', keys: 'ECDSA' }],
  ['ecdsa-jcs-2019', { name: 'ecdsa-jcs-2019', canonicalization: 'JCS', keys: 'ECDSA' }],
]);
// The name eddsa-rdfc-2022 had before the Recommendation (same algorithm): Open Badges were issued with it.
CRYPTOSUITES.set('eddsa-2022', CRYPTOSUITES.get('eddsa-rdfc-2022')!);

const NOT_SUPPORTED = new Map([
  ['ecdsa-sd-2023', 'Selective-disclosure proofs (ecdsa-sd-2023) are not supported.'],
  ['bbs-2023', 'BBS proofs (bbs-2023) are not supported.'],
]);

export interface ParsedProof {
  /** The proof object exactly as in the credential. */
  proof: JsonRecord;
  suite: Suite;
  /** The name the proof gives its suite (an alias is reported as given). */
  suiteLabel: string;
  verificationMethod: string;
  proofPurpose: string;
  proofValue: Uint8Array;
  expires?: number;
  previousProof: string[];
}

export type DataIntegrityReading =
  | {
      ok: true;
      credential: JsonRecord;
      version: DataModelVersion;
      proofs: ParsedProof[];
      /** RFC 8785 canonical JSON of the whole credential: what its evidence hash is taken of, and what is stored. */
      canonicalJson: string;
    }
  | { ok: false; code: 'malformed' | 'unsupported_format'; message: string };

export interface ProofCheckOptions {
  /** The key of a verification method, or throws (KeyResolutionError or DataIntegrityError) when there is none. */
  keyFor(verificationMethod: string): VerificationKey | Promise<VerificationKey>;
  /** The purpose every proof must state: assertionMethod (a credential, the default) or authentication (a presentation). */
  proofPurpose?: 'assertionMethod' | 'authentication';
  /** The challenge and domain the verifier gave the holder: every proof must carry them (VC Data Integrity 4.4). */
  challenge?: string;
  domain?: string;
  /** Whether a signature algorithm (EdDSA, ES256, ES384) is accepted; all by default. */
  algorithmAllowed?(algorithm: string): boolean;
  /** For `expires` on a proof. */
  now: Date;
  clockSkewMs?: number;
  /**
   * The key these exact bytes were verified with before: when every proof resolves to it, the signatures are not
   * re-computed (reverification; the bytes cannot have changed).
   */
  knownKeyThumbprint?: string;
}

export interface VerifiedProof {
  suite: SuiteName;
  verificationMethod: string;
  key: VerificationKey;
  /** The JOSE name of the signature algorithm (EdDSA, ES256, ES384), for the registry's allow-list. */
  algorithm: string;
  recomputed: boolean;
}

export type ProofCheck = { ok: true; proofs: VerifiedProof[] } | { ok: false; code: DataIntegrityError['code']; message: string };

/** The contexts an inline context refers to by `@import` or a nested `@context` (a URL, or anything but an object). */
function referencedContexts(context: JsonRecord): unknown[] {
  const found: unknown[] = [];
  const stack: unknown[] = [context];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) stack.push(...(value as unknown[]));
    else if (isRecord(value)) {
      for (const [key, member] of Object.entries(value)) {
        if (key === '@import') found.push(member);
        else if (key === '@context') for (const entry of oneOrMany(member)) isRecord(entry) ? stack.push(entry) : found.push(entry);
        else stack.push(member);
      }
    }
  }
  // null resets the active context, which is no reference.
  return found.filter((entry) => entry !== null);
}

/**
 * The hashing and signature step of a proof, behind a small interface: node:crypto on the server (below), WebCrypto
 * on an offline station (offline/web-proof-crypto.ts), where node:crypto does not exist.
 */
export interface ProofCrypto {
  digest(algorithm: DigestAlgorithm, text: string): Promise<Uint8Array>;
  /** Ed25519 over `data`, or ECDSA (P-256 / P-384, IEEE P1363 signature) over `digest(data)`. */
  verify(keys: 'Ed25519' | 'ECDSA', key: VerificationKey, digest: DigestAlgorithm, data: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

export const NODE_PROOF_CRYPTO: ProofCrypto = {
  digest: (algorithm, text) => Promise.resolve(hash(algorithm, text, 'buffer')),
  verify: (keys, key, digest, data, signature) => {
    try {
      if (keys === 'Ed25519') return Promise.resolve(verify(null, data, key.keyObject, signature));
      return Promise.resolve(verify(digest, data, { key: key.keyObject, dsaEncoding: 'ieee-p1363' }, signature));
    } catch {
      return Promise.resolve(false);
    }
  },
};

export class DataIntegrityVerifier {
  private readonly rdfc: RdfCanonicalizer;

  constructor(
    readonly contexts: JsonLdContexts,
    private readonly crypto: ProofCrypto = NODE_PROOF_CRYPTO,
  ) {
    this.rdfc = new RdfCanonicalizer(contexts);
  }

  /**
   * Offline: is this a credential with Data Integrity proofs this verifier can check? `proofOptional` reads a
   * presentation, whose own proof VCDM 2.0 leaves optional (then `proofs` is empty).
   */
  read(credential: JsonRecord, { proofOptional = false }: { proofOptional?: boolean } = {}): DataIntegrityReading {
    const fail = (code: 'malformed' | 'unsupported_format', message: string): DataIntegrityReading => ({ ok: false, code, message });
    const shape = jsonShapeProblem(credential);
    if (shape) return fail('malformed', shape);
    const canonicalJson = jcs(credential);
    if (canonicalJson.length > MAX_INPUT_BYTES || utf8Length(canonicalJson) > MAX_INPUT_BYTES)
      return fail('malformed', `The credential is larger than ${MAX_INPUT_BYTES / 1024} KiB.`);
    const contexts = oneOrMany(credential['@context']);
    const version = contexts[0] === VC_V2_CONTEXT ? '2.0' : contexts[0] === VC_V1_CONTEXT ? '1.1' : undefined;
    if (!version) return fail('unsupported_format', `A Data Integrity credential's first @context must be ${VC_V2_CONTEXT} or ${VC_V1_CONTEXT}.`);
    if (contexts.length > DATA_INTEGRITY_LIMITS.topLevelContexts)
      return fail('malformed', `The credential lists more than ${DATA_INTEGRITY_LIMITS.topLevelContexts} contexts.`);
    for (const context of contexts) {
      if (typeof context !== 'string' && !isRecord(context)) return fail('malformed', 'Every @context entry must be a URL or an object.');
      // An inline context may name others (@import, scoped contexts): checked here too, since a JCS proof never
      // expands the credential and a context after the ones it pins is not signed.
      const unknown = (typeof context === 'string' ? [context] : referencedContexts(context)).find((url) => typeof url !== 'string' || !this.contexts.has(url));
      if (unknown !== undefined) {
        return fail(
          'unsupported_format',
          `The credential uses the JSON-LD context ${clip(String(unknown))}, which is not one of the contexts held here (contexts are never fetched).`,
        );
      }
    }
    const entries = oneOrMany(credential.proof);
    if (entries.length === 0 && !proofOptional) return fail('unsupported_format', 'The credential carries no proof.');
    if (entries.length > DATA_INTEGRITY_LIMITS.proofsPerCredential)
      return fail('malformed', `The credential carries more than ${DATA_INTEGRITY_LIMITS.proofsPerCredential} proofs.`);
    const proofs: ParsedProof[] = [];
    for (const entry of entries) {
      const parsed = parseProof(entry);
      if (!parsed.ok) return fail(parsed.code, parsed.message);
      proofs.push(parsed.proof);
    }
    const ids = new Set(proofs.map((p) => p.proof.id).filter((id): id is string => typeof id === 'string'));
    for (const p of proofs) {
      const missing = p.previousProof.find((id) => !ids.has(id));
      if (missing !== undefined) return fail('malformed', `A proof names a previous proof ${clip(missing)} that the credential does not carry.`);
    }
    return { ok: true, credential, version, proofs, canonicalJson };
  }

  /** Every proof: purpose, key (through the caller), key type and algorithm, then the signature. Never throws. */
  async verify(reading: Extract<DataIntegrityReading, { ok: true }>, options: ProofCheckOptions): Promise<ProofCheck> {
    try {
      const planned: Array<{ parsed: ParsedProof; key: VerificationKey; algorithm: string }> = [];
      // Everything cheap for every proof first; canonicalization only once each proof could count.
      const purpose = options.proofPurpose ?? 'assertionMethod';
      for (const parsed of reading.proofs) {
        if (parsed.proofPurpose !== purpose) {
          const what = purpose === 'assertionMethod' ? 'it does not assert this credential' : 'it does not authenticate the holder';
          throw new DataIntegrityError('signature_invalid', `The proof's purpose is ${clip(parsed.proofPurpose)}, not ${purpose}: ${what}.`);
        }
        if (options.challenge !== undefined && parsed.proof.challenge !== options.challenge) {
          throw new DataIntegrityError('signature_invalid', 'The proof does not carry the challenge this verifier gave (a replayed or foreign presentation).');
        }
        if (options.domain !== undefined && !oneOrMany(parsed.proof.domain).includes(options.domain)) {
          throw new DataIntegrityError('signature_invalid', 'The proof is not made for this domain.');
        }
        if (parsed.expires !== undefined && options.now.getTime() - (options.clockSkewMs ?? 0) >= parsed.expires) {
          throw new DataIntegrityError('expired', 'The proof has expired (its expires date is past).');
        }
        const key = await options.keyFor(parsed.verificationMethod);
        const algorithm = algorithmFor(parsed.suite, key);
        if (options.algorithmAllowed && !options.algorithmAllowed(algorithm)) {
          throw new DataIntegrityError('alg_not_allowed', `The algorithm ${algorithm} (${parsed.suiteLabel}) is not accepted for this issuer.`);
        }
        planned.push({ parsed, key, algorithm });
      }
      const known = options.knownKeyThumbprint;
      const skip = known !== undefined && planned.every((p) => p.key.thumbprint === known);
      const proofs: VerifiedProof[] = [];
      for (const { parsed, key, algorithm } of planned) {
        if (!skip && !(await this.signatureVerifies(reading.credential, reading.proofs, parsed, key))) {
          throw new DataIntegrityError('signature_invalid', 'The proof does not verify: the credential was altered or not signed by this key.');
        }
        proofs.push({ suite: parsed.suite.name, verificationMethod: parsed.verificationMethod, key, algorithm, recomputed: !skip });
      }
      return { ok: true, proofs };
    } catch (err) {
      if (err instanceof DataIntegrityError || err instanceof KeyResolutionError) return { ok: false, code: err.code, message: err.message };
      return { ok: false, code: 'malformed', message: 'The proof could not be processed.' };
    }
  }

  /** The proof's hash data (VC-DI 4.4 Verify Proof with the suite's transformation, configuration and hashing). */
  async hashData(credential: JsonRecord, proofs: ParsedProof[], parsed: ParsedProof, digest: DigestAlgorithm): Promise<Buffer> {
    return Buffer.from(await this.hashBytes(credential, proofs, parsed, digest));
  }

  private async hashBytes(credential: JsonRecord, proofs: ParsedProof[], parsed: ParsedProof, digest: DigestAlgorithm): Promise<Uint8Array> {
    const { proof: _proof, ...unsecured } = credential;
    const document: JsonRecord = unsecured;
    // A chained proof signs the document carrying the proofs it names (always as a list).
    if (parsed.previousProof.length > 0) document.proof = proofs.filter((p) => parsed.previousProof.includes(p.proof.id as string)).map((p) => p.proof);
    const { proofValue: _value, ...options } = parsed.proof;
    if ('@context' in options) {
      // The proof may pin the contexts it was made under: the document's must start with them, and they are what is signed.
      const pinned = oneOrMany(options['@context']);
      const actual = oneOrMany(document['@context']);
      if (pinned.length > actual.length || pinned.some((c, i) => jcsOrString(c) !== jcsOrString(actual[i]))) {
        throw new DataIntegrityError('signature_invalid', "The proof's @context is not the start of the credential's.");
      }
      document['@context'] = options['@context'];
    }
    if (parsed.suite.canonicalization === 'JCS') {
      return concat(await Promise.all([this.crypto.digest(digest, jcs(options)), this.crypto.digest(digest, jcs(document))]));
    }
    const config: JsonRecord = { ...options, '@context': document['@context'] };
    const [canonicalConfig, canonicalDocument] = await Promise.all([this.rdfc.canonize(config, digest), this.rdfc.canonize(document, digest)]);
    return concat(await Promise.all([this.crypto.digest(digest, canonicalConfig), this.crypto.digest(digest, canonicalDocument)]));
  }

  private async signatureVerifies(credential: JsonRecord, proofs: ParsedProof[], parsed: ParsedProof, key: VerificationKey): Promise<boolean> {
    const curve = key.jwk.crv;
    const digest: DigestAlgorithm = curve === 'P-384' ? 'sha384' : 'sha256';
    const data = await this.hashBytes(credential, proofs, parsed, digest);
    const signature = parsed.proofValue;
    const length = parsed.suite.keys === 'Ed25519' ? 64 : curve === 'P-384' ? 96 : 64;
    return signature.length === length && this.crypto.verify(parsed.suite.keys, key, digest, data, signature);
  }
}

/** The JOSE name of what the suite does with this key; throws when the key does not fit the suite. */
function algorithmFor(suite: Suite, key: VerificationKey): string {
  const { kty, crv } = key.jwk;
  if (suite.keys === 'Ed25519' && kty === 'OKP' && crv === 'Ed25519') return 'EdDSA';
  if (suite.keys === 'ECDSA' && kty === 'EC' && crv === 'P-256') return 'ES256';
  if (suite.keys === 'ECDSA' && kty === 'EC' && crv === 'P-384') return 'ES384';
  const needs = suite.keys === 'Ed25519' ? 'an Ed25519 key' : 'a P-256 or P-384 key';
  throw new DataIntegrityError(
    'signature_invalid',
    `The key ${clip(key.id)} (${kty}${crv ? ` ${crv}` : ''}) does not fit ${suite.name}, which needs ${needs}.`,
  );
}

type ProofParse = { ok: true; proof: ParsedProof } | { ok: false; code: 'malformed' | 'unsupported_format'; message: string };

function parseProof(entry: unknown): ProofParse {
  const malformed = (message: string): ProofParse => ({ ok: false, code: 'malformed', message });
  if (!isRecord(entry)) return malformed('Every proof must be an object.');
  const type = entry.type;
  let suite: Suite | undefined;
  let suiteLabel: string;
  if (type === 'DataIntegrityProof') {
    const name = entry.cryptosuite;
    if (typeof name !== 'string') return malformed('A DataIntegrityProof names its cryptosuite.');
    suiteLabel = name;
    suite = CRYPTOSUITES.get(name);
    if (!suite) return { ok: false, code: 'unsupported_format', message: NOT_SUPPORTED.get(name) ?? `The cryptosuite ${clip(name)} is not supported.` };
  } else if (type === 'Ed25519Signature2020') {
    suite = ED25519_SIGNATURE_2020;
    suiteLabel = type;
  } else {
    return { ok: false, code: 'unsupported_format', message: `The proof type ${typeof type === 'string' ? clip(type) : '(none)'} is not supported.` };
  }
  if (typeof entry.verificationMethod !== 'string' || entry.verificationMethod.length === 0) return malformed('The proof names no verificationMethod.');
  if (typeof entry.proofPurpose !== 'string') return malformed('The proof names no proofPurpose.');
  if (typeof entry.proofValue !== 'string' || !entry.proofValue.startsWith('z')) return malformed('The proofValue must be a base58btc multibase string (z…).');
  const proofValue = base58Decode(entry.proofValue.slice(1));
  if (!proofValue) return malformed('The proofValue is not valid base58btc.');
  if ('id' in entry && typeof entry.id !== 'string') return malformed('A proof id must be a URL.');
  if ('created' in entry && parseInstant(entry.created) === undefined) return malformed('The proof created date is not a date-time with a time zone.');
  let expires: number | undefined;
  if ('expires' in entry) {
    expires = parseInstant(entry.expires);
    if (expires === undefined) return malformed('The proof expires date is not a date-time with a time zone.');
  }
  const previous = oneOrMany(entry.previousProof);
  if (!previous.every((p): p is string => typeof p === 'string')) return malformed('previousProof must name proofs by id.');
  return {
    ok: true,
    proof: {
      proof: entry,
      suite,
      suiteLabel,
      verificationMethod: entry.verificationMethod,
      proofPurpose: entry.proofPurpose,
      proofValue,
      expires,
      previousProof: [...previous],
    },
  };
}

/**
 * Depth and size of the JSON before any JSON-LD processing (iterative: safe for any nesting). The JSON-LD
 * algorithms recurse over the document; a deeply nested or huge one is refused here, in time linear in its size.
 */
function jsonShapeProblem(root: unknown): string | undefined {
  const { jsonDepth, jsonValues } = DATA_INTEGRITY_LIMITS;
  const stack: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 0 }];
  let count = 0;
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (++count > jsonValues) return `The credential has more than ${jsonValues} JSON values.`;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= jsonDepth) return `The credential is nested more than ${jsonDepth} levels deep.`;
    for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push({ value: child, depth: depth + 1 });
  }
  return undefined;
}

function concat([a, b]: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function utf8Length(text: string): number {
  return typeof Buffer === 'undefined' ? new TextEncoder().encode(text).length : Buffer.byteLength(text);
}

function jcsOrString(value: unknown): string {
  return typeof value === 'string' ? value : isRecord(value) ? jcs(value) : JSON.stringify(value);
}

function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
