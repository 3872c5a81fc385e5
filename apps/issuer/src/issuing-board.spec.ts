import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { algorithmsFor, DataIntegrityVerifier, JsonLdContexts, jwkThumbprint, keyObjectFor, multikeyToJwk, summariseCredential } from '@app/credentials';
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { StatusBitstring } from './bitstring-status-list';
import { DEFAULT_BOARDS, type BoardSpec } from './board-catalog';
import { FileBoardStore, MemoryBoardStore } from './board-store';
import { boardDid } from './did-web';
import { IssuerError } from './issuer-error';
import { IssuingBoard } from './issuing-board';

const origin = new URL('http://127.0.0.1:4100');
const spec = (slug: string): BoardSpec => DEFAULT_BOARDS.find((b) => b.slug === slug)!;
const open = (slug: string): Promise<IssuingBoard> => IssuingBoard.open(spec(slug), origin, new MemoryBoardStore(), 30_000);

// Test-side inspection of decoded JSON: deep property access without a schema per assertion.
type Json = Record<string, any>;

/** Verifies with the key the DID document publishes for the header's kid, as a verifier would. */
async function verifyWithDidDocument(board: IssuingBoard, jws: string): Promise<{ header: Json; payload: Json }> {
  const header = decodeProtectedHeader(jws) as Json;
  const method = board.didDocument().verificationMethod.find((m) => m.id === header.kid);
  if (!method || method.type !== 'JsonWebKey') throw new Error(`kid ${String(header.kid)} is not in the DID document`);
  const key = await importJWK(method.publicKeyJwk as JWK, header.alg as string);
  const { payload } = await compactVerify(jws, key, { algorithms: [board.alg] });
  return { header, payload: JSON.parse(new TextDecoder().decode(payload)) as Json };
}

describe('board identity (did:web)', () => {
  it('uses the path form with the port percent-encoded', () => {
    expect(boardDid(origin, 'fl-nursing')).toBe('did:web:127.0.0.1%3A4100:boards:fl-nursing');
    expect(boardDid(new URL('https://issuer.example'), 'nremt')).toBe('did:web:issuer.example:boards:nremt');
  });

  it.each(DEFAULT_BOARDS.map((b) => [b.slug, b.alg] as const))('%s publishes its %s key as a JsonWebKey and a Multikey for assertions', async (slug, alg) => {
    const board = await open(slug);
    const doc = board.didDocument();
    expect(doc.id).toBe(`did:web:127.0.0.1%3A4100:boards:${slug}`);
    expect(doc['@context'][0]).toBe('https://www.w3.org/ns/did/v1');
    expect(doc.verificationMethod).toHaveLength(2);
    const [method, multikey] = doc.verificationMethod;
    if (method.type !== 'JsonWebKey' || multikey.type !== 'Multikey') throw new Error('expected a JsonWebKey, then a Multikey');
    expect(method).toMatchObject({ id: `${doc.id}#key-1`, controller: doc.id });
    expect(method.publicKeyJwk).toMatchObject({ alg, kty: alg === 'EdDSA' ? 'OKP' : 'EC' });
    expect(method.publicKeyJwk).not.toHaveProperty('d');
    expect(multikey).toMatchObject({ id: `${doc.id}#multikey-1`, controller: doc.id });
    // The Multikey is the same public key: it decodes to the published JWK's coordinates.
    expect(multikeyToJwk(multikey.publicKeyMultibase)).toMatchObject({ kty: method.publicKeyJwk.kty, crv: method.publicKeyJwk.crv, x: method.publicKeyJwk.x });
    expect(doc.assertionMethod).toEqual([method.id, multikey.id]);
    expect(board.keyId).toBe(method.id);
    expect(board.multikeyId).toBe(multikey.id);
  });

  it('rotating the key replaces it in the DID document, so older signatures stop resolving', async () => {
    const board = await open('fl-medicine');
    const before = await board.issue({ format: 'vc+jwt', qualification: 'MD', subject: { name: 'Lee Park' } });
    await board.rotateKey();
    const doc = board.didDocument();
    expect(doc.verificationMethod.map((m) => m.id)).toEqual([`${board.did}#key-2`, `${board.did}#multikey-2`]);
    await expect(verifyWithDidDocument(board, before.jws)).rejects.toThrow('is not in the DID document');
    const after = await board.issue({ format: 'vc+jwt', qualification: 'MD', subject: { name: 'Lee Park' } });
    expect((await verifyWithDidDocument(board, after.jws)).header.kid).toBe(`${board.did}#key-2`);
  });
});

