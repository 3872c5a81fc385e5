import { mediaType } from '../jws/compact-jws';
import { isRecord, type JsonRecord } from '../util/json';
import { digestOf, parseSdJwt, processDisclosures, SdJwtError, sdHashAlgorithm, type Digest, type SdJwtParts } from './sd-jwt';

/**
 * Reading an SD-JWT VC before any key is looked up (its format check), and SD-JWT VC's rules on the claims a
 * verifier relies on: shared by the engine (sd-jwt-vc-verifier.ts) and the offline station (offline/pack-verifier.ts),
 * so both refuse the same inputs with the same codes. Nothing here fetches or needs Node.
 */
export const SD_JWT_VC_MEDIA_TYPES = ['dc+sd-jwt', 'vc+sd-jwt'];
/** Claims SD-JWT VC forbids to be selectively disclosable: a holder must not be able to hide them. */
const ALWAYS_VISIBLE = ['iss', 'nbf', 'exp', 'cnf', 'vct', 'vct#integrity', 'status', 'credentialStatus'];

export type SdJwtVcReading =
  | { ok: true; parts: SdJwtParts; hashAlgorithm: string; claims: JsonRecord; unreferenced?: string }
  | { ok: false; code: 'malformed' | 'unsupported_format'; message: string };

/** Splits, decodes and processes the Disclosures; `digest` takes the Disclosure digests (node:crypto by default). */
export function readSdJwtVc(text: string, digest: Digest = digestOf): SdJwtVcReading {
  const refuse = (code: 'malformed' | 'unsupported_format', message: string): SdJwtVcReading => ({ ok: false, code, message });
  try {
    const parts = parseSdJwt(text);
    const { header, payload } = parts.issuerJwt;
    if (typeof header.alg !== 'string') return refuse('malformed', 'The SD-JWT header names no algorithm.');
    if (!SD_JWT_VC_MEDIA_TYPES.includes(mediaType(header.typ) ?? '')) {
      return refuse('unsupported_format', `An SD-JWT of type ${String(header.typ ?? 'none').slice(0, 40)} is not an SD-JWT VC (typ dc+sd-jwt or vc+sd-jwt).`);
    }
    if ('crit' in header) return refuse('unsupported_format', 'The SD-JWT uses critical header extensions this system does not understand.');
    const hashAlgorithm = sdHashAlgorithm(payload);
    const processed = processDisclosures(payload, parts.disclosures, hashAlgorithm, digest);
    const hidden = processed.disclosedTopLevel.filter((name) => ALWAYS_VISIBLE.includes(name));
    if (hidden.length > 0)
      return refuse('malformed', `The SD-JWT VC makes ${hidden.join(', ')} selectively disclosable; SD-JWT VC requires them in the clear.`);
    return { ok: true, parts, hashAlgorithm, claims: processed.claims, unreferenced: processed.unreferenced };
  } catch (err) {
    if (err instanceof SdJwtError) return refuse(err.kind === 'unsupported' ? 'unsupported_format' : 'malformed', err.message);
    throw err;
  }
}

/** SD-JWT VC's rules on the claims a verifier relies on. */
export function sdJwtVcClaimProblems(claims: JsonRecord): string[] {
  const problems: string[] = [];
  if (typeof claims.vct !== 'string' || claims.vct.length === 0) problems.push('The credential has no vct (credential type).');
  for (const claim of ['iat', 'nbf', 'exp'] as const) {
    if (claims[claim] !== undefined && !(typeof claims[claim] === 'number' && Math.abs(claims[claim]) <= 8.64e12))
      problems.push(`The ${claim} claim must be a number of seconds.`);
  }
  if (claims.cnf !== undefined && !isRecord(claims.cnf)) problems.push('The cnf claim is not an object.');
  if (claims.sub !== undefined && typeof claims.sub !== 'string') problems.push('The sub claim is not a string.');
  return problems;
}
