import { validateCredential, validatePresentation } from './data-model';
import { parseInstant } from './instants';
import { extractCredential } from './credential-format';

const base = {
  '@context': ['https://www.w3.org/ns/credentials/v2'],
  type: ['VerifiableCredential'],
  issuer: 'did:example:issuer',
  credentialSubject: { id: 'did:example:s' },
};

describe('VC data model checks', () => {
  it('accepts a minimal credential and refuses the classic mistakes', () => {
    expect(validateCredential(base)).toEqual([]);
    expect(validateCredential({ ...base, '@context': ['https://www.w3.org/ns/credentials/examples/v2'] })).toEqual([expect.stringContaining('first @context')]);
    expect(validateCredential({ ...base, type: ['Other'] })).toEqual([expect.stringContaining('VerifiableCredential')]);
    expect(validateCredential({ ...base, issuer: 'fake-issuer' })).toEqual([expect.stringContaining('URL')]);
    expect(validateCredential({ ...base, credentialSubject: {} })).toEqual([expect.stringContaining('no claims')]);
    expect(validateCredential({ ...base, credentialStatus: { id: 'did:example:s' } })).toEqual([expect.stringContaining('type')]);
    expect(validateCredential({ ...base, name: { '@value': 'x', url: 'y' } })).toEqual([expect.stringContaining('name')]);
    expect(validateCredential({ ...base, '@context': [...base['@context'], { VerifiableCredential: 'https://example.org/#Bad' }] })).toEqual([
      expect.stringContaining('protected'),
    ]);
  });

  it('compares validity dates as instants, with their offsets', () => {
    expect(parseInstant('2023-02-25T19:21:29-06:00')! - parseInstant('2023-02-26T01:21:23Z')!).toBe(6000);
    expect(validateCredential({ ...base, validFrom: '2023-02-26T01:21:23Z', validUntil: '2023-02-25T19:21:29-06:00' })).toEqual([]);
    expect(validateCredential({ ...base, validFrom: '2023-02-26T01:21:23Z', validUntil: '2023-02-26T01:21:22Z' })).toEqual(['validUntil is before validFrom.']);
    expect(validateCredential({ ...base, validFrom: '2023-02-26T01:21:23' })).toEqual([expect.stringContaining('time zone')]);
    expect(parseInstant('Sat 25 Feb 2023 07:16:31 PM CST')).toBeUndefined();
    expect(parseInstant('4023-02-26T01:02:58.447123Z')).toBe(Date.UTC(4023, 1, 26, 1, 2, 58, 447));
    // Instants read before are remembered; a text without a zone is only valid where the zone is optional, every time.
    for (let i = 0; i < 2; i++) {
      expect(parseInstant('2024-03-01T10:00:00', { zoneOptional: true })).toBe(Date.UTC(2024, 2, 1, 10));
      expect(parseInstant('2024-03-01T10:00:00')).toBeUndefined();
      expect(parseInstant('2024-03-01T10:00:00+02:00')).toBe(Date.UTC(2024, 2, 1, 8));
      expect(parseInstant('2023-02-29T00:00:00Z')).toBeUndefined();
    }
  });

  it('checks VC 1.1 (issuanceDate required) and status entries this engine reads', () => {
    const v1 = { ...base, '@context': ['https://www.w3.org/2018/credentials/v1'] };
    expect(validateCredential(v1, '1.1')).toEqual([expect.stringContaining('issuanceDate')]);
    expect(validateCredential({ ...v1, issuanceDate: '2024-01-01T00:00:00Z' }, '1.1')).toEqual([]);
    const entry = { type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: 'x', statusListCredential: 'https://e.org/l' };
    expect(validateCredential({ ...base, credentialStatus: entry })).toEqual([expect.stringContaining('statusListIndex')]);
  });

  it('checks presentations and their enclosed credentials', () => {
    const vp = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'] };
    expect(validatePresentation(vp)).toEqual([]);
    expect(validatePresentation({ ...vp, holder: 'z6Mk-not-a-url' })).toEqual([expect.stringContaining('holder')]);
    expect(validatePresentation({ ...vp, verifiableCredential: ['eyJ...'] })).toEqual([expect.stringContaining('must be an object')]);
    expect(validatePresentation({ ...vp, verifiableCredential: [{ type: 'EnvelopedVerifiableCredential', id: 'not-a-credential' }] })).toEqual([
      expect.stringContaining('data: URL'),
    ]);
  });

  it('maps VC-JWT 1.1 claims onto the credential and fails on conflicts', () => {
    const vc = { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiableCredential'], credentialSubject: { name: 'A' } };
    const ok = extractCredential('jwt-vc', { iss: 'did:example:i', sub: 'did:example:s', nbf: 1700000000, exp: 1800000000, jti: 'urn:uuid:1', vc });
    expect(ok.problems).toEqual([]);
    expect(ok.credential).toMatchObject({
      issuer: 'did:example:i',
      id: 'urn:uuid:1',
      issuanceDate: '2023-11-14T22:13:20.000Z',
      expirationDate: '2027-01-15T08:00:00.000Z',
      credentialSubject: { id: 'did:example:s' },
    });
    const conflict = extractCredential('jwt-vc', {
      iss: 'did:example:other',
      nbf: 1700000000,
      vc: { ...vc, issuer: 'did:example:i', issuanceDate: '2020-01-01T00:00:00Z' },
    });
    expect(conflict.problems).toEqual([expect.stringContaining('nbf'), expect.stringContaining('iss')]);
    expect(extractCredential('vc+jwt', { ...base, vc: 'x' }).problems).toEqual([expect.stringContaining('vc or vp')]);
    expect(extractCredential('vc+jwt', { ...base, iss: 'did:example:other' }).problems).toEqual([expect.stringContaining('iss')]);
  });
});