describe('vc+jwt (VC 2.0, VC-JOSE-COSE)', () => {
  it('signs the credential itself as the payload, with typ vc+jwt and the verification method as kid', async () => {
    const board = await open('fl-nursing');
    const validFrom = new Date('2025-01-15T12:00:00Z');
    const validUntil = new Date('2027-01-31T23:59:59Z');
    const issued = await board.issue({
      format: 'vc+jwt',
      qualification: 'RN',
      subject: { id: 'did:example:ana', name: 'Ana Diaz', email: 'ana@example.org' },
      licenseNumber: 'RN9391234',
      validFrom,
      validUntil,
    });
    const { header, payload } = await verifyWithDidDocument(board, issued.jws);
    expect(header).toEqual({ alg: 'ES256', typ: 'vc+jwt', kid: `${board.did}#key-1` });
    expect(payload).not.toHaveProperty('vc');
    expect(payload).not.toHaveProperty('vp');
    expect(payload.iss).toBe(payload.issuer.id);
    expect(typeof payload.iat).toBe('number');
    const { iss: _iss, iat: _iat, ...credential } = payload;
    expect(credential).toEqual(issued.credential);
    expect(payload['@context']).toEqual(['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json']);
    expect(payload.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(payload.id).toBe(issued.credentialId);
    expect(payload.issuer).toMatchObject({ id: board.did, type: ['Profile'], name: 'Florida Board of Nursing' });
    expect(payload.validFrom).toBe('2025-01-15T12:00:00Z');
    expect(payload.validUntil).toBe('2027-01-31T23:59:59Z');
    expect(payload.credentialSubject).toMatchObject({
      id: 'did:example:ana',
      type: ['AchievementSubject'],
      name: 'Ana Diaz',
      licenseNumber: 'RN9391234',
      identifier: [{ type: 'IdentityObject', identityType: 'emailAddress', hashed: false, identityHash: 'ana@example.org' }],
      achievement: {
        id: 'http://127.0.0.1:4100/boards/fl-nursing/achievements/rn',
        type: ['Achievement'],
        achievementType: 'License',
        name: 'Registered Nurse',
      },
    });
    expect(payload.credentialStatus).toEqual(
      (['revocation', 'suspension'] as const).map((purpose) => ({
        id: `${board.url}/status/${purpose}#${issued.statusIndex}`,
        type: 'BitstringStatusListEntry',
        statusPurpose: purpose,
        statusListIndex: String(issued.statusIndex),
        statusListCredential: `http://127.0.0.1:4100/boards/fl-nursing/status/${purpose}`,
      })),
    );
  });

  it('defaults: now, two years, a urn:uuid subject, a generated licence number, status on', async () => {
    const board = await open('ga-nursing');
    const before = Math.floor(Date.now() / 1000) * 1000;
    const { credential, statusIndex } = await board.issue({ format: 'vc+jwt', qualification: 'LPN', subject: { name: 'Sam Ortiz' } });
    const c = credential as Json;
    const from = Date.parse(c.validFrom);
    expect(from).toBeGreaterThanOrEqual(before);
    expect(new Date(c.validUntil).getUTCFullYear()).toBe(new Date(from).getUTCFullYear() + 2);
    expect(c.credentialSubject.id).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(c.credentialSubject.licenseNumber).toMatch(/^PN\d{7}$/);
    expect(statusIndex).toBeGreaterThanOrEqual(0);
  });

  it('withStatus false leaves credentialStatus out and reports index -1', async () => {
    const board = await open('fl-ems');
    const issued = await board.issue({ format: 'vc+jwt', qualification: 'EMT', subject: { name: 'Jo Kim' }, withStatus: false });
    expect(issued.statusIndex).toBe(-1);
    expect(issued.credential).not.toHaveProperty('credentialStatus');
  });
});

describe('ob3-jwt (Open Badges 3.0 as published: the payload is the credential)', () => {
  it('signs the VC 2.0 credential itself with typ JWT, and every registered claim mirrors its field', async () => {
    const board = await open('fl-nursing');
    const issued = await board.issue({
      format: 'ob3-jwt',
      qualification: 'RN',
      subject: { id: 'did:example:ana', name: 'Ana Diaz' },
      validFrom: new Date('2024-03-01T00:00:00Z'),
      validUntil: new Date('2026-03-31T00:00:00Z'),
    });
    const { header, payload } = await verifyWithDidDocument(board, issued.jws);
    expect(header).toEqual({ alg: board.alg, typ: 'JWT', kid: `${board.did}#key-1` });
    const { iss, sub, jti, nbf, exp, iat, ...credential } = payload;
    expect(credential).toEqual(issued.credential);
    expect(payload).not.toHaveProperty('vc');
    expect(payload['@context']).toEqual(['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json']);
    expect({ iss, sub, jti, nbf, exp }).toEqual({
      iss: board.did,
      sub: 'did:example:ana',
      jti: payload.id,
      nbf: Date.parse('2024-03-01T00:00:00Z') / 1000,
      exp: Date.parse('2026-03-31T00:00:00Z') / 1000,
    });
    expect(payload.validFrom).toBe('2024-03-01T00:00:00Z');
    expect(iat).toEqual(expect.any(Number));
  });
});

describe('jwt-vc (VC-JWT 1.1, VCDM 1.1 in a vc claim)', () => {
  it('carries the credential in vc, and every registered claim mirrors its field', async () => {
    const board = await open('nremt');
    const issued = await board.issue({
      format: 'jwt-vc',
      qualification: 'PARAMEDIC',
      subject: { id: 'did:example:jo', name: 'Jo Kim' },
      validFrom: new Date('2024-03-01T00:00:00Z'),
      validUntil: new Date('2026-03-31T00:00:00Z'),
    });
    const { header, payload } = await verifyWithDidDocument(board, issued.jws);
    expect(header).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: `${board.did}#key-1` });
    const vc = payload.vc as Json;
    expect(vc).toEqual(issued.credential);
    expect(vc['@context'].slice(0, 2)).toEqual(['https://www.w3.org/2018/credentials/v1', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json']);
    expect(vc).not.toHaveProperty('validFrom');
    expect(payload.iss).toBe(vc.issuer.id);
    expect(payload.iss).toBe(board.did);
    expect(payload.jti).toBe(vc.id);
    expect(payload.sub).toBe(vc.credentialSubject.id);
    expect(payload.nbf).toBe(Date.parse(vc.issuanceDate) / 1000);
    expect(payload.exp).toBe(Date.parse(vc.expirationDate) / 1000);
    expect(vc.issuanceDate).toBe('2024-03-01T00:00:00Z');
    expect(vc.expirationDate).toBe('2026-03-31T00:00:00Z');
    // A national registry certifies; it does not license.
    expect(vc.credentialSubject.achievement).toMatchObject({ achievementType: 'Certification', name: 'Paramedic', humanCode: 'PARAMEDIC' });
    expect(vc.credentialStatus.map((s: Json) => s.statusListIndex)).toEqual([String(issued.statusIndex), String(issued.statusIndex)]);
  });

  it('a state EMS office licenses the same qualification', async () => {
    const board = await open('fl-ems');
    const { credential } = await board.issue({ format: 'jwt-vc', qualification: 'PARAMEDIC', subject: { name: 'Jo Kim' } });
    expect((credential as Json).credentialSubject.achievement).toMatchObject({ achievementType: 'License', name: 'Paramedic' });
  });

  it('USAR_TECH is a Certification whoever issues it', async () => {
    const board = await open('fema-usar');
    const { credential } = await board.issue({ format: 'vc+jwt', qualification: 'USAR_TECH', subject: { name: 'Ray Cole' } });
    expect((credential as Json).credentialSubject.achievement).toMatchObject({
      achievementType: 'Certification',
      name: 'Structural Collapse Rescue Technician',
      id: 'http://127.0.0.1:4100/boards/fema-usar/achievements/usar_tech',
    });
  });
});

describe('ldp-vc (VC 2.0 with a Data Integrity proof)', () => {
  const verifier = new DataIntegrityVerifier(JsonLdContexts.load());

  /** Checks the proof with the verifier and the key the DID document publishes under the proof's verificationMethod. */
  async function verifyProof(board: IssuingBoard, text: string): Promise<Json> {
    const signed = JSON.parse(text) as Json;
    const reading = verifier.read(signed);
    if (!reading.ok) throw new Error(reading.message);
    const check = await verifier.verify(reading, {
      now: new Date(),
      keyFor: (id) => {
        const method = board.didDocument().verificationMethod.find((m) => m.id === id);
        if (!method || method.type !== 'Multikey' || !board.didDocument().assertionMethod.includes(id)) throw new Error(`${id} is not an assertion key`);
        const jwk = multikeyToJwk(method.publicKeyMultibase);
        return { id, jwk, thumbprint: jwkThumbprint(jwk), keyObject: keyObjectFor(jwk), algorithms: algorithmsFor(jwk) };
      },
    });
    if (!check.ok) throw new Error(`${check.code}: ${check.message}`);
    return signed;
  }

  it.each([
    ['nremt', 'PARAMEDIC', 'eddsa-rdfc-2022', 'EdDSA'],
    ['fl-nursing', 'RN', 'ecdsa-rdfc-2019', 'ES256'],
  ] as const)('%s signs %s credentials with %s over the bundled VC 2.0 context and an inline one', async (slug, qualification, cryptosuite, algorithm) => {
    const board = await open(slug);
    const issued = await board.issue({ format: 'ldp-vc', qualification, subject: { name: 'Dana Okafor' }, licenseNumber: 'X1234567' });
    const signed = await verifyProof(board, issued.jws);
    expect(signed.proof).toMatchObject({
      type: 'DataIntegrityProof',
      cryptosuite,
      proofPurpose: 'assertionMethod',
      verificationMethod: `${board.did}#multikey-1`,
    });
    expect(signed['@context']).toEqual(['https://www.w3.org/ns/credentials/v2', { '@vocab': 'https://purl.imsglobal.org/spec/vc/ob/vocab.html#' }]);
    const { proof: _proof, ...unsecured } = signed;
    expect(unsecured).toEqual(issued.credential);
    expect(signed.credentialStatus.map((e: Json) => [e.statusPurpose, e.statusListIndex])).toEqual([
      ['revocation', String(issued.statusIndex)],
      ['suspension', String(issued.statusIndex)],
    ]);
    // The engine reads the qualification from it as from the JWT formats.
    const summary = summariseCredential(signed, 'ldp-vc', board.did);
    expect(summary).toMatchObject({
      subject: { name: 'Dana Okafor' },
      achievement: { id: board.achievementUrl(qualification) },
      licenseNumber: 'X1234567',
    });
    expect(algorithmsFor(multikeyToJwk((board.didDocument().verificationMethod[1] as Json).publicKeyMultibase as string))).toContain(algorithm);
  });

  it('ldp-vp: the credential in a presentation by its subject, proved by the holder key of a did:key (authentication)', async () => {
    const board = await open('fl-ems');
    const issued = await board.issue({ format: 'ldp-vp', qualification: 'EMT', subject: { name: 'Ola Reyes' } });
    const presentation = JSON.parse(issued.jws) as Json;
    expect(presentation).toMatchObject({ type: ['VerifiablePresentation'], proof: { cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'authentication' } });
    const holder = presentation.holder as string;
    expect(holder).toMatch(/^did:key:z6Mk/);
    expect(presentation.proof.verificationMethod).toBe(`${holder}#${holder.slice('did:key:'.length)}`);
    // The enclosed credential is the board's (ecdsa-rdfc-2019 from a P-256 board), about the holder.
    const [credential] = presentation.verifiableCredential as Json[];
    await verifyProof(board, JSON.stringify(credential));
    expect(credential.credentialSubject.id).toBe(holder);
    const holderKey = (id: string) => {
      if (id !== presentation.proof.verificationMethod) throw new Error(`${id} is not the holder's key`);
      const jwk = multikeyToJwk(holder.slice('did:key:'.length));
      return { id, jwk, thumbprint: jwkThumbprint(jwk), keyObject: keyObjectFor(jwk), algorithms: algorithmsFor(jwk) };
    };
    const check = async (vp: Json) => {
      const reading = verifier.read(vp);
      if (!reading.ok) throw new Error(reading.message);
      return verifier.verify(reading, { now: new Date(), proofPurpose: 'authentication', keyFor: holderKey });
    };
    await expect(check(presentation)).resolves.toMatchObject({ ok: true });
    // Another credential slipped into the signed presentation breaks the holder's proof.
    const other = JSON.parse((await board.issue({ format: 'ldp-vc', qualification: 'EMT', subject: { name: 'Max Other' } })).jws) as Json;
    await expect(check({ ...presentation, verifiableCredential: [other] })).resolves.toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('a changed credential no longer verifies', async () => {
    const board = await open('fl-medicine');
    const issued = await board.issue({ format: 'ldp-vc', qualification: 'MD', subject: { name: 'Lee Park' } });
    const forged = JSON.parse(issued.jws) as Json;
    forged.credentialSubject.licenseNumber = 'ME000001';
    await expect(verifyProof(board, JSON.stringify(forged))).rejects.toThrow('signature_invalid');
  });
});

describe('status', () => {
  it('allocates distinct random indices across the whole list', async () => {
    const board = await open('fl-nursing');
    const indices: number[] = [];
    for (let i = 0; i < 150; i++) {
      indices.push((await board.issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: `Nurse ${i}` } })).statusIndex);
    }
    expect(new Set(indices).size).toBe(indices.length);
    expect(indices.every((i) => i >= 0 && i < 131_072)).toBe(true);
    // Random, not sequential: issue order must not be readable from the indices.
    expect(indices).not.toEqual([...indices].sort((a, b) => a - b));
    expect(Math.max(...indices) - Math.min(...indices)).toBeGreaterThan(10_000);
  });

  it('revoke, suspend and reinstate flip the bits of the signed lists; a revocation survives reinstatement', async () => {
    const board = await open('fl-nursing');
    const { statusIndex } = await board.issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Ana Diaz' } });
    const bit = async (purpose: 'revocation' | 'suspension'): Promise<boolean> => {
      const { payload } = await verifyWithDidDocument(board, (await board.signedStatusList(purpose)).jws);
      expect(payload).toMatchObject({
        id: board.statusListUrl(purpose),
        type: ['VerifiableCredential', 'BitstringStatusListCredential'],
        issuer: board.did,
        credentialSubject: { type: 'BitstringStatusList', statusPurpose: purpose, ttl: 30_000 },
      });
      return StatusBitstring.decode(payload.credentialSubject.encodedList).get(statusIndex);
    };
    expect([await bit('revocation'), await bit('suspension')]).toEqual([false, false]);
    board.suspend(statusIndex);
    expect([await bit('revocation'), await bit('suspension')]).toEqual([false, true]);
    board.reinstate(statusIndex);
    expect(await bit('suspension')).toBe(false);
    board.revoke(statusIndex);
    board.reinstate(statusIndex);
    expect(board.statusOf(statusIndex)).toEqual({ revoked: true, suspended: false });
    expect(await bit('revocation')).toBe(true);
  });

  it('re-signs a list only when it changed', async () => {
    const board = await open('ga-nursing');
    const { statusIndex } = await board.issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Ana Diaz' } });
    const first = await board.signedStatusList('revocation');
    expect(await board.signedStatusList('revocation')).toEqual(first);
    board.suspend(statusIndex);
    expect(await board.signedStatusList('revocation')).toEqual(first);
    board.revoke(statusIndex);
    expect((await board.signedStatusList('revocation')).etag).not.toBe(first.etag);
  });

  it('refuses status changes for indices it never handed out', async () => {
    const board = await open('fl-ems');
    const attempt = (): void => board.revoke(5);
    expect(attempt).toThrow(IssuerError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'unknown_status_index' }));
  });
});

