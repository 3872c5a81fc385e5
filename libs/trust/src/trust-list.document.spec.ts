import { DomainError } from '@app/common';
import { jurisdictionCovers, mapQualification } from '@app/credentials';
import { parseTrustList, rulesOf, trustListDigest, trustSourceFromDocument, type TrustListDocument } from './trust-list.document';

const doc: TrustListDocument = {
  format: 'responder-checkin/trust-list',
  version: 1,
  qualifications: [
    {
      code: 'RN',
      name: 'Registered Nurse',
      rules: [{ achievementId: 'https://fl.example/achievements/rn' }, { achievementTypes: ['License'], achievementName: 'Registered Nurse' }],
    },
    {
      code: 'PARAMEDIC',
      name: 'Paramedic',
      rules: [
        { achievementTypes: ['License', 'Certification'], achievementName: 'Paramedic' },
        { credentialType: 'ParamedicCredential' },
        { vct: 'https://registry.example/vct/paramedic' },
      ],
    },
  ],
  issuers: [
    {
      id: 'did:web:boards.example:fl:nursing',
      name: 'Florida Board of Nursing',
      jurisdictions: ['US-FL'],
      qualifications: ['RN'],
      algorithms: ['ES256'],
      validFrom: null,
      validUntil: null,
      retiredAt: null,
    },
    { id: 'https://registry.example', name: 'National Registry', jurisdictions: ['US'], qualifications: ['PARAMEDIC'] },
  ],
};

describe('trust-list document', () => {
  it('parses a valid document into the engine view', async () => {
    const source = trustSourceFromDocument(parseTrustList(doc));
    expect(await source.findIssuer('https://registry.example')).toMatchObject({ name: 'National Registry', algorithms: ['ES256', 'ES384', 'EdDSA'] });
    expect((await source.qualificationRules()).map((r) => r.qualification)).toEqual(['RN', 'RN', 'PARAMEDIC', 'PARAMEDIC', 'PARAMEDIC']);
    expect(trustListDigest(doc)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['wrong version', { ...doc, version: 2 }, 'version'],
    ['unknown field', { ...doc, extra: true }, ''],
    ['bad jurisdiction', { ...doc, issuers: [{ ...doc.issuers[0], jurisdictions: ['Florida'] }] }, 'issuers.0.jurisdictions.0'],
    ['unknown qualification', { ...doc, issuers: [{ ...doc.issuers[0], qualifications: ['PILOT'] }] }, 'issuers.0.qualifications'],
    ['duplicate issuer', { ...doc, issuers: [doc.issuers[0], doc.issuers[0]] }, 'issuers.1.id'],
    ['HS256', { ...doc, issuers: [{ ...doc.issuers[0], algorithms: ['HS256'] }] }, 'issuers.0.algorithms.0'],
    [
      'rule with two kinds',
      { ...doc, qualifications: [{ code: 'RN', name: 'x', rules: [{ achievementId: 'a', credentialType: 'b' }] }] },
      'qualifications.0.rules.0',
    ],
    [
      'vct rule with another kind',
      { ...doc, qualifications: [{ code: 'RN', name: 'x', rules: [{ vct: 'urn:x', credentialType: 'b' }] }] },
      'qualifications.0.rules.0',
    ],
    ['empty vct', { ...doc, qualifications: [{ code: 'RN', name: 'x', rules: [{ vct: '' }] }] }, 'qualifications.0.rules.0'],
  ])('refuses %s with trust_list_invalid naming the field', (_name, value, field) => {
    try {
      parseTrustList(value);
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe('trust_list_invalid');
      expect(JSON.stringify((err as DomainError).details)).toContain(field);
    }
  });
});

describe('qualification mapping rules', () => {
  const rules = rulesOf(doc);
  it('achievement id first, then achievementType + name (case and spacing ignored), then credential type', () => {
    expect(
      mapQualification(
        { achievementId: 'https://fl.example/achievements/rn', achievementName: 'Paramedic', achievementType: 'License', credentialTypes: [] },
        rules,
      ),
    ).toBe('RN');
    expect(mapQualification({ achievementName: '  registered   NURSE ', achievementType: 'license', credentialTypes: [] }, rules)).toBe('RN');
    expect(mapQualification({ achievementName: 'Registered Nurse', achievementType: 'Certificate', credentialTypes: [] }, rules)).toBeUndefined();
    expect(mapQualification({ credentialTypes: ['VerifiableCredential', 'ParamedicCredential'] }, rules)).toBe('PARAMEDIC');
    expect(mapQualification({ achievementName: 'Nurse', achievementType: 'License', credentialTypes: ['VerifiableCredential'] }, rules)).toBeUndefined();
  });

  it('an SD-JWT VC maps by its vct, compared exactly', () => {
    expect(mapQualification({ vct: 'https://registry.example/vct/paramedic', credentialTypes: ['https://registry.example/vct/paramedic'] }, rules)).toBe(
      'PARAMEDIC',
    );
    expect(mapQualification({ vct: 'https://registry.example/vct/Paramedic', credentialTypes: [] }, rules)).toBeUndefined();
    expect(
      mapQualification({ vct: 'https://registry.example/vct/paramedic', achievementId: 'https://fl.example/achievements/rn', credentialTypes: [] }, rules),
    ).toBe('RN');
  });

  it('US covers every US-xx, a state covers only itself', () => {
    expect(jurisdictionCovers('US', 'US-FL')).toBe(true);
    expect(jurisdictionCovers('US-FL', 'US-FL')).toBe(true);
    expect(jurisdictionCovers('US-FL', 'US')).toBe(false);
    expect(jurisdictionCovers('US-GA', 'US-FL')).toBe(false);
    expect(jurisdictionCovers('US', 'USA')).toBe(false);
  });
});
