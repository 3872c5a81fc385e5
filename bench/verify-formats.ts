/**
 * The per-format part of bench:verify: one credential per format the engine reads, its issuer keys and status lists
 * served by a local server (fetched once, then cached), the raw signature check of the same signature, and for
 * Data Integrity the reference stack (Digital Bazaar's `@digitalbazaar/vc`) with the same pinned contexts.
 */
import { createPublicKey, generateKeyPairSync, sign, verify as cryptoVerify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import {
  base58Encode,
  BoundedFetcher,
  CredentialVerifier,
  DataIntegrityVerifier,
  encodeList,
  encodeTokenList,
  issueSdJwt,
  JsonLdContexts,
  signCompactJwt,
  StaticTrustSource,
  type SdJwtAlg,
  type SuiteName,
} from '@app/credentials';
import type * as ReferenceDataIntegrity from '@digitalbazaar/data-integrity';
import type * as ReferenceEcdsa from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import type * as ReferenceEddsa from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import type * as ReferenceVc from '@digitalbazaar/vc';

export const FORMAT_NAMES = ['vc+jwt', 'ob3-jwt', 'dc+sd-jwt', 'eddsa-rdfc-2022', 'ecdsa-rdfc-2019'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];
type JsonRecord = Record<string, unknown>;

/** What a worker needs to build the same verifier (structured-clone safe). */
export interface FormatSetup {
  contextsDir: string;
  /** Issuer ids the registry trusts for RN. */
  trusted: string[];
}

/** The signature alone: the bytes it signs and the key, as node:crypto verifies them. */
export interface RawSignature {
  jwk: JsonWebKey;
  /** Hash for ECDSA; null for Ed25519. */
  digest: 'sha256' | null;
  data: string;
  signature: string;
}

export interface FormatFixture {
  name: FormatName;
  input: string | JsonRecord;
  raw: RawSignature;
}

export type FormatPhase = 'raw' | 'engine' | 'reference';

/**
 * The OB 3.0 contexts are not bundled (JSONLD_CONTEXTS_DIR in docs/verification.md): the bench takes that variable,
 * else the conformance folder beside the repository, as the tests do.
 */
export function contextsDir(): string {
  const repoRoot = resolve(__dirname, '../..');
  const candidates = [process.env.JSONLD_CONTEXTS_DIR, join(repoRoot, '../shared/conformance/jsonld-contexts'), '/work/shared/conformance/jsonld-contexts'];
  const found = candidates.find((d): d is string => typeof d === 'string' && d.length > 0 && existsSync(join(d, 'index.json')));
  if (!found) throw new Error('no JSON-LD contexts folder with the Open Badges 3.0 contexts: set JSONLD_CONTEXTS_DIR');
  return found;
}

/** did:key (Multikey) of an Ed25519 or P-256 public key. */
function didKey(publicKey: KeyObject): { did: string; vm: string; multikey: string } {
  let bytes: Buffer;
  if (publicKey.asymmetricKeyType === 'ed25519') {
    bytes = Buffer.concat([Buffer.from([0xed, 0x01]), publicKey.export({ format: 'der', type: 'spki' }).subarray(-32)]);
  } else {
    const jwk = publicKey.export({ format: 'jwk' });
    const y = Buffer.from(jwk.y!, 'base64url');
    bytes = Buffer.concat([Buffer.from([0x80, 0x24, 0x02 | (y[y.length - 1] & 1)]), Buffer.from(jwk.x!, 'base64url')]);
  }
  const multikey = `z${base58Encode(bytes)}`;
  return { did: `did:key:${multikey}`, vm: `did:key:${multikey}#${multikey}`, multikey };
}

/** A Data Integrity proof over the credential, its hash data computed by the engine's own code (as the tests sign). */
async function signDataIntegrity(
  signer: DataIntegrityVerifier,
  credential: JsonRecord,
  suite: SuiteName,
  privateKey: KeyObject,
  vm: string,
): Promise<{ signed: JsonRecord; data: Buffer; signature: Buffer }> {
  const options = { type: 'DataIntegrityProof', cryptosuite: suite, created: '2025-01-01T00:00:00Z', verificationMethod: vm, proofPurpose: 'assertionMethod' };
  const reading = signer.read({ ...credential, proof: { ...options, proofValue: 'z1111' } });
  if (!reading.ok) throw new Error(`cannot sign: ${reading.message}`);
  const data = await signer.hashData(reading.credential, reading.proofs, reading.proofs[0], 'sha256');
  const signature =
    privateKey.asymmetricKeyType === 'ed25519' ? sign(null, data, privateKey) : sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return { signed: { ...credential, proof: { ...options, proofValue: `z${base58Encode(signature)}` } }, data, signature };
}

/** A typical Open Badge 3.0 licence (AchievementCredential) with a revocation and a suspension entry. */
function openBadge(issuer: string, statusBase: string, achievementBase: string): JsonRecord {
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    id: 'urn:uuid:0b8d1c5e-4f3a-4f0e-9d55-7e1f2a3b4c5d',
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: { id: issuer, type: ['Profile'], name: 'Florida Board of Nursing', url: 'https://floridasnursing.gov' },
    name: 'Registered Nurse licence',
    validFrom: '2024-01-01T00:00:00Z',
    validUntil: '2099-01-01T00:00:00Z',
    credentialSubject: {
      type: ['AchievementSubject'],
      name: 'Dana Rivera',
      achievement: {
        id: `${achievementBase}/achievements/rn`,
        type: ['Achievement'],
        name: 'Registered Nurse',
        description: 'Licensed to practise as a registered nurse in the State of Florida.',
        achievementType: 'License',
        criteria: { narrative: 'Holds an active licence issued by the Board after examination.' },
      },
    },
    credentialStatus: ['revocation', 'suspension'].map((purpose) => ({
      id: `${statusBase}/${purpose}#42`,
      type: 'BitstringStatusListEntry',
      statusPurpose: purpose,
      statusListIndex: '42',
      statusListCredential: `${statusBase}/${purpose}`,
    })),
  };
}

