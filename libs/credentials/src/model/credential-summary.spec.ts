import { statusEntries, summariseCredential } from './credential-summary';

const entry = (i: number) => ({
  id: `https://board.example/status/1#${i}`,
  type: 'BitstringStatusListEntry',
  statusPurpose: 'revocation',
  statusListIndex: String(i),
  statusListCredential: 'https://board.example/status/1',
});

describe('credential summary', () => {
  it('takes a credential’s usual types as they are, and clips or drops the unusual ones', () => {
    const usual = summariseCredential({ type: ['VerifiableCredential', 'OpenBadgeCredential'] }, 'vc+jwt', undefined);
    expect(usual.types).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(summariseCredential({ type: 'VerifiableCredential' }, 'vc+jwt', undefined).types).toEqual(['VerifiableCredential']);

    const long = 'T'.repeat(400);
    const odd = summariseCredential({ type: ['VerifiableCredential', 7, long, ...Array.from({ length: 30 }, (_, i) => `Type${i}`)] }, 'vc+jwt', undefined);
    expect(odd.types).toHaveLength(20);
    expect(odd.types[0]).toBe('VerifiableCredential');
    expect(odd.types[1]).toBe(`${'T'.repeat(300)}…`);
    expect(odd.types[2]).toBe('Type0');
    // Strings only, but too many or too long: still capped and clipped.
    expect(summariseCredential({ type: Array.from({ length: 25 }, (_, i) => `Type${i}`) }, 'vc+jwt', undefined).types).toHaveLength(20);
    expect(summariseCredential({ type: ['VerifiableCredential', long] }, 'vc+jwt', undefined).types[1]).toBe(`${'T'.repeat(300)}…`);
  });

  it('reads status entries that are objects, at most 16', () => {
    expect(statusEntries({ credentialStatus: [entry(1), entry(2)] })).toEqual([
      { type: 'BitstringStatusListEntry', purpose: 'revocation', listUrl: 'https://board.example/status/1', index: 1 },
      { type: 'BitstringStatusListEntry', purpose: 'revocation', listUrl: 'https://board.example/status/1', index: 2 },
    ]);
    expect(statusEntries({ credentialStatus: entry(3) }).map((e) => e.index)).toEqual([3]);
    expect(statusEntries({ credentialStatus: ['not an entry', entry(4)] }).map((e) => e.index)).toEqual([4]);
    const many = statusEntries({ credentialStatus: Array.from({ length: 20 }, (_, i) => entry(i)) });
    expect(many.map((e) => e.index)).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });

  it('gives validity dates in UTC ISO form, the same however often they are read', () => {
    const credential = { validFrom: '2024-01-01T00:00:00Z', validUntil: '2099-06-30T20:00:00-04:00' };
    for (let i = 0; i < 2; i++) {
      const summary = summariseCredential(credential, 'vc+jwt', undefined);
      expect(summary.validFrom).toBe('2024-01-01T00:00:00.000Z');
      expect(summary.validUntil).toBe('2099-07-01T00:00:00.000Z');
    }
    expect(summariseCredential({ issuanceDate: '2024-02-03T04:05:06.789Z' }, 'jwt-vc', undefined).validFrom).toBe('2024-02-03T04:05:06.789Z');
    expect(summariseCredential({ issuanceDate: '2024-02-03T04:05:06' }, 'jwt-vc', undefined).validFrom).toBe('2024-02-03T04:05:06.000Z');
    expect(summariseCredential({ validFrom: 'yesterday' }, 'vc+jwt', undefined).validFrom).toBeUndefined();
  });

  it('reads the first subject and achievement that are objects', () => {
    const summary = summariseCredential(
      { credentialSubject: ['did:example:x', { name: 'Dana Rivera', achievement: [{ name: { '@value': 'Registered Nurse' } }] }] },
      'vc+jwt',
      undefined,
    );
    expect(summary.subject.name).toBe('Dana Rivera');
    expect(summary.achievement?.name).toBe('Registered Nurse');
  });
});
