import type { CheckId, CheckStatus, CredentialSummary, VerificationResult } from '@app/credentials';
import { establishesIdentity, identityFrom, type KnownResponder, type Presentation } from './responder-identity';

const CHECKS: CheckId[] = ['format', 'signature', 'data_model', 'validity', 'status', 'issuer_trust'];

/** A result whose checks all pass but those given. */
function result(overrides: Partial<Record<CheckId, CheckStatus>> = {}): VerificationResult {
  const checks = CHECKS.map((id) => {
    const status = overrides[id] ?? 'pass';
    return { id, status, code: status === 'pass' ? ('ok' as const) : ('untrusted_issuer' as const), message: `${id} ${status}` };
  });
  return {
    verified: checks.every((c) => c.status === 'pass'),
    checks,
    warnings: checks.filter((c) => c.status === 'indeterminate'),
    errors: checks.filter((c) => c.status === 'fail'),
    evidence: { credentialHash: 'h', status: [], verifiedAt: '2026-01-01T00:00:00Z' },
  };
}

describe('establishesIdentity', () => {
  it('holds for a credential whose every check passed, or whose status alone could not be read', () => {
    expect(establishesIdentity(result())).toBe(true);
    expect(establishesIdentity(result({ status: 'indeterminate' }))).toBe(true);
  });

  it.each<[string, Partial<Record<CheckId, CheckStatus>>]>([
    ['an issuer the incident does not trust', { issuer_trust: 'fail' }],
    ['a trust registry that could not be read', { issuer_trust: 'indeterminate' }],
    ['a signature that does not verify', { signature: 'fail' }],
    ['a signature not checked', { signature: 'skipped' }],
    ['an expired credential', { validity: 'fail' }],
    ['a revoked credential', { status: 'fail' }],
    ['an invalid data model', { data_model: 'fail' }],
  ])('does not hold for %s', (_, overrides) => {
    expect(establishesIdentity(result(overrides))).toBe(false);
  });

  it('does not hold for a result without checks', () => {
    expect(establishesIdentity({ ...result(), checks: [] })).toBe(false);
  });
});

describe('identityFrom (a known responder)', () => {
  const known: KnownResponder = {
    responderId: 'r1',
    name: 'Lee Original',
    email: 'lee@old.example.org',
    credentialId: 'c1',
    verificationId: 'v1',
    otherQualifications: [],
    active: null,
  };
  const presented = (subject: CredentialSummary['subject']): Presentation => ({
    summary: { format: 'vc+jwt', types: [], issuer: { id: 'did:web:boards.example:nremt' }, subject, status: [] },
    scanned: 'x.y.z',
    result: result(),
    incidentId: 'i1',
    kind: 'check_in',
    at: new Date(),
    ids: { responderId: 'new-r', credentialId: 'new-c', verificationId: 'new-v' },
  });

  it('names the fields the credential changes, from the stored value to its own', () => {
    const identity = identityFrom(presented({ name: ' Lee Renamed ', email: 'lee@new.example.org' }), known);
    expect(identity).toMatchObject({ responderId: 'r1', name: 'Lee Renamed', email: 'lee@new.example.org' });
    expect(identity.changes).toEqual([
      { field: 'name', from: 'Lee Original', to: 'Lee Renamed' },
      { field: 'email', from: 'lee@old.example.org', to: 'lee@new.example.org' },
    ]);
  });

  it('changes nothing when the credential says the same, or says no name or e-mail at all', () => {
    expect(identityFrom(presented({ name: 'Lee Original', email: 'lee@old.example.org' }), known).changes).toEqual([]);
    const silent = identityFrom(presented({}), known);
    expect(silent).toMatchObject({ name: 'Lee Original', email: 'lee@old.example.org', changes: [] });
  });
});
