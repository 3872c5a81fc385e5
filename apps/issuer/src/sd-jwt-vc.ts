import { createHash, randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { epochSeconds, type CredentialContent } from './credential-factory';

/**
 * SD-JWT VC (draft-ietf-oauth-sd-jwt-vc over RFC 9901) as the demo boards issue it: the issuer-signed JWT carries
 * the licence with the holder's name, e-mail and licence number selectively disclosable; its `vct` names the
 * qualification; `status.status_list` points at the board's IETF Token Status List. Written here, apart from the
 * verifier's code, as another issuer would write it.
 */
export const SD_JWT_VC_TYP = 'dc+sd-jwt';
export const STATUS_LIST_TOKEN_TYP = 'statuslist+jwt';

/** The credential type of a qualification: stable across boards and ports, so a registry rule can name it. */
export function vctOf(achievementName: string): string {
  return `https://credentials.example.org/vct/${achievementName.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

/** Every claim of the licence, before the selectively disclosable ones are replaced by digests. */
export function sdJwtVcClaims(content: CredentialContent, signedAt: Date, tokenStatusListUrl: string): Record<string, unknown> {
  return {
    iss: content.issuer.did,
    jti: content.credentialId,
    iat: epochSeconds(signedAt),
    nbf: epochSeconds(content.validFrom),
    exp: epochSeconds(content.validUntil),
    vct: vctOf(content.achievement.name),
    sub: content.subject.id,
    ...(content.status ? { status: { status_list: { idx: content.status.index, uri: tokenStatusListUrl } } } : {}),
    qualification: content.achievement.name,
    name: content.subject.name,
    ...(content.subject.email ? { email: content.subject.email } : {}),
    license_number: content.licenseNumber,
    ...(content.multistate === undefined ? {} : { license_scope: content.multistate ? 'multistate' : 'single-state' }),
  };
}

export const DISCLOSABLE = ['name', 'email', 'license_number'];

/** The payload to sign (disclosable claims replaced by sha-256 digests, sorted) and the Disclosures. */
export function withDisclosures(claims: Record<string, unknown>, disclosable: readonly string[]): { payload: Record<string, unknown>; disclosures: string[] } {
  const payload: Record<string, unknown> = {};
  const disclosures: string[] = [];
  for (const [name, value] of Object.entries(claims)) {
    if (disclosable.includes(name)) disclosures.push(Buffer.from(JSON.stringify([randomBytes(16).toString('base64url'), name, value])).toString('base64url'));
    else payload[name] = value;
  }
  if (disclosures.length > 0) {
    payload._sd = disclosures.map((d) => createHash('sha256').update(d).digest('base64url')).sort();
    payload._sd_alg = 'sha-256';
  }
  return { payload, disclosures };
}

/** The flattened JWS JSON serialization of an SD-JWT (RFC 9901 section 8.1): the Disclosures in the unprotected header. */
export function flattenedSdJwt(compactJwt: string, disclosures: readonly string[]): Record<string, unknown> {
  const [protectedHeader, payload, signature] = compactJwt.split('.');
  return { payload, protected: protectedHeader, header: { disclosures: [...disclosures] }, signature };
}

/**
 * A Token Status List `lst`: two bits per credential, least significant bits of byte 0 first; 1 revoked (invalid),
 * 2 suspended, 0 valid. zlib-compressed, base64url.
 */
export function tokenStatusList(length: number, statusOf: (index: number) => number): string {
  const bytes = new Uint8Array(length / 4);
  for (let i = 0; i < length; i++) {
    const value = statusOf(i);
    if (value !== 0) bytes[i >> 2] |= (value & 3) << ((i & 3) * 2);
  }
  return deflateSync(bytes).toString('base64url');
}
