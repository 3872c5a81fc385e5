import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compactVerify } from 'jose';
import { BoundedFetcher, ContractVerifier, CredentialVerifier, keyObjectFor, StaticTrustSource, toPublicJwk, type VerificationResult } from '@app/credentials';
import { runCli } from '../apps/cli/src/cli';
import { FixtureIssuerServer, generateKey, signJws } from './support/credential-fixtures';
import { CONFORMANCE_DIR } from './support/conformance';

/**
 * The public conformance data in ../shared/conformance (read in place, never copied): the W3C vc-jose-cose test
 * suite through the CLI contract, the VC Data Model 2.0 inputs signed with a test key, the status list vectors and
 * the RFC 8037 JOSE vector.
 */
const CONFORMANCE = CONFORMANCE_DIR;
const JOSE_COSE = path.join(CONFORMANCE, 'vc-jose-cose');

interface Case {
  number: number;
  name: string;
  fn: string;
  feature: string;
  input: string;
  key: string;
  expected: 'success' | 'failure';
}

function io(stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) }, readStdin: async () => stdin, env: {} },
  };
}

describe('RFC 9901 (SD-JWT) and SD-JWT VC examples, through the CLI contract with the issuer key they give', () => {
  interface SdCase {
    id: string;
    input: string;
    issuerKey: string;
    keyBinding?: unknown;
  }
  const suites = ['sd-jwt-rfc9901', 'sd-jwt-vc'].flatMap((folder) =>
    (JSON.parse(readFileSync(path.join(CONFORMANCE, folder, 'expected.json'), 'utf8')) as { cases: SdCase[] }).cases.map((c) => ({
      folder,
      ...c,
      // "keys/issuer.jwk.json (kid issuer-key-1, first signature); ...": the first key named.
      key: c.issuerKey.split(' ')[0],
    })),
  );
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sd-jwt-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const contract = async (input: string, key: string, feature: string): Promise<unknown> => {
    const output = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
    expect(await runCli(['verify', '--input', input, '--key', key, '--feature', feature, '--output', output], io().io)).toBe(0);
    return (JSON.parse(readFileSync(output, 'utf8')) as { result: unknown }).result;
  };

  it('covers the compact and the JWS JSON (flattened, general) examples of both folders', () => {
    expect(suites.length).toBe(16);
    expect(suites.filter((c) => c.input.endsWith('.json')).map((c) => c.id)).toEqual([
      '8.2-flattened-issuance',
      '8.2-flattened-presentation-kb',
      '8.3-general-presentation-kb',
    ]);
  });

  it.each(suites.map((c) => [`${c.folder} ${c.id}`, c] as const))('%s: success', async (_name, c) => {
    const input = path.join(CONFORMANCE, c.folder, c.input);
    const key = path.join(CONFORMANCE, c.folder, c.key);
    expect(await contract(input, key, 'credential_sdjwt')).toBe('success');
    // A presentation must carry its Key Binding JWT.
    expect(await contract(input, key, 'presentation_sdjwt')).toBe(c.keyBinding ? 'success' : 'failure');
  });

  it('failure for a changed Disclosure, a dropped one under Key Binding, the second issuer key, or a JWS feature', async () => {
    const folder = path.join(CONFORMANCE, 'sd-jwt-rfc9901');
    const key = path.join(folder, 'keys/issuer.jwk.json');
    const flat = JSON.parse(readFileSync(path.join(folder, 'examples/8.2-flattened-json/presentation.json'), 'utf8')) as {
      header: { disclosures: string[] };
    };
    const write = (name: string, value: unknown): string => {
      const file = path.join(dir, name);
      writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
      return file;
    };
    const changed = flat.header.disclosures[0].replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'));
    expect(
      await contract(
        write('changed.json', { ...flat, header: { ...flat.header, disclosures: [changed, flat.header.disclosures[1]] } }),
        key,
        'credential_sdjwt',
      ),
    ).toBe('failure');
    expect(
      await contract(write('dropped.json', { ...flat, header: { ...flat.header, disclosures: [flat.header.disclosures[1]] } }), key, 'presentation_sdjwt'),
    ).toBe('failure');
    const general = path.join(folder, 'examples/8.3-general-json/presentation.json');
    expect(await contract(general, path.join(folder, 'keys/issuer-key-2.jwk.json'), 'presentation_sdjwt')).toBe('failure');
    expect(await contract(path.join(folder, 'examples/5-example/presentation.txt'), key, 'credential_jose')).toBe('failure');
  });
});

