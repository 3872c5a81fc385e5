import { generateKeyPairSync, sign } from 'node:crypto';
import { base58Encode, DataIntegrityVerifier, JsonLdContexts } from '@app/credentials';

/** What signs a Data Integrity proof: a board key, named by its Multikey verification method. */
export interface DataIntegritySigner {
  cryptosuite: 'eddsa-rdfc-2022' | 'ecdsa-rdfc-2019';
  digest: 'sha256' | 'sha384';
  verificationMethod: string;
  signBytes(data: Uint8Array): Buffer;
}

/** The holder of a presentation: an Ed25519 did:key, as a responder's wallet holds one. */
export interface Holder extends DataIntegritySigner {
  did: string;
}

// The verifier's own reading and hash data, over the bundled contexts only: what is signed here is exactly what it
// recomputes, and a term the bundled contexts do not define fails here rather than at check-in.
let verifier: DataIntegrityVerifier | undefined;

/** `credential` secured with one DataIntegrityProof (RDFC-1.0 canonicalization, proofPurpose assertionMethod). */
export function addDataIntegrityProof(credential: Record<string, unknown>, signer: DataIntegritySigner, created: string): Promise<Record<string, unknown>> {
  return addProof(credential, signer, { created, proofPurpose: 'assertionMethod' });
}

/** A fresh holder key: a did:key whose verification method is its Multikey (`did:key:z…#z…`). */
export function generateHolder(): Holder {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  // Multicodec ed25519-pub (0xed 0x01) then the raw 32-byte key, base58btc.
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const multikey = `z${base58Encode(Buffer.concat([Buffer.from([0xed, 0x01]), raw]))}`;
  const did = `did:key:${multikey}`;
  return {
    did,
    cryptosuite: 'eddsa-rdfc-2022',
    digest: 'sha256',
    verificationMethod: `${did}#${multikey}`,
    signBytes: (data) => sign(null, data, privateKey),
  };
}

/**
 * A JSON-LD VerifiablePresentation of `credentials` by `holder`, with the holder's proof (proofPurpose
 * authentication); `challenge` and `domain` when the verifier gave them.
 */
export function presentWithDataIntegrity(
  credentials: Array<Record<string, unknown>>,
  holder: Holder,
  created: string,
  options: { challenge?: string; domain?: string } = {},
): Promise<Record<string, unknown>> {
  const presentation = {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    type: ['VerifiablePresentation'],
    holder: holder.did,
    verifiableCredential: credentials,
  };
  return addProof(presentation, holder, { created, proofPurpose: 'authentication', ...options });
}

async function addProof(
  document: Record<string, unknown>,
  signer: DataIntegritySigner,
  options: { created: string; proofPurpose: 'assertionMethod' | 'authentication'; challenge?: string; domain?: string },
): Promise<Record<string, unknown>> {
  verifier ??= new DataIntegrityVerifier(JsonLdContexts.load());
  const proofOptions = {
    type: 'DataIntegrityProof',
    cryptosuite: signer.cryptosuite,
    created: options.created,
    verificationMethod: signer.verificationMethod,
    proofPurpose: options.proofPurpose,
    ...(options.challenge !== undefined ? { challenge: options.challenge } : {}),
    ...(options.domain !== undefined ? { domain: options.domain } : {}),
  };
  // The proof value is not signed: a placeholder lets the verifier read the draft.
  const reading = verifier.read({ ...document, proof: { ...proofOptions, proofValue: 'z1111' } });
  if (!reading.ok) throw new Error(`cannot sign: ${reading.message}`);
  const data = await verifier.hashData(reading.credential, reading.proofs, reading.proofs[0], signer.digest);
  return { ...document, proof: { ...proofOptions, proofValue: `z${base58Encode(signer.signBytes(data))}` } };
}
