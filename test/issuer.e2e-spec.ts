import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { StatusBitstring, startIssuerServer, type Board, type IssuerServer } from '../apps/issuer/src';
import { CONFORMANCE_DIR } from './support/conformance';

const run = promisify(execFile);
const repoRoot = resolve(__dirname, '..');
const conformance = join(CONFORMANCE_DIR, 'vc-jose-cose');

// Decoded JSON inspected by path in assertions.
type Json = Record<string, any>;

/** did:web -> URL exactly as the standard says, with http (the verifier's FETCH_INSECURE_HOSTS mode). */
function didWebUrl(did: string): string {
  const [host, ...path] = did.replace(/^did:web:/, '').split(':');
  return `http://${decodeURIComponent(host)}/${path.length ? path.join('/') : '.well-known'}/did.json`;
}

/** Resolves the issuer's DID over HTTP and verifies with the method the kid names, as the verifier will. */
async function verifyOverHttp(jws: string, issuerDid: string): Promise<{ header: Json; payload: Json }> {
  const header = decodeProtectedHeader(jws) as Json;
  expect(String(header.kid).startsWith(`${issuerDid}#`)).toBe(true);
  const doc = (await (await fetch(didWebUrl(issuerDid))).json()) as Json;
  expect(doc.assertionMethod).toContain(header.kid);
  const method = (doc.verificationMethod as Json[]).find((m) => m.id === header.kid);
  if (!method) throw new Error(`no verification method ${String(header.kid)}`);
  const { payload } = await compactVerify(jws, await importJWK(method.publicKeyJwk as JWK, header.alg as string), {
    algorithms: ['ES256', 'ES384', 'EdDSA'],
  });
  return { header, payload: JSON.parse(new TextDecoder().decode(payload)) as Json };
}

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [join(repoRoot, 'scripts/issuer.mjs'), 'cli', ...args], { cwd: repoRoot, timeout: 30_000 });
}

