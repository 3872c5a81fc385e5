import { randomBytes, sign, type KeyObject } from 'node:crypto';
import type { JsonRecord } from '../util/json';
import { digestOf } from './sd-jwt';

/**
 * The issuer's and the holder's side of SD-JWT, for the demo issuer and tests: a compact JWS signed with node:crypto,
 * an SD-JWT whose chosen top-level claims are selectively disclosable (sha-256 digests, in sorted order, with
 * optional decoys), and a Key Binding JWT over a presentation.
 */
export type SdJwtAlg = 'ES256' | 'ES384' | 'EdDSA';

const HASH: Record<SdJwtAlg, string | null> = { ES256: 'sha256', ES384: 'sha384', EdDSA: null };

export function signCompactJwt(header: JsonRecord & { alg: SdJwtAlg }, payload: JsonRecord, key: KeyObject): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const signature = sign(HASH[header.alg], Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

export interface SdJwtIssue {
  header: JsonRecord & { alg: SdJwtAlg };
  claims: JsonRecord;
  /** Top-level claims to make selectively disclosable (each becomes a Disclosure). */
  disclose: string[];
  /** Digests that stand for no Disclosure, so the number of disclosable claims does not show. */
  decoys?: number;
  key: KeyObject;
}

/**
 * The payload to sign (chosen claims replaced by their digests, `_sd_alg` sha-256) and the Disclosures that go after
 * the issuer-signed JWT.
 */
function selectivelyDisclosable(claims: JsonRecord, disclose: string[], decoys = 0): { payload: JsonRecord; disclosures: string[] } {
  const payload: JsonRecord = {};
  const digests: string[] = [];
  const disclosures: string[] = [];
  for (const [name, value] of Object.entries(claims)) {
    if (!disclose.includes(name)) {
      payload[name] = value;
      continue;
    }
    const disclosure = Buffer.from(JSON.stringify([randomBytes(16).toString('base64url'), name, value])).toString('base64url');
    disclosures.push(disclosure);
    digests.push(digestOf(disclosure, 'sha256'));
  }
  for (let i = 0; i < decoys; i++) digests.push(digestOf(randomBytes(16).toString('base64url'), 'sha256'));
  if (digests.length > 0) {
    payload._sd = digests.sort();
    payload._sd_alg = 'sha-256';
  }
  return { payload, disclosures };
}

/** `<issuer-signed JWT>~<Disclosure>~…~`, with every Disclosure included (the holder drops what it withholds). */
export function issueSdJwt(opts: SdJwtIssue): string {
  const { payload, disclosures } = selectivelyDisclosable(opts.claims, opts.disclose, opts.decoys);
  return `${signCompactJwt(opts.header, payload, opts.key)}~${disclosures.map((d) => `${d}~`).join('')}`;
}

/** The holder's presentation: only the named Disclosures, and a Key Binding JWT when a key is given. */
export function presentSdJwt(sdJwt: string, reveal: string[], binding?: { key: KeyObject; alg: SdJwtAlg; aud: string; nonce: string; iat: number }): string {
  const [jwt, ...rest] = sdJwt.split('~');
  const disclosures = rest.slice(0, -1).filter((d) => reveal.includes((JSON.parse(Buffer.from(d, 'base64url').toString('utf8')) as unknown[])[1] as string));
  const presented = `${jwt}~${disclosures.map((d) => `${d}~`).join('')}`;
  if (!binding) return presented;
  const kb = signCompactJwt(
    { alg: binding.alg, typ: 'kb+jwt' },
    { iat: binding.iat, aud: binding.aud, nonce: binding.nonce, sd_hash: digestOf(presented, 'sha256') },
    binding.key,
  );
  return `${presented}${kb}`;
}
