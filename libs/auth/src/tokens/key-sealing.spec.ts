import { randomBytes } from 'node:crypto';
import { seal, unseal } from './key-sealing';

describe('key sealing (AES-256-GCM)', () => {
  const kek = randomBytes(32);
  const secret = '{"kty":"OKP","crv":"Ed25519","d":"private-part","x":"public-part"}';

  it('opens with the same key and context, and the sealed text does not contain the secret', () => {
    const sealed = seal(kek, secret, 'audit_checkpoint:kid-1');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('private-part');
    expect(unseal(kek, sealed, 'audit_checkpoint:kid-1')).toBe(secret);
    expect(seal(kek, secret, 'audit_checkpoint:kid-1')).not.toBe(sealed); // a fresh IV each time
  });

  it('does not open under another key, another context, or after any change', () => {
    const sealed = seal(kek, secret, 'access_token:kid-1');
    expect(unseal(randomBytes(32), sealed, 'access_token:kid-1')).toBeUndefined();
    expect(unseal(kek, sealed, 'audit_checkpoint:kid-1')).toBeUndefined();
    expect(unseal(kek, sealed, 'access_token:kid-2')).toBeUndefined();
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[2], 'base64url');
    flipped[0] ^= 1;
    expect(unseal(kek, [parts[0], parts[1], flipped.toString('base64url'), parts[3]].join('.'), 'access_token:kid-1')).toBeUndefined();
    expect(unseal(kek, 'v2.a.b.c', 'access_token:kid-1')).toBeUndefined();
    expect(unseal(kek, 'garbage', 'access_token:kid-1')).toBeUndefined();
  });
});
