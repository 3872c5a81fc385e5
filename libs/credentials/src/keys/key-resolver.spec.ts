import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BoundedFetcher } from '../fetch/bounded-fetcher';
import { jwkThumbprint, toPublicJwk } from './jwk';
import { KeyResolutionError, KeyResolver } from './key-resolver';
import { base58Decode, base58Encode, multikeyToJwk } from './multibase';

const fetcher = (insecure: string[] = []) =>
  new BoundedFetcher({ insecureHosts: insecure, allowPrivateNetwork: true, timeoutMs: 2000, maxBytes: 65536, cacheTtlMs: 60000 });

const publicJwk = () => {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return toPublicJwk(publicKey.export({ format: 'jwk' }));
};

describe('did:key and multikeys', () => {
  it('decodes the published P-256 did:key examples (compressed points)', () => {
    expect(multikeyToJwk('zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv')).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: 'igrFmi0whuihKnj9R3Om1SoMph72wUGeFaBbzG2vzns',
      y: 'efsX5b10x8yjyrj4ny3pGfLcY7Xby1KzgqOdqnsrJIM',
    });
    expect(multikeyToJwk('zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169').x).toBe('fyNYMN0976ci7xqiSdag3buk-ZCwgXU4kz9XNkBlNUI');
  });

  it('decodes Ed25519 (z6Mk...) and round-trips a freshly made P-256 key through its compressed form', () => {
    expect(multikeyToJwk('z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK')).toEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: 'Lm_M42cB3HkUiODQsXRcweM6TByfzEHGO9ND274JcOY',
    });
    const jwk = publicJwk();
    const x = Buffer.from(jwk.x!, 'base64url');
    const yOdd = Buffer.from(jwk.y!, 'base64url')[31] & 1;
    const multikey = `z${base58Encode(Uint8Array.from([0x80, 0x24, yOdd ? 3 : 2, ...x]))}`;
    expect(multikeyToJwk(multikey)).toEqual({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y });
    expect(base58Decode('0OIl')).toBeUndefined();
  });

  it('resolves did:key and did:jwk offline, and refuses a did:jwk carrying a private key', async () => {
    const resolver = new KeyResolver({ fetcher: fetcher(), cacheTtlMs: 1000 });
    const did = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
    const set = await resolver.keySet(did);
    expect(set.keys[0].id).toBe(`${did}#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK`);

    const jwk = publicJwk();
    const didJwk = `did:jwk:${Buffer.from(JSON.stringify(jwk)).toString('base64url')}`;
    expect((await resolver.keySet(didJwk)).keys[0]).toMatchObject({ id: `${didJwk}#0`, algorithms: ['ES256'] });

    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const withD = `did:jwk:${Buffer.from(JSON.stringify(privateKey.export({ format: 'jwk' }))).toString('base64url')}`;
    await expect(resolver.keySet(withD)).rejects.toMatchObject({ code: 'did_unresolvable', message: expect.stringContaining('private') });
  });

  it('gives a did:jwk whose key is not for signing (use "enc", key_ops without verify) no assertion key', async () => {
    const resolver = new KeyResolver({ fetcher: fetcher(), cacheTtlMs: 1000 });
    const didOf = (jwk: Record<string, unknown>): string => `did:jwk:${Buffer.from(JSON.stringify(jwk)).toString('base64url')}`;
    const jwk = publicJwk();
    await expect(resolver.keySet(didOf({ ...jwk, use: 'enc' }))).rejects.toMatchObject({
      code: 'key_not_found',
      message: expect.stringContaining('not a signing key'),
    });
    await expect(resolver.keySet(didOf({ ...jwk, key_ops: ['encrypt'] }))).rejects.toMatchObject({ code: 'key_not_found' });
    expect((await resolver.keySet(didOf({ ...jwk, use: 'sig', key_ops: ['verify'] }))).keys).toHaveLength(1);
  });
});

