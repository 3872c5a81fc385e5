import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { flattenedSdJwt, tokenStatusList, vctOf, withDisclosures } from './sd-jwt-vc';

describe('demo SD-JWT VC issuance', () => {
  it('replaces the disclosable claims by the sha-256 digests of their Disclosures', () => {
    const { payload, disclosures } = withDisclosures({ iss: 'did:example:board', name: 'Ana Diaz', license_number: 'RN1' }, [
      'name',
      'license_number',
      'email',
    ]);
    expect(payload).toEqual({ iss: 'did:example:board', _sd: expect.any(Array), _sd_alg: 'sha-256' });
    expect(disclosures.map((d) => (JSON.parse(Buffer.from(d, 'base64url').toString()) as unknown[]).slice(1))).toEqual([
      ['name', 'Ana Diaz'],
      ['license_number', 'RN1'],
    ]);
    expect(payload._sd).toEqual(disclosures.map((d) => createHash('sha256').update(d).digest('base64url')).sort());
  });

  it('lays the Token Status List out two bits per entry, least significant bits first', () => {
    const values: Record<number, number> = { 0: 1, 1: 2, 5: 1, 7: 2 };
    const bytes = inflateSync(
      Buffer.from(
        tokenStatusList(16, (i) => values[i] ?? 0),
        'base64url',
      ),
    );
    // byte 0: entries 0-3 -> 0b00_00_10_01; byte 1: entries 4-7 -> 0b10_00_01_00
    expect([...bytes]).toEqual([0b00001001, 0b10000100, 0, 0]);
  });

  it('names qualifications by a vct that is the same on every board', () => {
    expect(vctOf('Registered Nurse')).toBe('https://credentials.example.org/vct/registered-nurse');
    expect(vctOf('Structural Collapse Rescue Technician')).toBe('https://credentials.example.org/vct/structural-collapse-rescue-technician');
  });

  it('lays an SD-JWT out in the flattened JSON serialization: the signed parts as they are, the Disclosures in the unprotected header', () => {
    const json = flattenedSdJwt('aGVhZGVy.cGF5bG9hZA.c2ln', ['ZDE', 'ZDI']);
    expect(json).toEqual({ protected: 'aGVhZGVy', payload: 'cGF5bG9hZA', signature: 'c2ln', header: { disclosures: ['ZDE', 'ZDI'] } });
  });
});
