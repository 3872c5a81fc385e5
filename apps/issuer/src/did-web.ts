/**
 * did:web in path form for a board: `did:web:<host>%3A<port>:boards:<slug>`, whose document a resolver fetches at
 * `<scheme>://<host>:<port>/boards/<slug>/did.json` (https normally; the verifier uses http for FETCH_INSECURE_HOSTS).
 */
export function boardDid(origin: URL, slug: string): string {
  // did:web percent-encodes the port separator; the host itself is a DNS name or an IPv4 address here.
  const authority = encodeURIComponent(origin.hostname) + (origin.port ? `%3A${origin.port}` : '');
  return `did:web:${authority}:boards:${slug}`;
}

export interface JsonWebKeyVerificationMethod {
  id: string;
  type: 'JsonWebKey';
  controller: string;
  publicKeyJwk: Record<string, unknown>;
}

export interface MultikeyVerificationMethod {
  id: string;
  type: 'Multikey';
  controller: string;
  publicKeyMultibase: string;
}

export interface BoardDidDocument {
  '@context': string[];
  id: string;
  verificationMethod: Array<JsonWebKeyVerificationMethod | MultikeyVerificationMethod>;
  assertionMethod: string[];
}

export interface PublishedKey {
  fragment: string;
  publicJwk: object;
  multikeyFragment: string;
  publicKeyMultibase: string;
}

/**
 * Each key twice: as a JsonWebKey (the `kid` of what is signed as JOSE) and as a Multikey (the `verificationMethod`
 * of Data Integrity proofs, which name Multikeys).
 */
export function didDocument(did: string, keys: PublishedKey[]): BoardDidDocument {
  const methods = keys.flatMap((k) => [
    { id: `${did}#${k.fragment}`, type: 'JsonWebKey' as const, controller: did, publicKeyJwk: { ...k.publicJwk } },
    { id: `${did}#${k.multikeyFragment}`, type: 'Multikey' as const, controller: did, publicKeyMultibase: k.publicKeyMultibase },
  ]);
  return {
    // DID core + Controlled Identifiers (which defines the JsonWebKey and Multikey verification method types).
    '@context': ['https://www.w3.org/ns/did/v1', 'https://www.w3.org/ns/cid/v1'],
    id: did,
    verificationMethod: methods,
    assertionMethod: methods.map((m) => m.id),
  };
}
