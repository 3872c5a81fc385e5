import { BoundedFetcher, CredentialVerifier, StaticTrustSource, StatusListService, type VerificationResult } from '@app/credentials';
import { startIssuerServer, type IssuerServer } from '../apps/issuer/src';

/**
 * The verifier against the demo issuer (apps/issuer), which shares no code with it but the RDFC-1.0 canonicalization
 * of ldp-vc proofs: every credential format, every board algorithm (ldp-vc: eddsa-rdfc-2022 from the Ed25519 boards,
 * ecdsa-rdfc-2019 from the P-256 ones), and revocation / suspension / reinstatement seen once the list's ttl has passed.
 */
describe('verifier x demo issuer', () => {
  let issuer: IssuerServer;
  let verifier: CredentialVerifier;
  const ttlMs = 800;
  const status = (r: VerificationResult) => r.checks.find((c) => c.id === 'status');
  const later = () => new Promise((resolve) => setTimeout(resolve, ttlMs + 300));

  beforeAll(async () => {
    issuer = await startIssuerServer({ statusListTtlMs: ttlMs });
    const rules = [
      { qualification: 'RN', achievementTypes: ['License'], achievementName: 'Registered Nurse' },
      { qualification: 'MD', achievementTypes: ['License'], achievementName: 'Physician' },
      { qualification: 'PARAMEDIC', achievementTypes: ['License', 'Certification'], achievementName: 'Paramedic' },
      { qualification: 'EMT', achievementTypes: ['License', 'Certification'], achievementName: 'Emergency Medical Technician' },
    ];
    const trusted = issuer.boards.map((b) => ({
      id: b.did,
      name: b.name,
      jurisdictions: [b.jurisdiction],
      qualifications: ['RN', 'MD', 'PARAMEDIC', 'EMT'],
      algorithms: ['ES256', 'ES384', 'EdDSA'],
    }));
    verifier = new CredentialVerifier({
      fetcher: new BoundedFetcher({
        insecureHosts: ['127.0.0.1', 'localhost'],
        allowPrivateNetwork: true,
        timeoutMs: 3000,
        maxBytes: 1 << 20,
        cacheTtlMs: 60000,
      }),
      trust: new StaticTrustSource(trusted, rules),
      clockSkewSeconds: 60,
      statusListMinBits: 131072,
      cacheTtlMs: 60000,
      insecureHosts: ['127.0.0.1', 'localhost'],
    });
  });
  afterAll(() => issuer?.close());

  it.each(['vc+jwt', 'ob3-jwt', 'jwt-vc', 'ldp-vc'] as const)('verifies a %s licence from every state board and certifier', async (format) => {
    for (const board of issuer.boards.filter((b) => ['fl-nursing', 'fl-medicine', 'fl-ems', 'nremt'].includes(b.slug))) {
      const qualification = board.slug === 'fl-medicine' ? 'MD' : board.slug === 'fl-nursing' ? 'RN' : 'PARAMEDIC';
      const issued = await board.issue({ format, qualification, subject: { name: 'Dana Rivera' } });
      const result = await verifier.verify(issued.jws, { jurisdiction: 'US-FL' });
      expect({ board: board.slug, verified: result.verified, errors: result.errors, warnings: result.warnings }).toEqual({
        board: board.slug,
        verified: true,
        errors: [],
        warnings: [],
      });
      expect(result.credential).toMatchObject({ format, qualification, issuer: { registryName: board.name }, subject: { name: 'Dana Rivera' } });
    }
  });

  it("verifies an ldp-vp (an ldp-vc in its holder's presentation) from an Ed25519 and a P-256 board, and sees its credential revoked", async () => {
    for (const slug of ['nremt', 'fl-ems']) {
      const board = issuer.board(slug);
      const issued = await board.issue({ format: 'ldp-vp', qualification: 'PARAMEDIC', subject: { name: 'Dana Rivera' } });
      const result = await verifier.verify(issued.jws, { jurisdiction: 'US-FL' });
      expect({ board: slug, verified: result.verified, errors: result.errors }).toEqual({ board: slug, verified: true, errors: [] });
      // The holder's own proof was checked (its did:key), and the credential inside is the board's.
      expect(result.evidence.keyId).toBe((JSON.parse(issued.jws) as { proof: { verificationMethod: string } }).proof.verificationMethod);
      expect(result.credentials).toHaveLength(1);
      expect(result.credentials![0].credential).toMatchObject({ format: 'ldp-vc', qualification: 'PARAMEDIC', issuer: { registryName: board.name } });
      board.revoke(issued.statusIndex);
      await later();
      expect(status(await verifier.verify(issued.jws, { jurisdiction: 'US-FL' }))).toMatchObject({ status: 'fail', code: 'revoked' });
    }
  });

  it('sees a revocation, a suspension and a reinstatement after the list ttl', async () => {
    const board = issuer.board('fl-nursing');
    const a = await board.issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'A' } });
    const b = await board.issue({ format: 'ob3-jwt', qualification: 'RN', subject: { name: 'B' } });
    expect((await verifier.verify(a.jws, { jurisdiction: 'US-FL' })).verified).toBe(true);
    board.revoke(a.statusIndex);
    board.suspend(b.statusIndex);
    await later();
    expect(status(await verifier.verify(a.jws, { jurisdiction: 'US-FL' }))).toMatchObject({ status: 'fail', code: 'revoked' });
    expect(status(await verifier.verify(b.jws, { jurisdiction: 'US-FL' }))).toMatchObject({ status: 'fail', code: 'suspended' });
    board.reinstate(b.statusIndex);
    await later();
    expect((await verifier.verify(b.jws, { jurisdiction: 'US-FL' })).verified).toBe(true);
  });

  it('refresh() re-reads a list on demand (conditional request) and peek() reads it without fetching', async () => {
    const board = issuer.board('fl-ems');
    const issued = await board.issue({ format: 'vc+jwt', qualification: 'EMT', subject: { name: 'C' } });
    await verifier.verify(issued.jws, { jurisdiction: 'US-FL' });
    const url = board.statusListUrl('revocation');
    const unchanged = await verifier.statusLists.refresh(url);
    expect(unchanged.changed).toBe(false);
    board.revoke(issued.statusIndex);
    const changed = await verifier.statusLists.refresh(url);
    expect(changed.changed).toBe(true);
    const peeked = await verifier.statusLists.peek(url);
    expect(peeked && StatusListService.read(peeked, issued.statusIndex)).toBe(1);
  });
});
