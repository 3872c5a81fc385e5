import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { issueForTestSuite } from './jose-cose-issue';
import { CONFORMANCE_DIR } from '../../../test/support/conformance';

const inputs = join(CONFORMANCE_DIR, 'vc-jose-cose/input');
const load = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(inputs, name), 'utf8')) as Record<string, unknown>;

describe('vc-jose-cose issue contract (core)', () => {
  it('signs the credential unchanged with the given key: typ vc+jwt, kid = method id, no cty', async () => {
    const vm = load('vm-ed25519.json');
    const credential = load('credential-minimal.json');
    const out = await issueForTestSuite(credential, vm, 'credential_jose');
    if (out.result !== 'success') throw new Error(out.message);
    expect(decodeProtectedHeader(out.data)).toEqual({ alg: 'EdDSA', typ: 'vc+jwt', kid: vm.id });
    const { payload } = await compactVerify(out.data, await importJWK(vm.publicKeyJwk as JWK, 'EdDSA'));
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual(credential);
  });

  it('signs presentations as vp+jwt with ES512 for a P-521 key', async () => {
    const vm = load('vm-p521.json');
    const out = await issueForTestSuite(load('presentation-single.json'), vm, 'presentation_jose');
    if (out.result !== 'success') throw new Error(out.message);
    expect(decodeProtectedHeader(out.data)).toEqual({ alg: 'ES512', typ: 'vp+jwt', kid: vm.id });
  });

  it('refuses vc/vp claims, undefined top-level members and broken data models', async () => {
    const vm = load('vm-p256.json');
    const credential = load('credential-minimal.json');
    await expect(issueForTestSuite({ ...credential, vc: {} }, vm, 'credential_jose')).resolves.toMatchObject({
      result: 'failure',
      reason: 'data_model_invalid',
    });
    await expect(issueForTestSuite(load('credential-unknown-extensions.json'), vm, 'credential_jose')).resolves.toMatchObject({
      result: 'failure',
      reason: 'undefined_member',
      message: expect.stringContaining('badExtension'),
    });
    await expect(issueForTestSuite({ ...credential, credentialSubject: {} }, vm, 'credential_jose')).resolves.toMatchObject({ reason: 'data_model_invalid' });
    await expect(issueForTestSuite({ ...credential, validFrom: '2010-01-01' }, vm, 'credential_jose')).resolves.toMatchObject({ reason: 'data_model_invalid' });
    await expect(
      issueForTestSuite({ ...credential, validFrom: '2023-02-26T01:21:23Z', validUntil: '2023-02-25T19:21:29-06:00' }, vm, 'credential_jose'),
    ).resolves.toMatchObject({ result: 'success' });
    const unsecuredInside = { ...load('presentation-single.json'), verifiableCredential: [credential] };
    await expect(issueForTestSuite(unsecuredInside, vm, 'presentation_jose')).resolves.toMatchObject({ result: 'failure', reason: 'data_model_invalid' });
  });

  it('accepts Open Badges members when the Open Badges context is present', async () => {
    const credential = {
      ...load('credential-minimal.json'),
      '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
      awardedDate: '2024-01-01T00:00:00Z',
    };
    await expect(issueForTestSuite(credential, load('vm-p256.json'), 'credential_jose')).resolves.toMatchObject({ result: 'success' });
  });

  it('refuses a key file without a usable private key, or whose halves do not match', async () => {
    const credential = load('credential-minimal.json');
    const vm = load('vm-p256.json');
    const { secretKeyJwk: _secret, ...publicOnly } = vm;
    await expect(issueForTestSuite(credential, publicOnly, 'credential_jose')).resolves.toMatchObject({ reason: 'invalid_key' });
    const mismatched = { ...vm, publicKeyJwk: load('vm-p384.json').publicKeyJwk };
    await expect(issueForTestSuite(credential, mismatched, 'credential_jose')).resolves.toMatchObject({ reason: 'invalid_key' });
    await expect(issueForTestSuite(credential, { ...vm, type: 'Multikey' }, 'credential_jose')).resolves.toMatchObject({ reason: 'invalid_key' });
  });

  it('answers indeterminate for SD-JWT and COSE, which it does not implement', async () => {
    const out = await issueForTestSuite(load('credential-minimal.json'), load('vm-p256.json'), 'credential_sdjwt');
    expect(out).toMatchObject({ result: 'indeterminate', reason: 'unsupported_feature' });
  });
});
