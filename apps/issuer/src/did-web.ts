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

export interface BoardDidDocument {
  '@context': string[];
  id: string;
  verificationMethod: JsonWebKeyVerificationMethod[];
  assertionMethod: string[];
}

export function didDocument(did: string, keys: Array<{ fragment: string; publicJwk: object }>): BoardDidDocument {
  const methods = keys.map((k) => ({
    id: `${did}#${k.fragment}`,
    type: 'JsonWebKey' as const,
    controller: did,
    publicKeyJwk: { ...k.publicJwk },
  }));
  return {
    // DID core + Controlled Identifiers (which defines the JsonWebKey verification method type).
    '@context': ['https://www.w3.org/ns/did/v1', 'https://www.w3.org/ns/cid/v1'],
    id: did,
    verificationMethod: methods,
    assertionMethod: methods.map((m) => m.id),
  };
}
