import { decidePracticeAuthority, homeStatesWithRules, rulesForState, type PracticeQuestion } from './decide-practice-authority';
import { parsePracticeRules } from './practice-rules.document';
import { samplePracticeRules } from './practice-rules.fixture';

const AT = new Date('2026-07-01T12:00:00Z');
const doc = parsePracticeRules(samplePracticeRules());

interface Row {
  name: string;
  incident?: string;
  q: Partial<PracticeQuestion> & { homeStates: string[]; profession: string };
  authorized: boolean;
  /** The basis text, or the denial message. */
  text: string;
  ruleId?: string | null;
}

const rows: Row[] = [
  {
    name: 'no rule names the state: the issuer trust is the only check',
    incident: 'US-OR',
    q: { homeStates: ['US-GA'], profession: 'RN' },
    authorized: true,
    text: "No practice rules on record for OR: the issuer's trust is the only check (RN, licensed in GA).",
    ruleId: null,
  },
  {
    name: 'no rule names the state, the incident lists the home state for mutual aid',
    incident: 'US-OR',
    q: { homeStates: ['US-GA'], profession: 'RN', mutualAidJurisdictions: ['US-GA'] },
    authorized: true,
    text: "RN licensed in GA; practising in OR under the incident's mutual-aid list (no practice rules on record for OR).",
    ruleId: null,
  },
  { name: 'licence of the incident state', q: { homeStates: ['US-FL'], profession: 'RN' }, authorized: true, text: 'RN licensed in FL.', ruleId: null },
  {
    name: 'compact member, multistate licence',
    q: { homeStates: ['US-TX'], profession: 'RN', multistate: true },
    authorized: true,
    text: 'multistate RN licence (NLC, home state TX).',
    ruleId: 'NLC',
  },
  {
    name: 'compact member, single-state licence',
    q: { homeStates: ['US-TX'], profession: 'RN', multistate: false },
    authorized: false,
    text: 'No basis to practise as RN in FL (licensed in TX): nearest rule NLC, the Nurse Licensure Compact needs a multistate licence; this TX licence is single-state.',
    ruleId: 'NLC',
  },
  {
    name: 'compact non-member',
    q: { homeStates: ['US-CA'], profession: 'RN', multistate: true },
    authorized: false,
    text: 'No basis to practise as RN in FL (licensed in CA): nearest rule NLC, CA is not a member of the Nurse Licensure Compact.',
    ruleId: 'NLC',
  },
  {
    name: 'a state that left the compact',
    q: { homeStates: ['US-NC'], profession: 'RN', multistate: true },
    authorized: false,
    text: 'No basis to practise as RN in FL (licensed in NC): nearest rule NLC, NC is not a member of the Nurse Licensure Compact on 2026-07-01.',
    ruleId: 'NLC',
  },
  {
    name: 'EMAC mission active, linked by mission number',
    q: { homeStates: ['US-GA'], profession: 'PARAMEDIC', missionNumber: 'FL-2026-0142' },
    authorized: true,
    text: 'PARAMEDIC licensed in GA; practising in FL under EMAC mission FL-2026-0142 (REQ-A-0142 signed 2026-06-24, order EO 26-117, until 2026-07-24).',
    ruleId: 'FL-2026-0142',
  },
  {
    name: 'EMAC mission active, linked by request number',
    q: { homeStates: ['US-GA'], profession: 'RN', missionNumber: 'REQ-A-0142' },
    authorized: true,
    text: 'RN licensed in GA; practising in FL under EMAC mission FL-2026-0142 (REQ-A-0142 signed 2026-06-24, order EO 26-117, until 2026-07-24).',
    ruleId: 'FL-2026-0142',
  },
  {
    name: 'EMAC mission active, linked by the assisting state roster',
    q: { homeStates: ['US-GA'], profession: 'PARAMEDIC', licenseNumber: 'GA-PM-1001' },
    authorized: true,
    text: 'PARAMEDIC licensed in GA; practising in FL under EMAC mission FL-2026-0142 (REQ-A-0142 signed 2026-06-24, order EO 26-117, until 2026-07-24).',
    ruleId: 'FL-2026-0142',
  },
  {
    name: 'EMAC mission not yet in force',
    q: { homeStates: ['US-GA'], profession: 'PARAMEDIC', missionNumber: 'FL-2026-0142', at: new Date('2026-06-22T12:00:00Z') },
    authorized: false,
    text: 'No basis to practise as PARAMEDIC in FL (licensed in GA): nearest rule FL-2026-0142, EMAC mission FL-2026-0142 starts 2026-06-25.',
    ruleId: 'FL-2026-0142',
  },
  {
    name: 'EMAC mission ended',
    q: { homeStates: ['US-GA'], profession: 'PARAMEDIC', missionNumber: 'FL-2026-0142', at: new Date('2026-07-25T12:00:00Z') },
    authorized: false,
    text: 'No basis to practise as PARAMEDIC in FL (licensed in GA): nearest rule FL-2026-0142, EMAC mission FL-2026-0142 ended 2026-07-24.',
    ruleId: 'FL-2026-0142',
  },
  {
    name: 'EMAC mission from the home state, person not linked (the mutual-aid list does not stand in where rules govern)',
    q: { homeStates: ['US-GA'], profession: 'PARAMEDIC', mutualAidJurisdictions: ['US-GA'] },
    authorized: false,
    text: 'No basis to practise as PARAMEDIC in FL (licensed in GA): nearest rule FL-2026-0142, EMAC mission FL-2026-0142 from GA covers PARAMEDIC, but this person is not linked to it (give the mission or request number, or ask GA to add the licence to its roster).',
    ruleId: 'FL-2026-0142',
  },
  {
    name: 'emergency order covering the profession',
    q: { homeStates: ['US-AL'], profession: 'RN' },
    authorized: true,
    text: 'RN licensed in AL; practising in FL under emergency order EO 26-117 (Governor of Florida, until 2026-07-24); under supervision.',
    ruleId: 'EO 26-117',
  },
  {
    name: 'emergency order not covering the profession',
    q: { homeStates: ['US-AL'], profession: 'PARAMEDIC' },
    authorized: false,
    text: 'No basis to practise as PARAMEDIC in FL (licensed in AL): nearest rule EO 26-117, emergency order EO 26-117 covers RN, LPN, not PARAMEDIC.',
    ruleId: 'EO 26-117',
  },
  {
    name: 'an order narrowing the compact (most restrictive wins)',
    q: { homeStates: ['US-TX'], profession: 'LPN', multistate: true },
    authorized: true,
    text: 'multistate LPN licence (NLC, home state TX); only in shelters (EO 26-118).',
    ruleId: 'NLC',
  },
  {
    name: 'an order suspending practice overrides even a mission',
    q: { homeStates: ['US-GA'], profession: 'EMT', missionNumber: 'FL-2026-0142' },
    authorized: false,
    text: 'No basis to practise as EMT in FL (licensed in GA): nearest rule EO 26-119, EO 26-119 (Florida Department of Health) suspends out-of-state EMT practice until 2026-07-24.',
    ruleId: 'EO 26-119',
  },
  {
    name: 'a national certification is not a state licence',
    q: { homeStates: ['US'], profession: 'PARAMEDIC' },
    authorized: false,
    text: 'No basis to practise as PARAMEDIC in FL (a national certification, not a state licence): no rule covers this profession and home state.',
  },
  {
    name: 'a qualification that is not a licensed profession',
    q: { homeStates: ['US'], profession: 'USAR_TECH' },
    authorized: true,
    text: 'USAR_TECH is not a licensed profession: no state authority to practise is needed.',
    ruleId: null,
  },
];

