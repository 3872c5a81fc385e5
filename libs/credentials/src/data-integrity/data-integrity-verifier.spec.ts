import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFORMANCE_DIR } from '../../../../test/support/conformance';
import { BoundedFetcher } from '../fetch/bounded-fetcher';
import { algorithmsFor, jwkThumbprint, keyObjectFor, type PublicJwk } from '../keys/jwk';
import { KeyResolutionError, KeyResolver, type VerificationKey } from '../keys/key-resolver';
import { multikeyToJwk } from '../keys/multibase';
import type { JsonRecord } from '../util/json';
import { JsonLdContexts } from './context-store';
import { DataIntegrityVerifier, type ProofCheck } from './data-integrity-verifier';

/**
 * The proof layer against the public vectors (../shared/conformance, read in place): every signed credential of the
 * W3C vc-di-eddsa and vc-di-ecdsa Recommendations and the Open Badges 3.0 examples. Keys come from the proof's own
 * verificationMethod here (did:key, or the Open Badges validator's convention of a multikey fragment): binding a
 * key to the issuer is the engine's job, tested there.
 */
const CONTEXTS_DIR = path.join(CONFORMANCE_DIR, 'jsonld-contexts');
const contexts = JsonLdContexts.load(CONTEXTS_DIR);
const verifier = new DataIntegrityVerifier(contexts);
const didKeys = new KeyResolver({
  fetcher: new BoundedFetcher({ insecureHosts: [], allowPrivateNetwork: false, timeoutMs: 100, maxBytes: 1024, cacheTtlMs: 0 }),
  cacheTtlMs: 0,
});

function readJson(file: string): JsonRecord {
  return JSON.parse(readFileSync(file, 'utf8')) as JsonRecord;
}

/** did:key through the project's resolver; `<url>#<multikey>` read from the fragment (the OB validator's convention). */
async function keyFor(vm: string): Promise<VerificationKey> {
  if (vm.startsWith('did:key:')) return (await didKeys.keySet(vm.split('#')[0])).keys[0];
  let jwk: PublicJwk;
  try {
    jwk = multikeyToJwk(vm.slice(vm.indexOf('#') + 1));
  } catch (err) {
    throw new KeyResolutionError('key_not_found', (err as Error).message);
  }
  return { id: vm, jwk, thumbprint: jwkThumbprint(jwk), keyObject: keyObjectFor(jwk), algorithms: algorithmsFor(jwk) };
}

async function verifyProofs(credential: JsonRecord, now = new Date('2025-01-01T00:00:00Z')): Promise<ProofCheck> {
  const reading = verifier.read(credential);
  if (!reading.ok) return reading;
  return verifier.verify(reading, { keyFor, now });
}

interface VectorCase {
  id: string;
  cryptosuite: string;
  input: string;
  expected: string;
  steps?: Record<string, string>;
}

describe.each(['vc-di-eddsa', 'vc-di-ecdsa'])('W3C %s vectors', (folder) => {
  const dir = path.join(CONFORMANCE_DIR, folder);
  const cases = readJson(path.join(dir, 'expected.json')).cases as VectorCase[];
  const signed = cases.filter((c) => c.expected.startsWith('verified'));

  it('has the vectors', () => {
    expect(signed).toHaveLength(8);
  });

  it.each(signed.filter((c) => c.cryptosuite !== 'ecdsa-sd-2023').map((c) => [c.id, c] as const))('%s verifies', async (_id, c) => {
    const result = await verifyProofs(readJson(path.join(dir, c.input)));
    expect(result).toMatchObject({ ok: true });
  });

  // Selective disclosure (the holder's derived proofs and the issuer's base proofs) is not supported yet.
  const selective = cases.filter((c) => c.cryptosuite === 'ecdsa-sd-2023');
  if (selective.length > 0) {
    it.each(selective.map((c) => [c.id, c] as const))('%s (ecdsa-sd-2023) is unsupported_format', async (_id, c) => {
      const result = await verifyProofs(readJson(path.join(dir, c.input)));
      expect(result).toMatchObject({ ok: false, code: 'unsupported_format' });
    });
  }

  it.each(cases.filter((c) => c.steps?.combinedHashHex ?? c.steps?.['combinedHashHex (proofOptionsHash || documentHash)']).map((c) => [c.id, c] as const))(
    '%s: the hash data equals the published one',
    async (_id, c) => {
      const credential = readJson(path.join(dir, c.input));
      const reading = verifier.read(credential);
      if (!reading.ok) throw new Error(reading.message);
      const digest = c.id.includes('p384') ? 'sha384' : 'sha256';
      const data = await verifier.hashData(reading.credential, reading.proofs, reading.proofs[0], digest);
      const published = readFileSync(path.join(dir, c.steps!['combinedHashHex (proofOptionsHash || documentHash)']), 'utf8').trim();
      expect(data.toString('hex')).toBe(published);
    },
  );
});

