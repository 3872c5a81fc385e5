import { createPublicKey } from 'node:crypto';
import { JwkError, type PublicJwk } from './jwk';

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const BASE58_INDEX = new Map([...BASE58].map((c, i) => [c, i]));

/** base58btc (Bitcoin alphabet) -> bytes; undefined on a character outside the alphabet. */
export function base58Decode(text: string): Uint8Array | undefined {
  if (text.length === 0 || text.length > 256) return undefined;
  let value = 0n;
  for (const c of text) {
    const digit = BASE58_INDEX.get(c);
    if (digit === undefined) return undefined;
    value = value * 58n + BigInt(digit);
  }
  const bytes: number[] = [];
  while (value > 0n) {
    bytes.unshift(Number(value & 0xffn));
    value >>= 8n;
  }
  for (const c of text) {
    if (c !== '1') break;
    bytes.unshift(0);
  }
  return Uint8Array.from(bytes);
}

export function base58Encode(bytes: Uint8Array): string {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) + BigInt(b);
  let out = '';
  while (value > 0n) {
    out = BASE58[Number(value % 58n)] + out;
    value /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = '1' + out;
  }
  return out;
}

/**
 * SPKI DER prefixes (hex) for EC public keys in compressed form: OpenSSL (node:crypto) decompresses them for us.
 * Text, made bytes when used: this module is also in the offline station's bundle, where there is no Buffer.
 */
const COMPRESSED_EC_SPKI: Record<'P-256' | 'P-384', { prefix: string; length: number }> = {
  'P-256': { prefix: '3039301306072a8648ce3d020106082a8648ce3d030107032200', length: 33 },
  'P-384': { prefix: '3046301006072a8648ce3d020106052b81040022033200', length: 49 },
};

/**
 * A multibase (`z` = base58btc) multicodec public key, as in did:key and Multikey verification methods:
 * Ed25519 (0xed 0x01), P-256 (0x80 0x24, compressed point), P-384 (0x81 0x24, compressed point).
 */
export function multikeyToJwk(multibase: string): PublicJwk {
  if (!multibase.startsWith('z')) throw new JwkError('Only base58btc (z...) multibase keys are supported.');
  const bytes = base58Decode(multibase.slice(1));
  if (!bytes || bytes.length < 3) throw new JwkError('The multibase key is not valid base58btc.');
  const [a, b] = bytes;
  const raw = Buffer.from(bytes.subarray(2));
  if (a === 0xed && b === 0x01) {
    if (raw.length !== 32) throw new JwkError('An Ed25519 key has 32 bytes.');
    return { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') };
  }
  const curve = a === 0x80 && b === 0x24 ? 'P-256' : a === 0x81 && b === 0x24 ? 'P-384' : undefined;
  if (!curve) throw new JwkError('Unsupported multicodec key type.');
  const { prefix, length } = COMPRESSED_EC_SPKI[curve];
  if (raw.length !== length || (raw[0] !== 0x02 && raw[0] !== 0x03)) throw new JwkError(`A ${curve} key is a ${length}-byte compressed point.`);
  try {
    const jwk = createPublicKey({ key: Buffer.concat([Buffer.from(prefix, 'hex'), raw]), format: 'der', type: 'spki' }).export({ format: 'jwk' });
    return { kty: 'EC', crv: curve, x: jwk.x, y: jwk.y };
  } catch {
    throw new JwkError(`The ${curve} point is not on the curve.`);
  }
}