describe('decidePracticeAuthority: home state x incident state x rule', () => {
  it.each(rows)('$name', ({ incident, q, authorized, text, ruleId }) => {
    const answer = decidePracticeAuthority(rulesForState(doc, incident ?? 'US-FL'), { at: AT, ...q, incidentState: incident ?? 'US-FL' });
    expect(answer.authorized).toBe(authorized);
    if (answer.authorized) {
      expect(answer.basis.text).toBe(text);
      expect(answer.basis.ruleId).toBe(ruleId);
    } else {
      expect(answer.reason).toEqual({ code: 'no_practice_authority', message: text });
      expect(answer.nearest?.ruleId).toBe(ruleId);
    }
  });

  it('carries the end of a mission or order and every condition that applies', () => {
    const order = decidePracticeAuthority(rulesForState(doc, 'US-FL'), { incidentState: 'US-FL', homeStates: ['US-AL'], profession: 'LPN', at: AT });
    expect(order.basis).toMatchObject({
      kind: 'emergency_order',
      until: '2026-07-24T00:00:00Z',
      conditions: ['under supervision', 'only in shelters (EO 26-118)'],
    });
  });

  it('names the home states some rule could admit, for the issuer-trust check', () => {
    expect(homeStatesWithRules(rulesForState(doc, 'US-FL'), AT)).toEqual(['US-AL', 'US-GA', 'US-TX']);
    expect(homeStatesWithRules(rulesForState(doc, 'US-FL'), new Date('2026-05-01T00:00:00Z'))).toEqual(['US-GA', 'US-NC', 'US-TX']);
    expect(rulesForState(doc, 'US-OR').governed).toBe(false);
  });
});

