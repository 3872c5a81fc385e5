import { isRecord, type JsonRecord } from '../util/json';

/**
 * The JWS JSON Serialization of an SD-JWT (RFC 9901 section 8): flattened (`protected`, `payload`, `signature`,
 * `header`) or general (`payload`, `signatures`), the Disclosures and the Key Binding JWT in the unprotected header
 * (`disclosures`, `kb_jwt`). It is read as the compact SD-JWT of the same signature, which is what the Key Binding
 * JWT's `sd_hash` covers (section 8.1) and what is verified, hashed as evidence and kept for reverification.
 *
 * General: the first signature is the issuer's and is the one verified; only its header may carry `disclosures` and
 * `kb_jwt` (section 8.1); further signatures are ignored. Other unprotected header members (a `kid`, say) are not
 * integrity-protected and are not used.
 */
export type JsonSdJwt = { ok: true; compact: string } | { ok: false; message: string };

const B64URL = /^[A-Za-z0-9_-]+$/;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Whether a JSON object is shaped like a JWS JSON serialization (then it is read by `sdJwtFromJson`, or refused). */
export function isJwsJson(doc: JsonRecord): boolean {
  return 'payload' in doc && ('signatures' in doc || ('protected' in doc && 'signature' in doc));
}

export function sdJwtFromJson(doc: JsonRecord): JsonSdJwt {
  const fail = (message: string): JsonSdJwt => ({ ok: false, message });
  if (typeof doc.payload !== 'string' || !B64URL.test(doc.payload)) return fail('The JWS JSON payload must be base64url text.');
  let first: JsonRecord;
  if ('signatures' in doc) {
    if ('protected' in doc || 'signature' in doc || 'header' in doc) return fail('A JWS JSON serialization is either flattened or general, not both.');
    const signatures = doc.signatures;
    if (!Array.isArray(signatures) || signatures.length === 0 || !signatures.every(isRecord)) return fail('The JWS JSON signatures must be a list of objects.');
    if (signatures.length > 4) return fail('The JWS JSON serialization carries more than 4 signatures.');
    [first] = signatures as JsonRecord[];
    for (const later of (signatures as JsonRecord[]).slice(1)) {
      if (isRecord(later.header) && ('disclosures' in later.header || 'kb_jwt' in later.header))
        return fail('Only the first signature may carry the Disclosures and the Key Binding JWT (RFC 9901, 8.1).');
    }
  } else {
    first = doc;
  }
  if (typeof first.protected !== 'string' || !B64URL.test(first.protected)) return fail('The issuer signature has no base64url protected header.');
  if (typeof first.signature !== 'string' || !B64URL.test(first.signature)) return fail('The issuer signature is not base64url text.');
  const header = first.header ?? {};
  if (!isRecord(header)) return fail('The unprotected header must be an object.');
  const disclosures = header.disclosures ?? [];
  if (!Array.isArray(disclosures) || !disclosures.every((d): d is string => typeof d === 'string' && B64URL.test(d)))
    return fail('The disclosures must be a list of base64url Disclosures.');
  const kb = header.kb_jwt;
  if (kb !== undefined && (typeof kb !== 'string' || !COMPACT_JWS.test(kb))) return fail('kb_jwt must be a compact JWS.');
  const issuerJwt = `${first.protected}.${doc.payload}.${first.signature}`;
  return { ok: true, compact: `${issuerJwt}~${disclosures.map((d) => `${d}~`).join('')}${kb ?? ''}` };
}