describe('W3C vc-jose-cose test suite, through the CLI contract', () => {
  const cases = (JSON.parse(readFileSync(path.join(JOSE_COSE, 'expected.json'), 'utf8')) as Case[]).filter(
    (c) => c.fn === 'verify' && (c.feature === 'credential_jose' || c.feature === 'presentation_jose'),
  );
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vc-jose-cose-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('covers every verify case of credential_jose and presentation_jose', () => {
    expect(cases.map((c) => c.number)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const output = path.join(dir, `${c.number}.json`);
    const run = io();
    const code = await runCli(
      ['verify', '--input', path.join(JOSE_COSE, 'input', c.input), '--key', path.join(JOSE_COSE, 'input', c.key), '--feature', c.feature, '--output', output],
      run.io,
    );
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(output, 'utf8'))).toEqual({ result: c.expected });
  });

  it('fails case 9 for the wrong key, not for its unknown members', async () => {
    const run = io();
    const output = path.join(dir, 'case9.json');
    await runCli(
      [
        'verify',
        '--input',
        path.join(JOSE_COSE, 'input/credential-jose-unknown-extensions.txt'),
        '--key',
        path.join(JOSE_COSE, 'input/vm-p521.json'),
        '--feature',
        'credential_jose',
        '--output',
        output,
      ],
      run.io,
    );
    expect(JSON.parse(readFileSync(output, 'utf8'))).toEqual({ result: 'success' });
    await runCli(
      [
        'verify',
        '--input',
        path.join(JOSE_COSE, 'input/credential-jose-unknown-extensions.txt'),
        '--key',
        path.join(JOSE_COSE, 'input/vm-ed25519.json'),
        '--feature',
        'credential_jose',
        '--output',
        output,
      ],
      run.io,
    );
    expect(run.err.join('')).toContain('signature: signature_invalid');
  });

  it('runs as a real command (npm bin launcher): exit codes and the output file', () => {
    const bin = path.resolve(__dirname, '../apps/cli/bin/responder-checkin.mjs');
    const output = path.join(dir, 'spawned.json');
    const ok = spawnSync(
      process.execPath,
      [
        bin,
        'verify',
        '--input',
        path.join(JOSE_COSE, 'input/credential-jose-minimal.txt'),
        '--key',
        path.join(JOSE_COSE, 'input/vm-p256.json'),
        '--feature',
        'credential_jose',
        '--output',
        output,
      ],
      { encoding: 'utf8', timeout: 60000 },
    );
    expect(ok.status).toBe(0);
    expect(JSON.parse(readFileSync(output, 'utf8'))).toEqual({ result: 'success' });
    const usage = spawnSync(process.execPath, [bin, 'verify', '--input', 'x'], { encoding: 'utf8', timeout: 60000 });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('Usage');
    const unsupported = spawnSync(
      process.execPath,
      [
        bin,
        'verify',
        '--input',
        path.join(JOSE_COSE, 'input/credential-sdjwt-selective.txt'),
        '--key',
        path.join(JOSE_COSE, 'input/vm-p256.json'),
        '--feature',
        'credential_cose',
        '--output',
        output,
      ],
      { encoding: 'utf8', timeout: 60000 },
    );
    expect(unsupported.status).toBe(0);
    expect(JSON.parse(readFileSync(output, 'utf8'))).toEqual({ result: 'indeterminate' });
  });
});