describe('parsePracticeRules: bad input is refused with the field named', () => {
  const broken = (change: (d: ReturnType<typeof samplePracticeRules>) => void): unknown => {
    const d = samplePracticeRules();
    change(d);
    return d;
  };
  const fieldsOf = (value: unknown): string[] => {
    try {
      parsePracticeRules(value);
    } catch (err) {
      return ((err as { details?: { errors?: Array<{ field: string }> } }).details?.errors ?? []).map((e) => e.field);
    }
    throw new Error('accepted');
  };

  it.each([
    ['an unknown state', (d: ReturnType<typeof samplePracticeRules>) => (d.missions[0].assistingState = 'US-XX'), 'missions.0.assistingState'],
    ['an unknown profession', (d: ReturnType<typeof samplePracticeRules>) => (d.orders[0].professions = ['WIZARD']), 'orders.0.professions.0'],
    ['a reversed window', (d: ReturnType<typeof samplePracticeRules>) => (d.orders[0].until = '2026-06-01T00:00:00Z'), 'orders.0.until'],
    ['an open mission window', (d: ReturnType<typeof samplePracticeRules>) => delete (d.missions[0] as { until?: string }).until, 'missions.0.until'],
    [
      'a reversed membership',
      (d: ReturnType<typeof samplePracticeRules>) => (d.compacts[0].members[0].until = '1999-01-01T00:00:00Z'),
      'compacts.0.members.0.until',
    ],
    [
      'overlapping memberships of one state',
      (d: ReturnType<typeof samplePracticeRules>) => d.compacts[0].members.push({ state: 'US-TX', from: '2020-01-01T00:00:00Z', until: null }),
      'compacts.0.members.4',
    ],
    [
      'a compact naming a profession it does not cover',
      (d: ReturnType<typeof samplePracticeRules>) => (d.compacts[0].professions = ['RN', 'PARAMEDIC']),
      'compacts.0.professions.1',
    ],
    ['a mission from a state to itself', (d: ReturnType<typeof samplePracticeRules>) => (d.missions[0].assistingState = 'US-FL'), 'missions.0.assistingState'],
    ['a duplicate order', (d: ReturnType<typeof samplePracticeRules>) => (d.orders[1].id = d.orders[0].id), 'orders.1.id'],
    ['a restriction that restricts nothing', (d: ReturnType<typeof samplePracticeRules>) => (d.orders[1].conditions = []), 'orders.1.conditions'],
    ['an unknown compact', (d: ReturnType<typeof samplePracticeRules>) => (d.compacts[0].id = 'XYZ'), 'compacts.0.id'],
    ['an unknown field', (d: ReturnType<typeof samplePracticeRules>) => Object.assign(d.orders[0], { scope: 'all' }), 'orders.0'],
  ])('%s', (_name, change, field) => {
    expect(fieldsOf(broken(change))).toContain(field);
  });

  it('accepts the sample and keeps it as given', () => {
    expect(parsePracticeRules(samplePracticeRules())).toEqual(samplePracticeRules());
  });
});
