import { isRecord } from '../util/json';

/** Inputs above this size are refused before any parsing (a badge is a few KiB). */
export const MAX_INPUT_BYTES = 64 * 1024;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const ENVELOPE_PREFIX = 'data:application/vc+jwt,';
const VP_ENVELOPE_PREFIX = 'data:application/vp+jwt,';

export type ScanInput = string | { type: 'EnvelopedVerifiableCredential'; id: string };

export type ScanResult =
  | { ok: true; jws: string }
  | { ok: false; code: 'malformed' | 'unsupported_format'; message: string; raw?: string };

/**
 * What a badge scan may yield: the compact JWS, a `data:application/vc+jwt,` envelope (string or VC-API object),
 * or a URL carrying the JWS in a query or fragment parameter. Surrounding whitespace is ignored.
 */
export function extractJws(input: unknown): ScanResult {
  if (isRecord(input)) {
    if (input.type !== 'EnvelopedVerifiableCredential' && input.type !== 'EnvelopedVerifiablePresentation') {
      return { ok: false, code: 'unsupported_format', message: 'Only compact JWS credentials (or enveloped ones) are accepted; this is an unsecured JSON document.' };
    }
    if (typeof input.id !== 'string') return { ok: false, code: 'malformed', message: 'The enveloped credential has no data: URL id.' };
    return extractJws(input.id);
  }
  if (typeof input !== 'string') return { ok: false, code: 'malformed', message: 'Expected the credential as text.' };
  // UTF-8 needs at most 3 bytes per UTF-16 unit, so only long texts need their bytes counted (a pass over the input).
  if (input.length > MAX_INPUT_BYTES || (input.length * 3 > MAX_INPUT_BYTES && Buffer.byteLength(input, 'utf8') > MAX_INPUT_BYTES)) {
    return { ok: false, code: 'malformed', message: `The input is larger than ${MAX_INPUT_BYTES / 1024} KiB.` };
  }
  const text = input.trim();
  if (text.length === 0) return { ok: false, code: 'malformed', message: 'The input is empty.' };
  if (COMPACT_JWS.test(text)) return { ok: true, jws: text };

  for (const prefix of [ENVELOPE_PREFIX, VP_ENVELOPE_PREFIX]) {
    if (text.toLowerCase().startsWith(prefix)) return classify(text.slice(prefix.length).trim(), text);
  }
  if (text.startsWith('data:')) return { ok: false, code: 'unsupported_format', message: 'Only data:application/vc+jwt envelopes are accepted.', raw: text };
  if (/^[a-z][a-z0-9+.-]{0,30}:\/\//i.test(text)) return fromUrl(text);
  return classify(text, text);
}

function classify(candidate: string, raw: string): ScanResult {
  if (COMPACT_JWS.test(candidate)) return { ok: true, jws: candidate };
  if (candidate.includes('~')) return { ok: false, code: 'unsupported_format', message: 'SD-JWT credentials are not supported.', raw };
  if (candidate.startsWith('{') || candidate.startsWith('[')) {
    return { ok: false, code: 'unsupported_format', message: 'This is a JSON document, not a secured credential (a compact JWS).', raw };
  }
  const dots = candidate.split('.').length - 1;
  if (dots === 2 || dots === 4) return { ok: false, code: 'malformed', message: 'This looks like a JWS but is not valid base64url in three parts.', raw };
  return { ok: false, code: 'unsupported_format', message: 'This is not a credential this system can read (expected a compact JWS).', raw };
}

function fromUrl(text: string): ScanResult {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, code: 'malformed', message: 'The scanned URL is not valid.', raw: text };
  }
  const candidates: string[] = [];
  for (const value of url.searchParams.values()) candidates.push(value);
  const fragment = url.hash.replace(/^#/, '');
  if (fragment) {
    if (fragment.includes('=')) for (const value of new URLSearchParams(fragment).values()) candidates.push(value);
    else candidates.push(decodeURIComponentSafe(fragment));
  }
  for (const value of candidates) {
    const v = value.trim();
    const inner = v.toLowerCase().startsWith(ENVELOPE_PREFIX) ? v.slice(ENVELOPE_PREFIX.length) : v;
    if (COMPACT_JWS.test(inner)) return { ok: true, jws: inner };
  }
  return { ok: false, code: 'unsupported_format', message: 'The scanned URL carries no credential (no JWS in its query or fragment).', raw: text };
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
