import { PACK_FORMAT, PACK_TYP, type IncidentPack, type SignedIncidentPack } from './incident-pack';

export type PackRefusal = 'pack_malformed' | 'pack_key_unknown' | 'pack_signature_invalid' | 'pack_foreign';

export class PackRefused extends Error {
  constructor(
    readonly code: PackRefusal,
    message: string,
  ) {
    super(message);
  }
}

export interface PackKey {
  kid?: string;
  kty?: string;
  crv?: string;
  x?: string;
}

const b64url = (bytes: Uint8Array): string => {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};
const fromB64url = (text: string): Uint8Array<ArrayBuffer> => {
  const raw = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
};
export { b64url as base64url };

/**
 * Verifies a signed pack with the pack keys the station pinned (from /.well-known/incident-pack-keys.json, read while
 * online) and returns it; refuses a pack whose signature fails, whose key is not pinned, or which is for another
 * incident. WebCrypto only, so the same code runs in the browser and in Node.
 */
export async function verifyIncidentPack(signed: SignedIncidentPack, keys: PackKey[], incidentId: string): Promise<IncidentPack> {
  if (typeof signed?.payload !== 'string' || typeof signed.protected !== 'string' || typeof signed.signature !== 'string')
    throw new PackRefused('pack_malformed', 'This is not a signed incident pack.');
  let header: { alg?: string; kid?: string; typ?: string; b64?: boolean; crit?: string[] };
  try {
    header = JSON.parse(new TextDecoder().decode(fromB64url(signed.protected))) as typeof header;
  } catch {
    throw new PackRefused('pack_malformed', 'The pack signature header cannot be read.');
  }
  if (header.alg !== 'EdDSA' || header.typ !== PACK_TYP || header.b64 !== false || !header.crit?.includes('b64'))
    throw new PackRefused('pack_malformed', 'The pack is not signed as an incident pack (EdDSA, incident-pack+jws, unencoded payload).');
  const jwk = keys.find((k) => k.kid === header.kid && k.kty === 'OKP' && k.crv === 'Ed25519' && typeof k.x === 'string');
  if (!jwk) throw new PackRefused('pack_key_unknown', `The pack is signed with key ${header.kid ?? '(none)'}, which is not one of this server's pack keys.`);
  const key = await crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, { name: 'Ed25519' }, false, ['verify']);
  const input = new TextEncoder().encode(`${signed.protected}.${signed.payload}`);
  if (!(await crypto.subtle.verify({ name: 'Ed25519' }, key, fromB64url(signed.signature), input)))
    throw new PackRefused('pack_signature_invalid', 'The pack signature does not verify: the pack was changed after the server signed it.');
  let pack: IncidentPack;
  try {
    pack = JSON.parse(signed.payload) as IncidentPack;
  } catch {
    throw new PackRefused('pack_malformed', 'The pack content is not JSON.');
  }
  if (pack.format !== PACK_FORMAT) throw new PackRefused('pack_malformed', `Unknown pack format ${String(pack.format)}.`);
  if (pack.incident?.id !== incidentId) throw new PackRefused('pack_foreign', 'This pack is for another incident.');
  return pack;
}
