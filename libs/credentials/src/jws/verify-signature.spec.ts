import { createPublicKey, generateKeyPairSync, sign, type JsonWebKey } from 'node:crypto';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import { decodeCompactJws, type DecodedJws } from './compact-jws';
import { verifyJwsSignature } from './verify-signature';

const decode = (compact: string): DecodedJws => {
  const r = decodeCompactJws(compact);
  if (!r.ok) throw new Error(r.message);
  return r.jws;
};
const payload = new TextEncoder().encode(JSON.stringify({ hello: 'world' }));

describe('verifyJwsSignature (node:crypto)', () => {
  it.each(['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256', 'PS256'])('accepts %s signed by jose and rejects a changed payload', async (alg) => {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
    const jws = await new CompactSign(payload).setProtectedHeader({ alg }).sign(privateKey);
    const key = createPublicKey({ key: (await exportJWK(publicKey)) as JsonWebKey, format: 'jwk' });
    expect(verifyJwsSignature(decode(jws), alg, key)).toBe(true);
    const [h, , s] = jws.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ hello: 'mallory' })).toString('base64url')}.${s}`;
    expect(verifyJwsSignature(decode(forged), alg, key)).toBe(false);
  });

  it('refuses an algorithm that does not match the key or the header', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jws = await new CompactSign(payload).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);
    const key = createPublicKey({ key: (await exportJWK(publicKey)) as JsonWebKey, format: 'jwk' });
    expect(verifyJwsSignature(decode(jws), 'ES384', key)).toBe(false);
    expect(verifyJwsSignature(decode(jws), 'EdDSA', key)).toBe(false);
    const ed = generateKeyPairSync('ed25519').publicKey;
    expect(verifyJwsSignature(decode(jws), 'ES256', ed)).toBe(false);
  });

  it('refuses DER-encoded ECDSA signatures, unknown crit, b64=false, none and HMAC', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const header = Buffer.from(JSON.stringify({ alg: 'ES256' })).toString('base64url');
    const body = Buffer.from(payload).toString('base64url');
    const der = sign('sha256', Buffer.from(`${header}.${body}`), privateKey).toString('base64url');
    expect(verifyJwsSignature(decode(`${header}.${body}.${der}`), 'ES256', publicKey)).toBe(false);
    const raw = sign('sha256', Buffer.from(`${header}.${body}`), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    expect(verifyJwsSignature(decode(`${header}.${body}.${raw}`), 'ES256', publicKey)).toBe(true);
    for (const extra of [
      { crit: ['exp'], exp: 1 },
      { b64: false, crit: ['b64'] },
    ]) {
      const h = Buffer.from(JSON.stringify({ alg: 'ES256', ...extra })).toString('base64url');
      const sig = sign('sha256', Buffer.from(`${h}.${body}`), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
      expect(verifyJwsSignature(decode(`${h}.${body}.${sig}`), 'ES256', publicKey)).toBe(false);
    }
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${body}.AA`;
    expect(verifyJwsSignature(decode(none), 'none', publicKey)).toBe(false);
    const hs = `${Buffer.from(JSON.stringify({ alg: 'HS256' })).toString('base64url')}.${body}.${'A'.repeat(43)}`;
    expect(verifyJwsSignature(decode(hs), 'HS256', publicKey)).toBe(false);
  });

  it('refuses RSA keys shorter than 2048 bits', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const header = Buffer.from(JSON.stringify({ alg: 'RS256' })).toString('base64url');
    const body = Buffer.from(payload).toString('base64url');
    const sig = sign('sha256', Buffer.from(`${header}.${body}`), privateKey).toString('base64url');
    expect(verifyJwsSignature(decode(`${header}.${body}.${sig}`), 'RS256', publicKey)).toBe(false);
  });
});
