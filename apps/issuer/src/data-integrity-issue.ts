import { base58Encode, DataIntegrityVerifier, JsonLdContexts } from '@app/credentials';

/** What signs a Data Integrity proof: a board key, named by its Multikey verification method. */
export interface DataIntegritySigner {
  cryptosuite: 'eddsa-rdfc-2022' | 'ecdsa-rdfc-2019';
  digest: 'sha256' | 'sha384';
  verificationMethod: string;
  signBytes(data: Uint8Array): Buffer;
}

// The verifier's own reading and hash data, over the bundled contexts only: what is signed here is exactly what it
// recomputes, and a term the bundled contexts do not define fails here rather than at check-in.
let verifier: DataIntegrityVerifier | undefined;

/** `credential` secured with one DataIntegrityProof (RDFC-1.0 canonicalization, proofPurpose assertionMethod). */
export async function addDataIntegrityProof(
  credential: Record<string, unknown>,
  signer: DataIntegritySigner,
  created: string,
): Promise<Record<string, unknown>> {
  verifier ??= new DataIntegrityVerifier(JsonLdContexts.load());
  const options = {
    type: 'DataIntegrityProof',
    cryptosuite: signer.cryptosuite,
    created,
    verificationMethod: signer.verificationMethod,
    proofPurpose: 'assertionMethod',
  };
  // The proof value is not signed: a placeholder lets the verifier read the draft.
  const reading = verifier.read({ ...credential, proof: { ...options, proofValue: 'z1111' } });
  if (!reading.ok) throw new Error(`cannot sign the credential: ${reading.message}`);
  const data = await verifier.hashData(reading.credential, reading.proofs, reading.proofs[0], signer.digest);
  return { ...credential, proof: { ...options, proofValue: `z${base58Encode(signer.signBytes(data))}` } };
}