describe('did:web', () => {
  let server: Server;
  let port: number;
  const docs = new Map<string, unknown>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      const doc = docs.get(req.url ?? '');
      res.writeHead(doc ? 200 : 404, { 'content-type': 'application/json' }).end(doc ? JSON.stringify(doc) : '{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('maps host and path forms to URLs (port as %3A; http only for configured hosts)', () => {
    const resolver = new KeyResolver({ fetcher: fetcher(), cacheTtlMs: 1000, insecureHosts: ['localhost'] });
    expect(resolver.didWebUrl('did:web:example.com')).toBe('https://example.com/.well-known/did.json');
    expect(resolver.didWebUrl('did:web:example.com%3A3000:boards:nursing')).toBe('https://example.com:3000/boards/nursing/did.json');
    expect(resolver.didWebUrl('did:web:localhost%3A8080:x')).toBe('http://localhost:8080/x/did.json');
    expect(() => resolver.didWebUrl('did:web:evil.com:..:x')).toThrow(KeyResolutionError);
    expect(() => resolver.didWebUrl('did:web:evil.com%2Fpath')).toThrow(KeyResolutionError);
  });

  it('uses only assertionMethod keys controlled by the DID, and selects by kid, #fragment or matching embedded jwk', async () => {
    const did = `did:web:127.0.0.1%3A${port}:boards:fl`;
    const assertion = publicJwk();
    const authOnly = publicJwk();
    const foreign = publicJwk();
    docs.set('/boards/fl/did.json', {
      id: did,
      verificationMethod: [
        { id: '#key-1', type: 'JsonWebKey', controller: did, publicKeyJwk: assertion },
        { id: `${did}#auth`, type: 'JsonWebKey', controller: did, publicKeyJwk: authOnly },
        { id: `${did}#foreign`, type: 'JsonWebKey', controller: 'did:web:other.example', publicKeyJwk: foreign },
      ],
      assertionMethod: ['#key-1', `${did}#foreign`],
      authentication: [`${did}#auth`],
    });
    const resolver = new KeyResolver({ fetcher: fetcher(['127.0.0.1']), cacheTtlMs: 1000, insecureHosts: ['127.0.0.1'] });
    const set = await resolver.keySet(did);
    expect(set.keys.map((k) => k.id)).toEqual([`${did}#key-1`]);
    expect(resolver.select(set, { kid: `${did}#key-1` }).thumbprint).toBe(jwkThumbprint(assertion));
    expect(resolver.select(set, { kid: '#key-1' }).id).toBe(`${did}#key-1`);
    expect(resolver.select(set, {}).id).toBe(`${did}#key-1`);
    expect(resolver.select(set, { jwk: assertion }).id).toBe(`${did}#key-1`);
    expect(() => resolver.select(set, { kid: `${did}#auth` })).toThrow(expect.objectContaining({ code: 'key_not_found' }));
    expect(() => resolver.select(set, { kid: 'did:web:attacker.example#key-1' })).toThrow(expect.objectContaining({ code: 'key_not_found' }));
    expect(() => resolver.select(set, { jwk: foreign })).toThrow(expect.objectContaining({ code: 'key_not_found' }));
  });

  it('keeps using a known key set for a while when its document becomes unreachable', async () => {
    let now = 1_000_000;
    const did = `did:web:127.0.0.1%3A${port}:flaky`;
    docs.set('/flaky/did.json', {
      id: did,
      verificationMethod: [{ id: '#k', type: 'JsonWebKey', controller: did, publicKeyJwk: publicJwk() }],
      assertionMethod: ['#k'],
    });
    const resolver = new KeyResolver({
      fetcher: fetcher(['127.0.0.1']),
      cacheTtlMs: 1000,
      insecureHosts: ['127.0.0.1'],
      now: () => now,
      staleIfErrorMs: 60_000,
    });
    const first = await resolver.keySet(did);
    docs.delete('/flaky/did.json');
    now += 5_000;
    expect(await resolver.keySet(did)).toBe(first);
    now += 60_000;
    await expect(resolver.keySet(did)).rejects.toMatchObject({ code: 'did_unresolvable' });
  });

  it('reads an https issuer URL that publishes a controller document (Data Integrity issuers), by verification method', async () => {
    const issuer = `http://127.0.0.1:${port}/issuers/ob`;
    const { publicKey } = generateKeyPairSync('ed25519');
    const multikey = `z${base58Encode(Uint8Array.from([0xed, 0x01, ...publicKey.export({ format: 'der', type: 'spki' }).subarray(-32)]))}`;
    docs.set('/issuers/ob', {
      id: issuer,
      type: 'Profile',
      verificationMethod: [
        { id: `${issuer}#key-1`, type: 'Multikey', controller: issuer, publicKeyMultibase: multikey },
        { id: `${issuer}#other`, type: 'Multikey', controller: 'https://someone.else', publicKeyMultibase: multikey },
      ],
      assertionMethod: [`${issuer}#key-1`, `${issuer}#other`],
    });
    const resolver = new KeyResolver({ fetcher: fetcher(['127.0.0.1']), cacheTtlMs: 1000, insecureHosts: ['127.0.0.1'] });
    const set = await resolver.keySet(issuer);
    expect(set).toMatchObject({ method: 'controller-document', keys: [{ id: `${issuer}#key-1`, jwk: { kty: 'OKP', crv: 'Ed25519' } }] });
    expect(resolver.method(set, `${issuer}#key-1`).id).toBe(`${issuer}#key-1`);
    expect(() => resolver.method(set, `${issuer}#other`)).toThrow(expect.objectContaining({ code: 'key_not_found' }));
    expect(() => resolver.method(set, 'did:web:attacker.example#key-1')).toThrow(
      expect.objectContaining({ code: 'key_not_found', message: expect.stringContaining('belongs to did:web:attacker.example') }),
    );
    // The issuer itself names its only key (did:key without a fragment).
    expect(resolver.method(set, issuer).id).toBe(`${issuer}#key-1`);
    docs.set('/issuers/impostor', { id: 'https://real.example/issuer', verificationMethod: [], assertionMethod: [] });
    await expect(resolver.keySet(`http://127.0.0.1:${port}/issuers/impostor`)).rejects.toMatchObject({
      code: 'key_not_found',
      message: expect.stringContaining('another id'),
    });
  });

  it('reports an unreachable or mismatched document as did_unresolvable', async () => {
    const resolver = new KeyResolver({ fetcher: fetcher(['127.0.0.1']), cacheTtlMs: 1000, insecureHosts: ['127.0.0.1'] });
    await expect(resolver.keySet(`did:web:127.0.0.1%3A${port}:nobody`)).rejects.toMatchObject({ code: 'did_unresolvable' });
    docs.set('/liar/did.json', { id: 'did:web:someone.else', verificationMethod: [] });
    await expect(resolver.keySet(`did:web:127.0.0.1%3A${port}:liar`)).rejects.toMatchObject({
      code: 'did_unresolvable',
      message: expect.stringContaining('another DID'),
    });
    // https is required for hosts not configured as insecure
    const strict = new KeyResolver({ fetcher: fetcher(), cacheTtlMs: 1000 });
    await expect(strict.keySet(`did:web:127.0.0.1%3A${port}:boards:fl`)).rejects.toMatchObject({ code: 'did_unresolvable' });
  });
});
