import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONFORMANCE_CONTEXTS_DIR, didKey, signDataIntegrity } from '../../../../test/support/data-integrity-signer';
import { CredentialVerifier } from '../engine/credential-verifier';
import { BoundedFetcher } from '../fetch/bounded-fetcher';
import { StaticTrustSource, type QualificationRule, type TrustedIssuer } from '../trust/trust-source';
import type { VerificationResult, VerifyOptions } from '../verification-result';

/**
 * JSON-LD presentations (not enveloped) enclosing Data Integrity credentials: the enclosed credentials are verified
 * by their issuers' proofs, the presentation's own proof (optional in VCDM 2.0) by a key of its holder, with the
 * challenge and domain the verifier gave.
 */
interface Party {
  did: string;
  verificationMethod: string;
  privateKey: KeyObject;
}

const party = (): Party => {
  const pair = generateKeyPairSync('ed25519');
  return { ...didKey(pair.publicKey), privateKey: pair.privateKey };
};

const V2 = 'https://www.w3.org/ns/credentials/v2';
const RULES: QualificationRule[] = [{ qualification: 'RN', achievementTypes: ['License'], achievementName: 'Registered Nurse' }];
const NOW = new Date('2025-06-01T12:00:00Z');

function licence(issuer: string, name = 'Dana Rivera'): Record<string, unknown> {
  return {
    '@context': [V2, 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    id: `urn:uuid:${crypto.randomUUID()}`,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: { id: issuer, type: ['Profile'], name: 'Board' },
    validFrom: '2024-01-01T00:00:00Z',
    credentialSubject: {
      type: ['AchievementSubject'],
      name,
      achievement: { id: 'urn:example:rn', type: ['Achievement'], name: 'Registered Nurse', achievementType: 'License', criteria: { narrative: 'Licensed' } },
    },
  };
}

function verifier(trusted: Party[], fetcher?: BoundedFetcher): CredentialVerifier {
  const entries: TrustedIssuer[] = trusted.map((p) => ({
    id: p.did,
    name: 'Florida Board of Nursing',
    jurisdictions: ['US-FL'],
    qualifications: ['RN'],
    algorithms: ['EdDSA'],
  }));
  return new CredentialVerifier({
    fetcher: fetcher ?? new BoundedFetcher({ insecureHosts: [], allowPrivateNetwork: false, timeoutMs: 500, maxBytes: 65536, cacheTtlMs: 1000 }),
    trust: new StaticTrustSource(entries, RULES),
    clock: { now: () => NOW },
    clockSkewSeconds: 60,
    statusListMinBits: 131072,
    cacheTtlMs: 1000,
    jsonLdContextsDir: CONFORMANCE_CONTEXTS_DIR,
  });
}

const issue = (issuer: Party, name?: string) =>
  signDataIntegrity(licence(issuer.did, name), { suite: 'eddsa-rdfc-2022', privateKey: issuer.privateKey, verificationMethod: issuer.verificationMethod });

function presentation(credentials: unknown[], holder?: string): Record<string, unknown> {
  return { '@context': [V2], type: ['VerifiablePresentation'], ...(holder ? { holder } : {}), verifiableCredential: credentials };
}

const present = (vp: Record<string, unknown>, signer: Party, proof: Record<string, unknown> = {}, proofPurpose = 'authentication') =>
  signDataIntegrity(vp, { suite: 'eddsa-rdfc-2022', privateKey: signer.privateKey, verificationMethod: signer.verificationMethod, proofPurpose, proof });

const check = (r: VerificationResult, id: string) => r.checks.find((c) => c.id === id)!;
const FL: VerifyOptions = { jurisdiction: 'US-FL' };

describe('JSON-LD presentations of Data Integrity credentials', () => {
  const board = party();
  const rogue = party();
  const holder = party();
  const v = verifier([board]);

  it('a presentation without a proof of its own: the enclosed credential decides, no holder binding is assumed', async () => {
    const vp = presentation([await issue(board)]);
    const result = await v.verify(vp, FL);
    expect(result.errors).toEqual([]);
    expect(result.verified).toBe(true);
    expect(check(result, 'format').message).toContain('presentation without a proof of its own');
    expect(check(result, 'signature').message).toContain('no proof of its own');
    expect(result.credentials).toHaveLength(1);
    expect(result.credential).toMatchObject({ format: 'ldp-vc', qualification: 'RN', issuer: { id: board.did } });
    expect(result.credentials![0].jws).toContain('"proof"');
    // The same as JSON text (a QR code holding JSON).
    expect((await v.verify(JSON.stringify(vp), FL)).verified).toBe(true);
  });

  it('a challenge or domain requires a holder proof: an unsecured presentation then fails', async () => {
    const vp = presentation([await issue(board)], holder.did);
    const result = await v.verify(vp, { ...FL, challenge: 'n-0S6_WzA2Mj' });
    expect(check(result, 'signature')).toMatchObject({ status: 'fail', code: 'signature_invalid' });
    expect(result.verified).toBe(false);
  });

  it("a presentation proof by the holder's key, with the verifier's challenge and domain", async () => {
    const vp = await present(presentation([await issue(board)], holder.did), holder, { challenge: 'abc123', domain: 'https://checkin.example.org' });
    const result = await v.verify(vp, { ...FL, challenge: 'abc123', domain: 'https://checkin.example.org' });
    expect(result.errors).toEqual([]);
    expect(result.verified).toBe(true);
    expect(check(result, 'format').message).toContain('presentation secured with a Data Integrity proof (eddsa-rdfc-2022)');
    expect(check(result, 'signature').message).toContain("Presentation: The proof verifies: signed by the holder's key");
    expect(result.evidence.keyId).toBe(holder.verificationMethod);

    const replay = await v.verify(vp, { ...FL, challenge: 'other' });
    expect(check(replay, 'signature')).toMatchObject({ status: 'fail', code: 'signature_invalid' });
    expect(check(replay, 'signature').message).toContain('challenge');
    const elsewhere = await v.verify(vp, { ...FL, domain: 'https://elsewhere.example.org' });
    expect(check(elsewhere, 'signature')).toMatchObject({ status: 'fail', code: 'signature_invalid' });
  });

  it('tampered: an enclosed credential altered after issue, or the presentation altered after the holder signed it', async () => {
    const credential = await issue(board);
    const subject = credential.credentialSubject as Record<string, unknown>;
    const altered = { ...credential, credentialSubject: { ...subject, name: 'Somebody Else' } };
    const bad = await v.verify(presentation([altered]), FL);
    expect(check(bad, 'signature')).toMatchObject({ status: 'fail', code: 'signature_invalid' });
    expect(check(bad, 'signature').message).toMatch(/^Credential 1: /);
    expect(bad.verified).toBe(false);

    const signed = await present(presentation([credential], holder.did), holder);
    const second = await issue(board, 'Second Person');
    const grown = { ...signed, verifiableCredential: [credential, second] };
    const result = await v.verify(grown, FL);
    expect(check(result, 'signature')).toMatchObject({ status: 'fail', code: 'signature_invalid' });
    expect(check(result, 'signature').message).toMatch(/^Presentation: /);
  });

  it("proof swaps: a presentation's proof on another presentation, a credential's proof on another credential", async () => {
    const a = await present(presentation([await issue(board, 'Ann')], holder.did), holder);
    const b = presentation([await issue(board, 'Ben')], holder.did);
    const swapped = await v.verify({ ...b, proof: a.proof }, FL);
    expect(check(swapped, 'signature')).toMatchObject({ status: 'fail', code: 'signature_invalid' });

    const ann = await issue(board, 'Ann');
    const ben = await issue(board, 'Ben');
    const result = await v.verify(presentation([{ ...ben, proof: ann.proof }]), FL);
    expect(check(result, 'signature')).toMatchObject({ status: 'fail', code: 'signature_invalid' });
    expect(result.verified).toBe(false);
  });

  it("the holder binding: purpose authentication, a method of the holder's own, a holder named", async () => {
    const vp = presentation([await issue(board)], holder.did);
    const asserted = await v.verify(await present(vp, holder, {}, 'assertionMethod'), FL);
    expect(check(asserted, 'signature')).toMatchObject({ status: 'fail', code: 'signature_invalid' });
    expect(check(asserted, 'signature').message).toContain('not authentication');

    const stranger = party();
    const foreign = await v.verify(await present(vp, stranger), FL);
    expect(check(foreign, 'signature')).toMatchObject({ status: 'fail', code: 'key_not_found' });
    expect(check(foreign, 'signature').message).toContain("not one of the holder's");

    const anonymous = await v.verify(await present(presentation([await issue(board)]), holder), FL);
    expect(check(anonymous, 'signature')).toMatchObject({ status: 'fail', code: 'key_not_found' });
  });

  it("an untrusted issuer: untrusted_issuer, and nothing is fetched for the holder's did:web", async () => {
    const hits: string[] = [];
    const server: Server = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const fetcher = new BoundedFetcher({ insecureHosts: ['127.0.0.1'], allowPrivateNetwork: true, timeoutMs: 500, maxBytes: 65536, cacheTtlMs: 1000 });
      const local = verifier([board], fetcher);
      const webHolder = `did:web:127.0.0.1%3A${port}`;
      const vp = await present(presentation([await issue(rogue)], webHolder), { ...holder, verificationMethod: `${webHolder}#key-1` });
      const result = await local.verify(vp, FL);
      expect(check(result, 'issuer_trust')).toMatchObject({ status: 'fail', code: 'untrusted_issuer' });
      expect(check(result, 'signature').status).toBe('skipped');
      expect(result.verified).toBe(false);
      expect(hits).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses a presentation inside a presentation, an unsecured credential inside one, an unknown context, and an empty one', async () => {
    const inner = presentation([await issue(board)]);
    const nested = await v.verify(presentation([{ ...inner, proof: { type: 'DataIntegrityProof' } }]), FL);
    expect(check(nested, 'format')).toMatchObject({ status: 'fail', code: 'unsupported_format' });

    const { proof: _p, ...unsecured } = await issue(board);
    const bare = await v.verify(presentation([unsecured]), FL);
    expect(check(bare, 'format')).toMatchObject({ status: 'fail', code: 'unsupported_format' });

    const unknown = await v.verify({ ...presentation([await issue(board)]), '@context': [V2, 'https://evil.example/context.json'] }, FL);
    expect(check(unknown, 'format')).toMatchObject({ status: 'fail', code: 'unsupported_format' });

    const empty = await v.verify(presentation([]), FL);
    expect(check(empty, 'data_model')).toMatchObject({ status: 'fail', code: 'data_model_invalid' });
    expect(empty.verified).toBe(false);
  });
});