function jwsRaw(jws: string, jwk: JsonWebKey): RawSignature {
  const [h, p, s] = jws.split('.');
  return { jwk, digest: 'sha256', data: Buffer.from(`${h}.${p}`).toString('base64'), signature: Buffer.from(s, 'base64url').toString('base64') };
}

/** The issuers (did:web ES256, did:key Ed25519 and P-256, an SD-JWT VC issuer URL) and one credential per format. */
export async function startFormatsIssuer(): Promise<{ setup: FormatSetup; fixtures: FormatFixture[]; dids: Record<string, JsonRecord>; server: Server }> {
  const es = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ed = generateKeyPairSync('ed25519');
  const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const esJwk = es.publicKey.export({ format: 'jwk' });
  const routes = new Map<string, { type: string; body: string }>();
  const server = createServer((req, res) => {
    const route = routes.get(req.url ?? '/');
    if (!route) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': route.type }).end(route.body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const port = (server.address() as AddressInfo).port;

  const webDid = `did:web:127.0.0.1%3A${port}:boards:bench`;
  const webKid = `${webDid}#key-1`;
  routes.set('/boards/bench/did.json', {
    type: 'application/did+json',
    body: JSON.stringify({
      '@context': ['https://www.w3.org/ns/did/v1'],
      id: webDid,
      verificationMethod: [{ id: webKid, type: 'JsonWebKey', controller: webDid, publicKeyJwk: esJwk }],
      assertionMethod: [webKid],
    }),
  });
  const edKey = didKey(ed.publicKey);
  const p256Key = didKey(p256.publicKey);

  // Each issuer signs its own two Bitstring Status Lists (vc+jwt), index 42 unset.
  const issuers: Array<{ slug: string; did: string; kid: string; alg: SdJwtAlg; key: KeyObject }> = [
    { slug: 'web', did: webDid, kid: webKid, alg: 'ES256', key: es.privateKey },
    { slug: 'ed', did: edKey.did, kid: edKey.vm, alg: 'EdDSA', key: ed.privateKey },
    { slug: 'p256', did: p256Key.did, kid: p256Key.vm, alg: 'ES256', key: p256.privateKey },
  ];
  for (const issuer of issuers) {
    for (const purpose of ['revocation', 'suspension']) {
      const url = `${baseUrl}/status/${issuer.slug}/${purpose}`;
      const list = signCompactJwt(
        { alg: issuer.alg, typ: 'vc+jwt', kid: issuer.kid },
        {
          '@context': ['https://www.w3.org/ns/credentials/v2'],
          id: url,
          type: ['VerifiableCredential', 'BitstringStatusListCredential'],
          issuer: issuer.did,
          validFrom: '2024-01-01T00:00:00Z',
          credentialSubject: {
            id: `${url}#list`,
            type: 'BitstringStatusList',
            statusPurpose: purpose,
            encodedList: encodeList(131072, [3, 99]),
            ttl: 3_600_000,
          },
        },
        issuer.key,
      );
      routes.set(`/status/${issuer.slug}/${purpose}`, { type: 'application/vc+jwt', body: list });
    }
  }

  // SD-JWT VC: the issuer is a URL with JWT VC Issuer Metadata and a Token Status List.
  const sdIssuer = `${baseUrl}/boards/bench`;
  const tokenListUrl = `${baseUrl}/boards/bench/status/token`;
  routes.set('/.well-known/jwt-vc-issuer/boards/bench', {
    type: 'application/json',
    body: JSON.stringify({ issuer: sdIssuer, jwks: { keys: [{ ...esJwk, kid: 'sd-jwt-key-1', alg: 'ES256' }] } }),
  });
  const now = Math.floor(Date.now() / 1000);
  routes.set('/boards/bench/status/token', {
    type: 'application/statuslist+jwt',
    body: signCompactJwt(
      { alg: 'ES256', typ: 'statuslist+jwt', kid: 'sd-jwt-key-1' },
      { iss: sdIssuer, sub: tokenListUrl, iat: now, exp: now + 86400, ttl: 3600, status_list: { bits: 2, lst: encodeTokenList(65536, 2, new Map([[7, 1]])) } },
      es.privateKey,
    ),
  });

  const fixtures: FormatFixture[] = [];
  const webBadge = openBadge(webDid, `${baseUrl}/status/web`, `${baseUrl}/boards/bench`);
  const vcJwt = signCompactJwt({ alg: 'ES256', typ: 'vc+jwt', kid: webKid }, webBadge, es.privateKey);
  fixtures.push({ name: 'vc+jwt', input: vcJwt, raw: jwsRaw(vcJwt, esJwk) });
  const ob3 = signCompactJwt(
    { alg: 'ES256', typ: 'JWT', kid: webKid },
    {
      ...webBadge,
      iss: webDid,
      jti: webBadge.id,
      nbf: Math.floor(Date.parse('2024-01-01T00:00:00Z') / 1000),
      exp: Math.floor(Date.parse('2099-01-01T00:00:00Z') / 1000),
    },
    es.privateKey,
  );
  fixtures.push({ name: 'ob3-jwt', input: ob3, raw: jwsRaw(ob3, esJwk) });
  const sdJwt = issueSdJwt({
    header: { alg: 'ES256', typ: 'dc+sd-jwt', kid: 'sd-jwt-key-1' },
    claims: {
      iss: sdIssuer,
      iat: now,
      nbf: now - 3600,
      exp: now + 365 * 86400,
      vct: RN_VCT,
      status: { status_list: { idx: 42, uri: tokenListUrl } },
      given_name: 'Dana',
      family_name: 'Rivera',
      license_number: 'RN9912345',
      license_state: 'FL',
    },
    disclose: ['given_name', 'family_name', 'license_number', 'license_state'],
    decoys: 3,
    key: es.privateKey,
  });
  fixtures.push({ name: 'dc+sd-jwt', input: sdJwt, raw: jwsRaw(sdJwt.split('~')[0], esJwk) });

  const dir = contextsDir();
  const signer = new DataIntegrityVerifier(JsonLdContexts.load(dir));
  const dids: Record<string, JsonRecord> = {};
  for (const [suite, key, pair] of [
    ['eddsa-rdfc-2022', edKey, ed],
    ['ecdsa-rdfc-2019', p256Key, p256],
  ] as const) {
    const slug = suite === 'eddsa-rdfc-2022' ? 'ed' : 'p256';
    const { signed, data, signature } = await signDataIntegrity(
      signer,
      openBadge(key.did, `${baseUrl}/status/${slug}`, `${baseUrl}/boards/bench`),
      suite,
      pair.privateKey,
      key.vm,
    );
    fixtures.push({
      name: suite,
      input: signed,
      raw: {
        jwk: pair.publicKey.export({ format: 'jwk' }),
        digest: suite === 'eddsa-rdfc-2022' ? null : 'sha256',
        data: data.toString('base64'),
        signature: signature.toString('base64'),
      },
    });
    // What a did:key resolver derives from the identifier, for the reference stack's document loader.
    const method = { '@context': 'https://w3id.org/security/multikey/v1', id: key.vm, type: 'Multikey', controller: key.did, publicKeyMultibase: key.multikey };
    dids[key.vm] = method;
    dids[key.did] = {
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
      id: key.did,
      verificationMethod: [method],
      assertionMethod: [key.vm],
    };
  }
  return { setup: { contextsDir: dir, trusted: [webDid, edKey.did, p256Key.did, sdIssuer] }, fixtures, dids, server };
}

const RN_VCT = 'https://credentials.example.org/vct/registered-nurse';

export function makeFormatsVerifier(setup: FormatSetup): CredentialVerifier {
  return new CredentialVerifier({
    fetcher: new BoundedFetcher({ insecureHosts: ['127.0.0.1'], allowPrivateNetwork: true, timeoutMs: 5000, maxBytes: 1 << 20, cacheTtlMs: 3_600_000 }),
    trust: new StaticTrustSource(
      setup.trusted.map((id) => ({ id, name: 'Florida Board of Nursing', jurisdictions: ['US-FL'], qualifications: ['RN'], algorithms: ['ES256', 'EdDSA'] })),
      [
        { qualification: 'RN', achievementTypes: ['License'], achievementName: 'Registered Nurse' },
        { qualification: 'RN', vct: RN_VCT },
      ],
    ),
    clockSkewSeconds: 60,
    statusListMinBits: 131072,
    cacheTtlMs: 3_600_000,
    insecureHosts: ['127.0.0.1'],
    jsonLdContextsDir: setup.contextsDir,
  });
}

/** node:crypto on the same signature over the same bytes, nothing else. */
export function rawFormatBatch(raw: RawSignature): () => number {
  const key = createPublicKey({ key: raw.jwk, format: 'jwk' });
  const data = Buffer.from(raw.data, 'base64');
  const signature = Buffer.from(raw.signature, 'base64');
  const options = raw.digest ? { key, dsaEncoding: 'ieee-p1363' as const } : key;
  return () => {
    for (let i = 0; i < 20; i++) if (!cryptoVerify(raw.digest, data, options, signature)) throw new Error('raw verify failed');
    return 20;
  };
}

/** The engine's whole verification of the format's credential (keys and lists cached after the first). */
export async function engineFormatBatch(setup: FormatSetup, fixture: FormatFixture): Promise<() => Promise<number>> {
  const verifier = makeFormatsVerifier(setup);
  const first = await verifier.verify(fixture.input, { jurisdiction: 'US-FL' });
  if (!first.verified) throw new Error(`${fixture.name} not verified by the engine: ${JSON.stringify(first.errors)}`);
  // As the raw batch: 20 at a time, each awaited directly (no wrapper of the bench's own on every verification).
  return async () => {
    for (let i = 0; i < 20; i++) {
      const result = await verifier.verify(fixture.input, { jurisdiction: 'US-FL' });
      if (!result.verified) throw new Error(`${fixture.name} stopped verifying during the run: ${JSON.stringify(result.errors)}`);
    }
    return 20;
  };
}

interface RemoteDocument {
  contextUrl: null;
  documentUrl: string;
  document: unknown;
}
interface ReferenceVerifyResult {
  verified: boolean;
  error?: unknown;
}
interface ReferenceModules {
  verifyCredential(opts: Record<string, unknown>): Promise<ReferenceVerifyResult>;
  DataIntegrityProof: new (opts: { cryptosuite: unknown }) => object;
  cryptosuites: Record<'eddsa-rdfc-2022' | 'ecdsa-rdfc-2019', unknown>;
}

/** Why the reference stack could not be loaded, when it could not (printed instead of its figures). */
export let referenceUnavailable: string | undefined;
let referenceModules: Promise<ReferenceModules | undefined> | undefined;

/**
 * The packages are ESM only, and swc turns `import()` into `require()` in the CommonJS build (which Node 20 runs
 * only as an experimental feature): a function body keeps a real dynamic import.
 */
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

function loadReference(): Promise<ReferenceModules | undefined> {
  return (referenceModules ??= (async () => {
    try {
      const vc = (await importEsm('@digitalbazaar/vc')) as typeof ReferenceVc;
      const di = (await importEsm('@digitalbazaar/data-integrity')) as typeof ReferenceDataIntegrity;
      const eddsa = (await importEsm('@digitalbazaar/eddsa-rdfc-2022-cryptosuite')) as typeof ReferenceEddsa;
      const ecdsa = (await importEsm('@digitalbazaar/ecdsa-rdfc-2019-cryptosuite')) as typeof ReferenceEcdsa;
      return {
        verifyCredential: vc.verifyCredential,
        DataIntegrityProof: di.DataIntegrityProof,
        cryptosuites: { 'eddsa-rdfc-2022': eddsa.cryptosuite, 'ecdsa-rdfc-2019': ecdsa.cryptosuite },
      };
    } catch (err) {
      referenceUnavailable = `cannot load the reference stack: ${(err as Error).message}`;
      return undefined;
    }
  })());
}

/**
 * `@digitalbazaar/vc` verifyCredential with a document loader that answers the same pinned contexts as the engine
 * and the did:key documents (derived in memory, as its did:key driver would), nothing from the network. It checks
 * no status list (a stub `checkStatus`), so it does less than the engine.
 */
export async function referenceFormatBatch(
  setup: FormatSetup,
  fixture: FormatFixture,
  dids: Record<string, JsonRecord>,
): Promise<(() => Promise<number>) | undefined> {
  if (fixture.name !== 'eddsa-rdfc-2022' && fixture.name !== 'ecdsa-rdfc-2019') return undefined;
  const modules = await loadReference();
  if (!modules) return undefined;
  const contexts = JsonLdContexts.load(setup.contextsDir);
  const documentLoader = (url: string): Promise<RemoteDocument> => {
    const document = contexts.has(url) ? contexts.document(url) : dids[url];
    if (document === undefined) return Promise.reject(new Error(`not served offline: ${url}`));
    return Promise.resolve({ contextUrl: null, documentUrl: url, document: structuredClone(document) });
  };
  const suite = new modules.DataIntegrityProof({ cryptosuite: modules.cryptosuites[fixture.name] });
  const credential = fixture.input as JsonRecord;
  const verifyOnce = async (): Promise<void> => {
    const result = await modules.verifyCredential({ credential, suite, documentLoader, checkStatus: () => Promise.resolve({ verified: true }) });
    if (!result.verified) throw new Error(`${fixture.name} not verified by the reference stack: ${String(result.error)}`);
  };
  try {
    await verifyOnce();
  } catch (err) {
    referenceUnavailable = (err as Error).message;
    return undefined;
  }
  return async () => {
    for (let i = 0; i < 5; i++) await verifyOnce();
    return 5;
  };
}

/** The Data Integrity hash data alone (JSON-LD expansion, RDFC-1.0 canonicalization, SHA-256): the engine's share. */
export function canonicalizationBatch(setup: FormatSetup, fixture: FormatFixture): (() => Promise<number>) | undefined {
  if (typeof fixture.input === 'string') return undefined;
  const verifier = new DataIntegrityVerifier(JsonLdContexts.load(setup.contextsDir));
  const reading = verifier.read(fixture.input);
  if (!reading.ok) throw new Error(reading.message);
  return async () => {
    for (let i = 0; i < 5; i++) await verifier.hashData(reading.credential, reading.proofs, reading.proofs[0], 'sha256');
    return 5;
  };
}
