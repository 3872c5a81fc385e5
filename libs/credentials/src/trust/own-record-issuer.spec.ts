import { DEPLOYMENT_RECORD_QUALIFICATION, DEPLOYMENT_RECORD_TYPE, withOwnRecordIssuer } from './own-record-issuer';
import { mapQualification, StaticTrustSource } from './trust-source';

describe('the agency pinned as its own records issuer', () => {
  const own = { did: 'did:web:checkin.example.gov', name: 'State EMA', jurisdiction: 'US-FL' };
  const registry = new StaticTrustSource(
    [{ id: own.did, name: 'Spoofed', jurisdictions: ['US'], qualifications: ['RN'], algorithms: ['EdDSA'] }],
    [{ qualification: 'RN', achievementName: 'Registered Nurse', achievementTypes: ['License'] }],
  );

  it('trusts the agency DID for DEPLOYMENT_RECORD only, whatever the registry says about that DID', async () => {
    const trust = withOwnRecordIssuer(registry, own);
    expect(await trust.findIssuer(own.did)).toMatchObject({ name: 'State EMA', qualifications: [DEPLOYMENT_RECORD_QUALIFICATION], jurisdictions: ['US-FL'] });
    expect(trust.inMemory()?.findIssuer(own.did)?.qualifications).toEqual([DEPLOYMENT_RECORD_QUALIFICATION]);
  });

  it('maps the record type to DEPLOYMENT_RECORD after the registry rules', async () => {
    const rules = await withOwnRecordIssuer(registry, own).qualificationRules();
    expect(mapQualification({ credentialTypes: ['VerifiableCredential', DEPLOYMENT_RECORD_TYPE] }, rules)).toBe(DEPLOYMENT_RECORD_QUALIFICATION);
    expect(mapQualification({ achievementName: 'Registered Nurse', achievementType: 'License', credentialTypes: [] }, rules)).toBe('RN');
  });

  it('is the registry unchanged when no records issuer is configured', () => {
    expect(withOwnRecordIssuer(registry, undefined)).toBe(registry);
  });
});
