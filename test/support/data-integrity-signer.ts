import { createPublicKey, sign, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { base58Encode, DataIntegrityVerifier, JsonLdContexts, type SuiteName } from '@app/credentials';
import { CONFORMANCE_DIR } from './conformance';

/**
 * Signs credentials with Data Integrity proofs for the tests: the proof's hash data comes from the verifier's own
 * `hashData` (the W3C vectors check it independently), signed with node:crypto. The contexts are the conformance
 * folder's (they include the Open Badges 3.0 contexts the project does not bundle).
 */
export const CONFORMANCE_CONTEXTS_DIR = path.join(CONFORMANCE_DIR, 'jsonld-contexts');

let signingVerifier: DataIntegrityVerifier | undefined;

export interface DataIntegritySignOptions {
  suite: SuiteName;
  privateKey: KeyObject;
  verificationMethod: string;
  proofPurpose?: string;
  created?: string;
  /** Further proof members (id, expires, previousProof, ...). */
  proof?: Record<string, unknown>;
  /** Proofs already on the credential (a proof set): the new one is added to them. */
  existing?: Array<Record<string, unknown>>;
}

export async function signDataIntegrity(credential: Record<string, unknown>, opts: DataIntegritySignOptions): Promise<Record<string, unknown>> {
  const verifier = (signingVerifier ??= new DataIntegrityVerifier(JsonLdContexts.load(CONFORMANCE_CONTEXTS_DIR)));
  const { proof: _unsigned, ...document } = credential;
  const jcs = opts.suite.endsWith('-jcs-2022') || opts.suite.endsWith('-jcs-2019');
  const options: Record<string, unknown> = {
    ...(opts.suite === 'Ed25519Signature2020' ? { type: 'Ed25519Signature2020' } : { type: 'DataIntegrityProof', cryptosuite: opts.suite }),
    created: opts.created ?? '2025-01-01T00:00:00Z',
    verificationMethod: opts.verificationMethod,
    proofPurpose: opts.proofPurpose ?? 'assertionMethod',
    ...(jcs ? { '@context': document['@context'] } : {}),
    ...opts.proof,
  };
  // The proof value is not part of what is signed: a placeholder lets the verifier read the draft.
  const draftProof = { ...options, proofValue: 'z1111' };
  const draft = { ...document, proof: [...(opts.existing ?? []), draftProof] };
  const reading = verifier.read(draft);
  if (!reading.ok) throw new Error(`cannot sign: ${reading.message}`);
  const parsed = reading.proofs[reading.proofs.length - 1];
  const p384 = opts.privateKey.asymmetricKeyDetails?.namedCurve === 'secp384r1';
  const digest = p384 ? 'sha384' : 'sha256';
  const data = await verifier.hashData(reading.credential, reading.proofs, parsed, digest);
  const signature =
    opts.privateKey.asymmetricKeyType === 'ed25519'
      ? sign(null, data, opts.privateKey)
      : sign(digest, data, { key: opts.privateKey, dsaEncoding: 'ieee-p1363' });
  const proof = { ...options, proofValue: `z${base58Encode(signature)}` };
  return { ...document, proof: opts.existing && opts.existing.length > 0 ? [...opts.existing, proof] : proof };
}

/** The Multikey (publicKeyMultibase) of a public key: Ed25519, P-256 or P-384 (compressed point), as did:key uses it. */
export function publicKeyMultibase(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType === 'ed25519') {
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    return `z${base58Encode(Buffer.concat([Buffer.from([0xed, 0x01]), raw]))}`;
  }
  const jwk = publicKey.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x!, 'base64url');
  const y = Buffer.from(jwk.y!, 'base64url');
  const prefix = jwk.crv === 'P-384' ? [0x81, 0x24] : [0x80, 0x24];
  return `z${base58Encode(Buffer.concat([Buffer.from(prefix), Buffer.from([0x02 | (y[y.length - 1] & 1)]), x]))}`;
}

/** did:key of a public key, and its one verification method. */
export function didKey(key: KeyObject): { did: string; verificationMethod: string } {
  const multikey = publicKeyMultibase(key);
  return { did: `did:key:${multikey}`, verificationMethod: `did:key:${multikey}#${multikey}` };
}
