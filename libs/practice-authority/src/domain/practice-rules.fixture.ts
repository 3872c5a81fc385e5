import type { PracticeRulesDocument } from './practice-rules.document';

/**
 * A rule set for tests and the demo: Florida, Georgia and Texas in the NLC (North Carolina left), an EMAC mission
 * from Georgia to Florida, a Florida order letting Alabama nurses in under supervision, a restriction narrowing the
 * compact for LPNs, and a suspension of Georgia EMT practice.
 */
export function samplePracticeRules(): PracticeRulesDocument {
  return {
    format: 'responder-checkin/practice-rules',
    version: 1,
    publisher: 'Florida Division of Emergency Management (sample)',
    compacts: [
      {
        id: 'NLC',
        professions: ['RN', 'LPN'],
        requiresMultistate: true,
        members: [
          { state: 'US-TX', from: '2000-01-01T00:00:00Z', until: null },
          { state: 'US-GA', from: '2018-01-19T00:00:00Z', until: null },
          { state: 'US-FL', from: '2018-01-19T00:00:00Z', until: null },
          { state: 'US-NC', from: '2000-07-01T00:00:00Z', until: '2026-06-01T00:00:00Z' },
        ],
      },
    ],
    missions: [
      {
        id: 'FL-2026-0142',
        requestingState: 'US-FL',
        assistingState: 'US-GA',
        requestNumber: 'REQ-A-0142',
        signedAt: '2026-06-24T15:00:00Z',
        order: 'EO 26-117',
        professions: ['PARAMEDIC', 'EMT', 'RN'],
        from: '2026-06-25T00:00:00Z',
        until: '2026-07-24T00:00:00Z',
        roster: ['GA-PM-1001'],
        conditions: [],
      },
    ],
    orders: [
      {
        id: 'EO 26-117',
        state: 'US-FL',
        issuedBy: 'Governor of Florida',
        effect: 'authorize',
        professions: ['RN', 'LPN'],
        homeStates: ['US-AL'],
        from: '2026-06-20T00:00:00Z',
        until: '2026-07-24T00:00:00Z',
        conditions: ['under supervision'],
        suspends: false,
      },
      {
        id: 'EO 26-118',
        state: 'US-FL',
        issuedBy: 'Florida Department of Health',
        effect: 'restrict',
        professions: ['LPN'],
        homeStates: [],
        from: '2026-06-20T00:00:00Z',
        until: '2026-07-24T00:00:00Z',
        conditions: ['only in shelters'],
        suspends: false,
      },
      {
        id: 'EO 26-119',
        state: 'US-FL',
        issuedBy: 'Florida Department of Health',
        effect: 'restrict',
        professions: ['EMT'],
        homeStates: ['US-GA'],
        from: '2026-06-20T00:00:00Z',
        until: '2026-07-24T00:00:00Z',
        conditions: [],
        suspends: true,
      },
    ],
  };
}