describe('request validation', () => {
  it.each([
    ['an unknown qualification', { qualification: 'WIZARD' }, 'qualification'],
    ['an empty name', { subject: { name: ' ' } }, 'subject.name'],
    ['a subject id that is not a URL', { subject: { name: 'A', id: 'ana' } }, 'subject.id'],
    ['a bad e-mail', { subject: { name: 'A', email: 'nope' } }, 'subject.email'],
    ['an unknown format', { format: 'ldp_vc' }, 'format'],
    ['validUntil before validFrom', { validFrom: new Date('2025-01-01T00:00:00Z'), validUntil: new Date('2024-01-01T00:00:00Z') }, 'validUntil'],
  ])('rejects %s', async (_what, override, field) => {
    const board = await open('fl-nursing');
    const request = { format: 'vc+jwt', qualification: 'RN', subject: { name: 'Ana Diaz' }, ...override };
    const error = await board.issue(request as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IssuerError);
    expect(error).toMatchObject({ code: 'invalid_request', details: expect.arrayContaining([expect.objectContaining({ field })]) });
  });

  it('rejects a validUntil in the past of the default validFrom', async () => {
    const board = await open('fl-nursing');
    await expect(
      board.issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'A' }, validUntil: new Date('2001-01-01T00:00:00Z') }),
    ).rejects.toMatchObject({ code: 'invalid_request' });
  });
});

