import type { ReleasedDeployment } from '@app/incidents';
import { daysOnScene, didWebOrigin, recordCredential, statusPosition, STATUS_LIST_LENGTH } from './record-credential';

const facts: ReleasedDeployment = {
  deploymentId: 'd',
  incidentId: 'i',
  responderId: 'r',
  incident: { name: 'Surfside Building Collapse', number: 'FL-1', type: 'Structural collapse', jurisdiction: 'US-FL' },
  responder: { name: 'Ana Diaz', email: null, subjectId: null },
  position: null,
  assignments: [],
  location: null,
  agency: null,
  homeUnit: null,
  checkedInAt: '2026-06-24T23:30:00.000Z',
  checkedOutAt: '2026-06-25T00:30:00.000Z',
  hoursOnDuty: 1,
  credential: { hash: 'ab', issuerId: null, issuerName: null, qualification: null, licenseNumber: null },
  legalBasis: null,
};

describe('deployment record credential', () => {
  it('counts calendar days, both ends included', () => {
    expect(daysOnScene(facts.checkedInAt, facts.checkedOutAt)).toBe(2);
    expect(daysOnScene('2026-06-24T01:00:00Z', '2026-06-24T23:00:00Z')).toBe(1);
  });

  it('places status indices on 131,072-entry lists', () => {
    expect(statusPosition(0)).toEqual({ list: 1, index: 0 });
    expect(statusPosition(STATUS_LIST_LENGTH + 5)).toEqual({ list: 2, index: 5 });
  });

  it('resolves the did:web origin, http only for insecure hosts', () => {
    expect(didWebOrigin('did:web:checkin.example.gov', [])).toBe('https://checkin.example.gov');
    expect(didWebOrigin('did:web:127.0.0.1%3A3000', ['127.0.0.1'])).toBe('http://127.0.0.1:3000');
  });

  it('leaves out what is unknown: no subject id, position or legal basis', () => {
    const c = recordCredential({
      recordId: '00000000-0000-4000-8000-000000000000',
      facts,
      kind: { name: 'Disaster Deployment: Structural collapse', description: null },
      issuer: { did: 'did:web:x.example', name: 'EMA', baseUrl: 'https://x.example' },
      issuedAt: new Date('2026-06-25T00:30:01.250Z'),
      statusIndex: 7,
    }) as { validFrom: string; credentialSubject: Record<string, unknown> & { deployment: Record<string, unknown> }; credentialStatus: Record<string, string> };
    expect(c.validFrom).toBe('2026-06-25T00:30:01Z');
    expect(c.credentialSubject.id).toBeUndefined();
    expect(c.credentialSubject.role).toBeUndefined();
    expect(c.credentialSubject.deployment.legalBasis).toBeUndefined();
    expect(c.credentialStatus).toEqual({
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: '7',
      statusListCredential: 'https://x.example/deployment-records/status/1',
    });
  });
});