describe('W3C VC Data Model 2.0 inputs, signed with a test key', () => {
  const DM = path.join(CONFORMANCE, 'vc-data-model-2.0/input');
  const files = readdirSync(DM).filter((f) => /-(ok|fail|fail-or-inject)\.json$/.test(f));
  const key = generateKey('ES256');
  const did = `did:jwk:${Buffer.from(JSON.stringify(key.publicJwk)).toString('base64url')}`;
  const verifier = new CredentialVerifier({
    fetcher: new BoundedFetcher({ insecureHosts: [], allowPrivateNetwork: false, timeoutMs: 1000, maxBytes: 65536, cacheTtlMs: 1000 }),
    trust: new StaticTrustSource([], []),
    clockSkewSeconds: 60,
    statusListMinBits: 131072,
    cacheTtlMs: 1000,
  });

  const contract = new ContractVerifier({ clockSkewSeconds: 60 });

  /** What the suite does before securing an input: fill the placeholders, and give the credential our issuer. */
  function prepare(file: string): Record<string, unknown> {
    const text = readFileSync(path.join(DM, file), 'utf8')
      .replaceAll('"FUTURE DATE"', '"2099-01-01T00:00:00Z"')
      .replaceAll('"PAST DATE"', '"2001-01-01T00:00:00Z"');
    const doc = JSON.parse(text) as Record<string, unknown>;
    if (file.startsWith('presentation-') || file === 'credential-no-issuer-fail.json') return doc;
    if (!('issuer' in doc)) doc.issuer = did;
    else if (typeof doc.issuer === 'object' && doc.issuer !== null && !('id' in doc.issuer)) doc.issuer = { ...doc.issuer, id: did };
    return doc;
  }

  it('has inputs to check', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it.each(files.filter((f) => !f.startsWith('presentation-')))('%s', async (file) => {
    const jws = await signJws(key.privateKey, { alg: 'ES256', typ: 'vc+jwt', kid: `${did}#0` }, prepare(file));
    // A full report: the suite's issuer is in no registry, and the data model is what is being tested.
    const result: VerificationResult = await verifier.verify(jws, { fullReport: true });
    const conformant = result.checks.filter((c) => ['format', 'signature', 'data_model'].includes(c.id)).every((c) => c.status === 'pass');
    expect({ file, accepted: conformant }).toEqual({ file, accepted: file.endsWith('-ok.json') });
    if (!conformant) {
      // Without a usable issuer id no key can be looked up: the signature check fails first. Otherwise the data model does.
      const reason = /^credential-(issuer-(null|no-url|object-id)|no-issuer)/.test(file) ? 'key_not_found' : 'data_model_invalid';
      expect(result.errors.map((e) => e.code)).toContain(reason);
    }
  });

  it.each(files.filter((f) => f.startsWith('presentation-')))('%s', async (file) => {
    const jws = await signJws(key.privateKey, { alg: 'ES256', typ: 'vp+jwt', kid: `${did}#0` }, prepare(file));
    const { result } = await contract.verify(jws, { id: `${did}#0`, type: 'JsonWebKey', publicKeyJwk: key.publicJwk }, 'presentation_jose');
    expect({ file, result }).toEqual({ file, result: file.endsWith('-ok.json') ? 'success' : 'failure' });
  });
});

describe('Bitstring Status List vectors', () => {
  interface Vector {
    name: string;
    encodedList: string;
    bits: number;
    set: number[];
  }
  const vectors = (JSON.parse(readFileSync(path.join(CONFORMANCE, 'status-list/vectors.json'), 'utf8')) as { vectors: Vector[] }).vectors;
  let issuer: FixtureIssuerServer;
  beforeAll(async () => {
    issuer = await FixtureIssuerServer.start();
  });
  afterAll(() => issuer.close());

  it.each(vectors.map((v, i) => [v.name, v, i] as const))('%s: served as a signed list, read at exactly the listed indices', async (_name, vector, i) => {
    const board = issuer.board(`vector-${i}`);
    board.lists.revocation.encodedList = vector.encodedList;
    const verifier = new CredentialVerifier({
      fetcher: new BoundedFetcher({ insecureHosts: ['127.0.0.1'], allowPrivateNetwork: true, timeoutMs: 2000, maxBytes: 1 << 20, cacheTtlMs: 60000 }),
      trust: new StaticTrustSource([], []),
      clockSkewSeconds: 60,
      statusListMinBits: vector.bits < 131072 ? vector.bits : 131072,
      cacheTtlMs: 60000,
      insecureHosts: ['127.0.0.1'],
    });
    const probes = [...new Set([...vector.set, ...vector.set.map((s) => s + 1), 0, vector.bits - 1])].filter((p) => p < vector.bits);
    for (const index of probes) {
      const jws = await board.issue({ statusIndex: index, statusPurposes: ['revocation'] });
      const result = await verifier.verify(jws, { fullReport: true });
      expect({ index, value: result.evidence.status[0]?.value }).toEqual({ index, value: vector.set.includes(index) ? 1 : 0 });
    }
    const outside = await verifier.verify(await board.issue({ statusIndex: vector.bits, statusPurposes: ['revocation'] }), { fullReport: true });
    expect(outside.checks.find((c) => c.id === 'status')).toMatchObject({ status: 'fail', code: 'status_list_invalid' });
  });

  it('lists shorter than 131,072 entries are refused by default', async () => {
    const short = vectors.find((v) => v.bits < 131072)!;
    const board = issuer.board('vector-short');
    board.lists.revocation.encodedList = short.encodedList;
    const verifier = new CredentialVerifier({
      fetcher: new BoundedFetcher({ insecureHosts: ['127.0.0.1'], allowPrivateNetwork: true, timeoutMs: 2000, maxBytes: 1 << 20, cacheTtlMs: 60000 }),
      trust: new StaticTrustSource([], []),
      clockSkewSeconds: 60,
      statusListMinBits: 131072,
      cacheTtlMs: 60000,
      insecureHosts: ['127.0.0.1'],
    });
    const result = await verifier.verify(await board.issue({ statusIndex: short.set[0], statusPurposes: ['revocation'] }), { fullReport: true });
    expect(result.checks.find((c) => c.id === 'status')).toMatchObject({
      status: 'indeterminate',
      code: 'status_list_invalid',
      message: expect.stringContaining('131072'),
    });
  });
});

describe('JOSE RFC vectors', () => {
  interface JoseVector {
    name: string;
    jwk: Record<string, unknown>;
    compact: string;
    payloadText: string;
  }
  const vectors = (JSON.parse(readFileSync(path.join(CONFORMANCE, 'jose-rfc/vectors.json'), 'utf8')) as { vectors: JoseVector[] }).vectors;

  it.each(vectors.map((v) => [v.name, v] as const))(
    '%s verifies with the key as the engine imports it; any changed signature character fails',
    async (_name, vector) => {
      const key = keyObjectFor(toPublicJwk(vector.jwk));
      const { payload } = await compactVerify(vector.compact, key, { algorithms: ['EdDSA'] });
      expect(Buffer.from(payload).toString('utf8')).toBe(vector.payloadText);
      const [h, p, s] = vector.compact.split('.');
      for (const position of [0, 10, s.length - 2]) {
        const flipped = s.slice(0, position) + (s[position] === 'A' ? 'B' : 'A') + s.slice(position + 1);
        await expect(compactVerify(`${h}.${p}.${flipped}`, key, { algorithms: ['EdDSA'] })).rejects.toThrow();
      }
    },
  );
});

describe('verify CLI with a trust-list file (offline)', () => {
  let issuer: FixtureIssuerServer;
  let dir: string;
  beforeAll(async () => {
    issuer = await FixtureIssuerServer.start();
    dir = mkdtempSync(path.join(tmpdir(), 'verify-cli-'));
  });
  afterAll(async () => {
    await issuer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the result JSON; exit 0 verified, 1 not verified, 2 usage error', async () => {
    const board = issuer.board('cli-board');
    const trustFile = path.join(dir, 'trust.json');
    writeFileSync(
      trustFile,
      JSON.stringify({
        format: 'responder-checkin/trust-list',
        version: 1,
        qualifications: [{ code: 'RN', name: 'Registered Nurse', rules: [{ achievementTypes: ['License'], achievementName: 'Registered Nurse' }] }],
        issuers: [{ id: board.did, name: 'CLI Test Board', jurisdictions: ['US-FL'], qualifications: ['RN'] }],
      }),
    );
    const env = { FETCH_INSECURE_HOSTS: '127.0.0.1', FETCH_ALLOW_PRIVATE_NETWORK: 'true' };
    const credentialFile = path.join(dir, 'badge.jwt');
    writeFileSync(credentialFile, `${await board.issue({ statusIndex: 5 })}\n`);

    const ok = io();
    expect(await runCli(['verify', '--trust', trustFile, '--jurisdiction', 'US-FL', credentialFile], { ...ok.io, env })).toBe(0);
    expect(JSON.parse(ok.out.join(''))).toMatchObject({ verified: true, credential: { issuer: { registryName: 'CLI Test Board' }, qualification: 'RN' } });

    const elsewhere = io();
    expect(await runCli(['verify', '--trust', trustFile, '--jurisdiction', 'US-TX', credentialFile], { ...elsewhere.io, env })).toBe(1);
    expect(JSON.parse(elsewhere.out.join('')).errors[0]).toMatchObject({ code: 'issuer_not_authorized' });

    const fromStdin = io(await board.issue());
    expect(await runCli(['verify', '--trust', trustFile, '-'], { ...fromStdin.io, env })).toBe(0);

    const usage = io();
    expect(await runCli(['verify', '--jurisdiction', 'Florida', credentialFile], usage.io)).toBe(2);
    expect(await runCli(['verify', '--bogus'], usage.io)).toBe(2);
    expect(await runCli(['nope'], usage.io)).toBe(2);
    expect(await runCli(['verify', '--trust', path.join(dir, 'missing.json'), credentialFile], usage.io)).toBe(2);
  });
});