describe('persistence (dataDir)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'issuer-state-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the key and the lists across restarts, in a file only the owner can read', async () => {
    const first = await IssuingBoard.open(spec('fl-nursing'), origin, new FileBoardStore(dir), 30_000);
    const issued = await first.issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Ana Diaz' } });
    first.revoke(issued.statusIndex);

    const again = await IssuingBoard.open(spec('fl-nursing'), origin, new FileBoardStore(dir), 30_000);
    expect(again.didDocument()).toEqual(first.didDocument());
    expect(again.statusOf(issued.statusIndex)).toEqual({ revoked: true, suspended: false });
    await expect(verifyWithDidDocument(again, issued.jws)).resolves.toBeDefined();
    const file = join(dir, 'fl-nursing.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ format: 1, slug: 'fl-nursing', revoked: [issued.statusIndex] });
  });
});

describe('SD-JWT VC in the JSON serialization (dc+sd-jwt-json)', () => {
  it('is the board-signed SD-JWT VC laid out flattened: the protected header and payload verify, the Disclosures are those the payload digests', async () => {
    const board = await open('fl-ems');
    const issued = await board.issue({ format: 'dc+sd-jwt-json', qualification: 'EMT', subject: { name: 'Rui Almeida', email: 'rui@example.org' } });
    const json = JSON.parse(issued.jws) as Json;
    expect(Object.keys(json).sort()).toEqual(['header', 'payload', 'protected', 'signature']);
    const { header, payload } = await verifyWithDidDocument(board, `${json.protected}.${json.payload}.${json.signature}`);
    expect(header).toMatchObject({ typ: 'dc+sd-jwt', kid: board.keyId });
    expect(payload).toMatchObject({ iss: board.did, vct: expect.stringContaining('/vct/'), status: { status_list: { idx: issued.statusIndex } } });
    const disclosures = json.header.disclosures as string[];
    expect(disclosures.map((d) => (JSON.parse(Buffer.from(d, 'base64url').toString()) as unknown[])[1]).sort()).toEqual(['email', 'license_number', 'name']);
    expect(payload._sd).toEqual(disclosures.map((d) => createHash('sha256').update(d).digest('base64url')).sort());
  });
});