describe('demo issuer over HTTP', () => {
  let issuer: IssuerServer;
  let nursing: Board;

  beforeAll(async () => {
    issuer = await startIssuerServer({ port: 0, statusListTtlMs: 5_000 });
    nursing = issuer.board('fl-nursing');
  });
  afterAll(async () => {
    await issuer?.close();
  });

  it('binds a free port on 127.0.0.1 and names it in every DID', async () => {
    expect(issuer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const port = new URL(issuer.url).port;
    expect(nursing.did).toBe(`did:web:127.0.0.1%3A${port}:boards:fl-nursing`);
    await expect((await fetch(`${issuer.url}/health`)).json()).resolves.toEqual({ status: 'ok' });
    const { boards } = (await (await fetch(`${issuer.url}/boards`)).json()) as { boards: Json[] };
    expect(boards.map((b) => b.slug)).toEqual([
      'fl-nursing',
      'fl-medicine',
      'fl-ems',
      'ga-nursing',
      'ga-ems',
      'tx-nursing',
      'nremt',
      'fema-usar',
      'rogue-board',
    ]);
    expect(boards.find((b) => b.slug === 'nremt')).toMatchObject({
      name: 'National Registry of Emergency Medical Technicians',
      kind: 'national-certifier',
      jurisdiction: 'US',
      alg: 'EdDSA',
      did: issuer.board('nremt').did,
    });
  });

  it('serves each board DID document where did:web says it is', async () => {
    for (const board of issuer.boards) {
      const res = await fetch(didWebUrl(board.did));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const doc = (await res.json()) as Json;
      expect(doc).toEqual(board.didDocument());
      expect(doc.verificationMethod[0]).toMatchObject({ id: `${board.did}#key-1`, type: 'JsonWebKey', controller: board.did });
      expect(res.headers.get('cache-control')).toBe('no-cache'); // a rotation is seen at once
    }
  });

  it('lets DID documents be cached when asked to (didDocumentMaxAgeSeconds), as a board web server would', async () => {
    const cached = await startIssuerServer({ port: 0, didDocumentMaxAgeSeconds: 300 });
    try {
      const res = await fetch(didWebUrl(cached.board('fl-nursing').did));
      expect(res.headers.get('cache-control')).toBe('max-age=300');
    } finally {
      await cached.close();
    }
    await expect(startIssuerServer({ port: 0, didDocumentMaxAgeSeconds: -1 })).rejects.toThrow(/didDocumentMaxAgeSeconds/);
  });

  it('issues over the management API both formats, verifiable through the resolved DID', async () => {
    const vc2 = await fetch(`${nursing.url}/credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Ana Diaz' }, validUntil: '2030-06-30T00:00:00Z' }),
    });
    expect(vc2.status).toBe(201);
    const issued = (await vc2.json()) as Json;
    expect(Object.keys(issued).sort()).toEqual(['credentialId', 'jws', 'statusIndex']);
    const { header, payload } = await verifyOverHttp(issued.jws, nursing.did);
    expect(header.typ).toBe('vc+jwt');
    expect(payload).toMatchObject({ id: issued.credentialId, validUntil: '2030-06-30T00:00:00Z' });

    const ob3 = await issuer.board('fl-medicine').issue({ format: 'ob3-jwt', qualification: 'MD', subject: { name: 'Lee Park' } });
    const verified = await verifyOverHttp(ob3.jws, issuer.board('fl-medicine').did);
    expect(verified.header).toMatchObject({ typ: 'JWT', alg: 'EdDSA' });
    expect(verified.payload).toMatchObject({
      id: ob3.credentialId,
      jti: ob3.credentialId,
      credentialSubject: { achievement: { achievementType: 'License', name: 'Physician' } },
    });

    const vc1 = await issuer.board('fl-medicine').issue({ format: 'jwt-vc', qualification: 'MD', subject: { name: 'Lee Park' } });
    const inClaim = await verifyOverHttp(vc1.jws, issuer.board('fl-medicine').did);
    expect(inClaim.header).toMatchObject({ typ: 'JWT', alg: 'EdDSA' });
    expect(inClaim.payload.vc.credentialSubject.achievement).toMatchObject({ achievementType: 'License', name: 'Physician' });
  });

  it('serves the status lists signed, with ETag, max-age from the TTL and 304 on a match; revoke flips the served bit', async () => {
    const { statusIndex } = await nursing.issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Ana Diaz' } });
    const url = `${nursing.url}/status/revocation`;

    const first = await fetch(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/vc+jwt');
    expect(first.headers.get('cache-control')).toBe('max-age=5');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const list = await verifyOverHttp(await first.text(), nursing.did);
    expect(list.header.typ).toBe('vc+jwt');
    expect(list.payload).toMatchObject({
      id: url,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: nursing.did,
      credentialSubject: { type: 'BitstringStatusList', statusPurpose: 'revocation', ttl: 5_000 },
    });
    const before = StatusBitstring.decode(list.payload.credentialSubject.encodedList);
    expect(before.length).toBe(131_072);
    expect(before.get(statusIndex)).toBe(false);

    const unchanged = await fetch(url, { headers: { 'if-none-match': etag! } });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get('etag')).toBe(etag);
    expect(await unchanged.text()).toBe('');

    const revoked = await fetch(`${nursing.url}/credentials/${statusIndex}/revoke`, { method: 'POST' });
    expect(revoked.status).toBe(200);
    await expect(revoked.json()).resolves.toEqual({ board: 'fl-nursing', statusIndex, revoked: true, suspended: false });

    const after = await fetch(url, { headers: { 'if-none-match': etag! } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    const changed = await verifyOverHttp(await after.text(), nursing.did);
    expect(StatusBitstring.decode(changed.payload.credentialSubject.encodedList).get(statusIndex)).toBe(true);
  });

  it('suspend and reinstate move the suspension bit only', async () => {
    const { statusIndex } = await nursing.issue({ format: 'ob3-jwt', qualification: 'APRN', subject: { name: 'Kim Roe' } });
    const bit = async (purpose: string): Promise<boolean> => {
      const { payload } = await verifyOverHttp(await (await fetch(`${nursing.url}/status/${purpose}`)).text(), nursing.did);
      return StatusBitstring.decode(payload.credentialSubject.encodedList).get(statusIndex);
    };
    await fetch(`${nursing.url}/credentials/${statusIndex}/suspend`, { method: 'POST' });
    expect([await bit('suspension'), await bit('revocation')]).toEqual([true, false]);
    await fetch(`${nursing.url}/credentials/${statusIndex}/reinstate`, { method: 'POST' });
    expect(await bit('suspension')).toBe(false);
  });

  it('answers bad requests with problem details, never 500', async () => {
    const post = (path: string, body?: string): Promise<Response> =>
      fetch(`${issuer.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const cases: Array<[Promise<Response>, number, string]> = [
      [post('/boards/fl-nursing/credentials', '{"format":'), 400, 'malformed_json'],
      [post('/boards/fl-nursing/credentials', JSON.stringify({ format: 'vc+jwt', qualification: 'WIZARD', subject: { name: 'A' } })), 422, 'invalid_request'],
      [
        post('/boards/fl-nursing/credentials', JSON.stringify({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'A' }, validUntil: 'soon' })),
        422,
        'invalid_request',
      ],
      [post('/boards/fl-nursing/credentials'), 422, 'invalid_request'],
      [post('/boards/nowhere/credentials', '{}'), 404, 'unknown_board'],
      [post('/boards/fl-nursing/credentials/77/revoke'), 404, 'unknown_status_index'],
      [post('/boards/fl-nursing/credentials/-3/revoke'), 422, 'invalid_request'],
      [fetch(`${issuer.url}/boards/fl-nursing/credentials`), 405, 'method_not_allowed'],
      [fetch(`${issuer.url}/boards/fl-nursing/status/other`), 404, 'not_found'],
      [fetch(`${issuer.url}/boards/%E0%A4%A`), 404, 'not_found'],
    ];
    for (const [response, status, code] of cases) {
      const res = await response;
      expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({ status, type: 'application/problem+json' });
      expect(await res.json()).toMatchObject({ status, code });
    }
  });

  it('after a key rotation the DID document holds only the new key', async () => {
    const board = issuer.board('ga-nursing');
    const old = await board.issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Ana Diaz' } });
    await board.rotateKey();
    const doc = (await (await fetch(didWebUrl(board.did))).json()) as Json;
    expect(doc.verificationMethod.map((m: Json) => m.id)).toEqual([`${board.did}#key-2`, `${board.did}#multikey-2`]);
    await expect(verifyOverHttp(old.jws, board.did)).rejects.toThrow();
    const list = await (await fetch(`${board.url}/status/revocation`)).text();
    expect(decodeProtectedHeader(list).kid).toBe(`${board.did}#key-2`);
  });

  it('the CLI issues and revokes through the running server', async () => {
    const issued = await cli(
      'issue',
      '--server',
      issuer.url,
      '--board',
      'fl-ems',
      '--qualification',
      'paramedic',
      '--name',
      'Jo Kim',
      '--format',
      'ob3-jwt',
      '--valid-until',
      '2029-01-31',
    );
    const jws = issued.stdout.trim();
    const { header, payload } = await verifyOverHttp(jws, issuer.board('fl-ems').did);
    expect(header.typ).toBe('JWT');
    expect(payload).toMatchObject({ validUntil: '2029-01-31T00:00:00Z', exp: Date.parse('2029-01-31T00:00:00Z') / 1000 });
    const index = Number(/status index (\d+)/.exec(issued.stderr)?.[1]);
    expect(Number(payload.credentialStatus[0].statusListIndex)).toBe(index);

    const revoked = await cli('revoke', '--server', issuer.url, '--board', 'fl-ems', '--index', String(index));
    expect(revoked.stdout).toContain('revoked=true');
    expect(issuer.board('fl-ems').statusOf(index)).toEqual({ revoked: true, suspended: false });

    await expect(cli('revoke', '--server', issuer.url, '--board', 'fl-ems', '--index', '3')).rejects.toMatchObject({ code: 1 });
    await expect(cli('revoke', '--board', 'fl-ems')).rejects.toMatchObject({ code: 2 });
  });
});

describe('W3C vc-jose-cose test-suite contract: issue', () => {
  const cases = (JSON.parse(readFileSync(join(conformance, 'expected.json'), 'utf8')) as Json[]).filter((c) => c.fn === 'issue');
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'vc-jose-cose-issue-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('covers every issue case of the suite', () => {
    expect(cases.map((c) => c.number)).toEqual([1, 2, 3, 4, 5]);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    const output = join(out, `${testCase.number}.json`);
    const input = join(conformance, 'input', testCase.input);
    const keyFile = join(conformance, 'input', testCase.key);
    const args = ['issue', '--input', input, '--key', keyFile, '--feature', testCase.feature, '--output', output];
    const exitCode = await cli(...args).then(
      () => 0,
      (err: { code: number }) => err.code,
    );
    const result = JSON.parse(readFileSync(output, 'utf8')) as Json;
    expect(result.result).toBe(testCase.expected);
    if (testCase.expected !== 'success') {
      expect(exitCode).toBe(1);
      expect(result).not.toHaveProperty('data');
      return;
    }
    expect(exitCode).toBe(0);
    const vm = JSON.parse(readFileSync(keyFile, 'utf8')) as Json;
    const header = decodeProtectedHeader(result.data as string);
    expect(header).toEqual({ alg: vm.publicKeyJwk.alg, typ: testCase.feature === 'credential_jose' ? 'vc+jwt' : 'vp+jwt', kid: vm.id });
    const { payload } = await compactVerify(result.data as string, await importJWK(vm.publicKeyJwk as JWK, header.alg));
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual(JSON.parse(readFileSync(input, 'utf8')));
  });
});
