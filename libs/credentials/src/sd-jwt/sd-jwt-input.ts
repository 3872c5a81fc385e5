import { MAX_INPUT_BYTES } from '../input/scan-input';
import { isRecord, oneOrMany } from '../util/json';
import { looksLikeSdJwt } from './sd-jwt';

const ENVELOPES = ['data:application/dc+sd-jwt,', 'data:application/vc+sd-jwt,'];

/**
 * The compact SD-JWT in what a scan or a verify request carries: the text itself, a `data:application/dc+sd-jwt,`
 * (or `vc+sd-jwt`) envelope, as text or as an EnvelopedVerifiableCredential. Undefined for anything else, and for
 * inputs over the size limit (the general scan then refuses them).
 */
export function sdJwtInput(input: unknown): string | undefined {
  if (isRecord(input)) {
    return oneOrMany(input.type).includes('EnvelopedVerifiableCredential') && typeof input.id === 'string' ? fromText(input.id, true) : undefined;
  }
  return typeof input === 'string' ? fromText(input, false) : undefined;
}

function fromText(input: string, envelopeOnly: boolean): string | undefined {
  if (input.length > MAX_INPUT_BYTES) return undefined;
  const text = input.trim();
  const envelope = /^data:/i.test(text) ? ENVELOPES.find((prefix) => text.toLowerCase().startsWith(prefix)) : undefined;
  const candidate = envelope ? text.slice(envelope.length).trim() : !envelopeOnly && looksLikeSdJwt(text) ? text : undefined;
  // UTF-8 needs at most 3 bytes per UTF-16 unit, so only long texts need their bytes counted.
  if (candidate === undefined || (input.length * 3 > MAX_INPUT_BYTES && Buffer.byteLength(input, 'utf8') > MAX_INPUT_BYTES)) return undefined;
  return candidate;
}