describe('Open Badges 3.0 examples', () => {
  const dir = path.join(CONFORMANCE_DIR, 'openbadges-3.0');
  const expected = readJson(path.join(dir, 'expected.json')) as { validator: Array<{ file: string; proofCheckedHere: string }> };

  it('the implementation guide example verifies', async () => {
    expect(await verifyProofs(readJson(path.join(dir, 'impl-guide/signed.json')))).toMatchObject({ ok: true });
  });

  it.each(expected.validator.map((v) => [v.file, v] as const))('validator fixture %s: the proof verdict matches proofCheckedHere', async (file, v) => {
    const credential = readJson(path.join(dir, file));
    const result = await verifyProofs(credential);
    const verdict = v.proofCheckedHere;
    if (verdict.startsWith('verifies')) expect(result).toMatchObject({ ok: true });
    else if (verdict.startsWith('not checked here (ecdsa-sd-2023')) expect(result).toMatchObject({ ok: false, code: 'unsupported_format' });
    else if (verdict.startsWith('second proof verifies')) {
      // A proof set with a proof of an unknown type: the set is refused; its second proof alone verifies.
      expect(result).toMatchObject({ ok: false, code: 'unsupported_format' });
      expect(await verifyProofs({ ...credential, proof: (credential.proof as unknown[])[1] })).toMatchObject({ ok: true });
    } else if (verdict.startsWith('does not verify')) expect(result).toMatchObject({ ok: false, code: 'signature_invalid' });
    else if (verdict.startsWith('no key')) expect(result).toMatchObject({ ok: false, code: 'key_not_found' });
    else if (verdict.startsWith('rejected before signature check: JSON-LD safe mode')) {
      // Refused earlier still when the credential does not even start with a VC base context.
      const base = ['https://www.w3.org/ns/credentials/v2', 'https://www.w3.org/2018/credentials/v1'].includes((credential['@context'] as string[])[0]);
      expect(result).toMatchObject({ ok: false, code: base ? 'data_model_invalid' : 'unsupported_format' });
    } else throw new Error(`unexpected verdict ${verdict}`);
  });
});

describe('bundled contexts', () => {
  it('pins every W3C and security context to the SHA-256 the conformance index gives its URL; the Open Badges ones come from the Apache-2.0 validator', () => {
    const bundled = JsonLdContexts.load();
    const shared = new Map((readJson(path.join(CONTEXTS_DIR, 'index.json')).contexts as Array<{ url: string; sha256: string }>).map((c) => [c.url, c.sha256]));
    expect(
      bundled
        .list()
        .map((p) => p.url)
        .sort(),
    ).toEqual([
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
      'https://purl.imsglobal.org/spec/ob/v3p0/context.json',
      'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json',
      'https://w3id.org/security/data-integrity/v1',
      'https://w3id.org/security/data-integrity/v2',
      'https://w3id.org/security/multikey/v1',
      'https://w3id.org/security/suites/ed25519-2020/v1',
      'https://www.w3.org/2018/credentials/v1',
      'https://www.w3.org/ns/credentials/v2',
    ]);
    for (const pin of bundled.list().filter((p) => !p.replaceable))
      expect({ url: pin.url, sha256: pin.sha256, origin: pin.origin }).toEqual({ url: pin.url, sha256: shared.get(pin.url), origin: 'bundled' });
    // The specification's own copies: the same JSON (context.json even the same bytes), 3.0.3 with two terms fewer.
    for (const pin of bundled.list().filter((p) => p.replaceable)) {
      const spec = readJson(path.join(CONTEXTS_DIR, `contexts/ob-v3p0-${pin.url.split('/').pop()!}`));
      const ours = bundled.document(pin.url) as { '@context': Record<string, unknown> };
      if (pin.url.endsWith('3.0.3.json')) {
        const { jti: _jti, endorsementJwt: _e, ...rest } = ours['@context'];
        expect({ '@context': rest }).toEqual(spec);
      } else expect(ours).toEqual(spec);
    }
  });

  it('the Open Badges 3.0 examples verify with the bundled contexts alone (no JSONLD_CONTEXTS_DIR)', async () => {
    const alone = new DataIntegrityVerifier(JsonLdContexts.load());
    const dir = path.join(CONFORMANCE_DIR, 'openbadges-3.0');
    const expected = readJson(path.join(dir, 'expected.json')) as { validator: Array<{ file: string; proofCheckedHere: string }> };
    const files = ['impl-guide/signed.json', ...expected.validator.filter((v) => v.proofCheckedHere.startsWith('verifies')).map((v) => v.file)];
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const reading = alone.read(readJson(path.join(dir, file)));
      const result = reading.ok ? await alone.verify(reading, { keyFor, now: new Date('2025-01-01T00:00:00Z') }) : reading;
      expect({ file, result }).toMatchObject({ file, result: { ok: true } });
    }
  });
});

describe('contexts an inline context names', () => {
  // A JCS proof pins the contexts it was made under and never expands the credential: a context appended after them is
  // not signed, so the contexts it names are checked before anything else.
  const signed = readJson(path.join(CONFORMANCE_DIR, 'vc-di-eddsa', 'TestVectors/eddsa-jcs-2022/signedJCS.json'));
  const appended = (context: unknown): JsonRecord => ({ ...signed, '@context': [...(signed['@context'] as unknown[]), context] });

  it.each([
    ['@import', { '@import': 'https://example.org/evil-context.json' }],
    ['nested @context', { '@context': 'https://example.org/evil-context.json' }],
    ['scoped context of a term', { evil: { '@id': 'https://evil.example/evil', '@context': ['https://example.org/evil-context.json'] } }],
    ['@import that is no URL', { '@import': 42 }],
  ])('unsupported_format for an unknown context named by an appended %s', async (_what, context) => {
    expect(await verifyProofs(appended(context))).toMatchObject({
      ok: false,
      code: 'unsupported_format',
      message: expect.stringContaining('not one of the contexts held here'),
    });
  });

  it('an appended inline context naming only pinned contexts (or none) is no reason to refuse', async () => {
    expect(await verifyProofs(appended({ '@vocab': 'https://evil.example/' }))).toMatchObject({ ok: true });
    expect(await verifyProofs(appended({ '@import': 'https://www.w3.org/ns/credentials/v2' }))).toMatchObject({ ok: true });
  });
});
