import type { ApiClient } from './demo-api-client';
import type { DemoIncident } from './demo-seed';

/** The simulated licence board's notice secret in the demo (the board and the api are both local). */
export const DEMO_NOTICE_SECRET = 'demo-licence-board-notice-secret';

/** The licensing authorities the demo api is configured with: the simulated board plays both kinds. */
export function demoPrimarySources(boardUrl: string): unknown[] {
  return [
    {
      id: 'nursys',
      kind: 'nursys',
      name: 'Nurse licensure database (simulated)',
      baseUrl: boardUrl,
      states: ['FL', 'GA', 'TX', 'NC'],
      professions: ['RN', 'LPN', 'APRN'],
      noticeSecret: DEMO_NOTICE_SECRET,
      freshnessSeconds: 900,
    },
    {
      id: 'state-boards',
      kind: 'state-board',
      name: 'State licensing boards (simulated)',
      baseUrl: boardUrl,
      states: ['FL', 'GA', 'TX'],
      professions: ['PARAMEDIC', 'EMT', 'MD'],
      freshnessSeconds: 300,
    },
  ];
}

export interface LicenceWalkIn {
  name: string;
  licenceNumber: string;
  state: string;
  profession: string;
  position?: string;
  expected: 'admitted' | 'denied';
  why: string;
}

/** Responders with a licence card and no badge, checked in at the station by licence number. */
export const DEMO_LICENCE_CHECK_INS: readonly LicenceWalkIn[] = [
  {
    name: 'Maria Delgado',
    licenceNumber: 'RN9876543',
    state: 'FL',
    profession: 'RN',
    position: 'Triage Nurse',
    expected: 'admitted',
    why: 'active, multistate',
  },
  {
    name: 'Luis Herrera',
    licenceNumber: 'PMD522871',
    state: 'FL',
    profession: 'PARAMEDIC',
    position: 'Paramedic',
    expected: 'admitted',
    why: 'active (state board)',
  },
  {
    name: 'Robert Nakamura',
    licenceNumber: 'ME134567',
    state: 'FL',
    profession: 'MD',
    position: 'Physician',
    expected: 'admitted',
    why: 'active (state board)',
  },
  { name: 'Tamika Ruiz', licenceNumber: 'PN3332211', state: 'FL', profession: 'LPN', expected: 'denied', why: 'expired' },
  { name: 'Daniel Cho', licenceNumber: 'RN314159', state: 'GA', profession: 'RN', expected: 'denied', why: 'suspended' },
];

export interface LicenceCheckInResult {
  entry: LicenceWalkIn;
  status: number;
  decision?: string;
  reasons: string[];
  lookedUpAt?: string;
}

/** Checks each demo licence in at the station (the check-in staff member states two forms of ID were seen). */
export async function checkInByLicence(api: ApiClient, incident: DemoIncident, token: string): Promise<LicenceCheckInResult[]> {
  const out: LicenceCheckInResult[] = [];
  for (const entry of DEMO_LICENCE_CHECK_INS) {
    const res = await api.call<{
      decision?: string;
      reasons?: Array<{ code: string }>;
      verification?: { evidence?: { primarySource?: { lookedUpAt?: string } } };
    }>('POST', `/incidents/${incident.id}/check-ins/licence`, {
      token,
      expect: [201, 422],
      headers: { 'Idempotency-Key': `demo-licence-${entry.state}-${entry.licenceNumber}`, 'X-Device-Id': 'demo-station' },
      body: {
        licenceNumber: entry.licenceNumber,
        state: entry.state,
        profession: entry.profession,
        twoFormsOfIdSeen: true,
        name: entry.name,
        entry: 'typed',
        positionId: entry.position ? incident.positions[entry.position] : undefined,
      },
    });
    out.push({
      entry,
      status: res.status,
      decision: res.body.decision,
      reasons: (res.body.reasons ?? []).map((r) => r.code),
      lookedUpAt: res.body.verification?.evidence?.primarySource?.lookedUpAt,
    });
  }
  return out;
}
