import { applyEvent, countByLevel, countRoster, filterRoster, fromSnapshot, groupRoster, levelKey, type BoardState } from './board-state';
import type { LiveEvent, LiveEventMap, LiveSnapshot, RosterEntry } from './protocol';

const INCIDENT = '6f1c1f3e-4b36-4f3c-9d59-0c1b1f0d6a01';

function entry(id: string, over: Partial<RosterEntry> = {}): RosterEntry {
  return {
    deploymentId: id,
    responderId: `r-${id}`,
    name: `Person ${id}`,
    qualifications: ['RN'],
    status: 'available',
    checkedInAt: '2026-06-12T10:00:00Z',
    ...over,
  };
}

function snapshot(roster: RosterEntry[], seq = 3): LiveSnapshot {
  return {
    incidentId: INCIDENT,
    seq,
    takenAt: '2026-06-12T10:00:00Z',
    incident: { id: INCIDENT, name: 'Collapse', state: 'active' },
    roster,
    counts: { total: roster.length, byStatus: { assigned: 0, available: roster.length, out_of_service: 0 }, byAssignment: {}, byQualification: {} },
    alerts: [],
  };
}

let seq = 3;
function event<N extends keyof LiveEventMap>(name: N, payload: LiveEventMap[N], at = seq + 1): LiveEvent {
  seq = at;
  return { incidentId: INCIDENT, seq: at, name, payload, at: '2026-06-12T10:05:00Z' } as LiveEvent;
}

describe('board state', () => {
  let state: BoardState;
  beforeEach(() => {
    seq = 3;
    state = fromSnapshot(snapshot([entry('a'), entry('b', { qualifications: ['PARAMEDIC'] })]));
  });

  it('replaces a walk-up volunteer verified in place: the same card, without the pending-verification marker', () => {
    const pending = applyEvent(
      state,
      event('deployment.checked_in', { deployment: entry('w', { name: 'Sam Rivera', qualifications: [], pendingVerification: true }) }),
    );
    const verified = applyEvent(
      pending,
      event('deployment.updated', { deployment: entry('w', { name: 'Sam Rivera', qualifications: ['RN'] }), change: 'verified' }),
    );
    const card = verified.roster.filter((r) => r.deploymentId === 'w');
    expect(card).toHaveLength(1);
    expect(card[0]).toMatchObject({ qualifications: ['RN'] });
    expect(card[0].pendingVerification).toBeUndefined();
  });

  it('adds a checked-in responder once, even if the event comes twice', () => {
    const checkedIn = event('deployment.checked_in', { deployment: entry('c', { name: 'Ana Diaz' }) });
    const once = applyEvent(state, checkedIn);
    expect(once.roster.map((r) => r.name)).toContain('Ana Diaz');
    expect(once.seq).toBe(4);
    expect(applyEvent(once, checkedIn)).toBe(once); // already applied: ignored
    expect(once.roster).toHaveLength(3);
  });

  it('ignores events of other incidents and events at or before the snapshot', () => {
    const old = { ...event('deployment.checked_out', { deploymentId: 'a', responderId: 'r-a', name: 'A', at: '', hoursOnScene: 1 }), seq: 3 };
    expect(applyEvent(state, old)).toBe(state);
    const elsewhere = {
      ...event('deployment.checked_out', { deploymentId: 'a', responderId: 'r-a', name: 'A', at: '', hoursOnScene: 1 }),
      incidentId: 'other',
    };
    expect(applyEvent(state, elsewhere)).toBe(state);
  });

  it('moves a responder between statuses and groups assigned ones by assignment', () => {
    let s = applyEvent(
      state,
      event('deployment.status_changed', {
        deploymentId: 'a',
        responderId: 'r-a',
        name: 'Person a',
        from: { status: 'available' },
        to: { status: 'assigned', assignment: 'Division A' },
        changedBy: 'x',
        at: '',
      }),
    );
    s = applyEvent(
      s,
      event('deployment.status_changed', {
        deploymentId: 'b',
        responderId: 'r-b',
        name: 'Person b',
        from: { status: 'available' },
        to: { status: 'out_of_service', reason: 'rest' },
        changedBy: 'x',
        at: '',
      }),
    );
    expect(groupRoster(s.roster).map((g) => [g.title, g.entries.map((e) => e.deploymentId)])).toEqual([
      ['Assigned – Division A', ['a']],
      ['Out of service', ['b']],
    ]);
    expect(countRoster(s.roster)).toEqual({
      total: 2,
      byStatus: { assigned: 1, available: 0, out_of_service: 1 },
      byAssignment: { 'Division A': 1, unassigned: 1 },
      byQualification: { RN: 1, PARAMEDIC: 1 },
    });
  });

  it('puts a flagged credential on top as an alert and clears it', () => {
    const flag = { code: 'revoked' as const, message: 'The issuer has revoked this credential.', at: '2026-06-12T10:05:00Z' };
    const flagged = applyEvent(state, event('credential.flagged', { deploymentId: 'b', responderId: 'r-b', name: 'Person b', flag }));
    expect(flagged.alerts).toEqual([{ deploymentId: 'b', responderId: 'r-b', name: 'Person b', flag }]);
    expect(flagged.roster.find((r) => r.deploymentId === 'b')?.credentialFlag).toEqual(flag);
    // Flagged responders come first within their group; people still missing after a roll call before them.
    expect(groupRoster(flagged.roster)[0].entries[0].deploymentId).toBe('b');
    const sameGroup = [entry('m', { name: 'Zed Missing' }), entry('f', { name: 'Yan Flagged', credentialFlag: flag }), entry('n', { name: 'Abe Nobody' })];
    expect(groupRoster(sameGroup, new Set(['m']))[0].entries.map((e) => e.deploymentId)).toEqual(['m', 'f', 'n']);
    expect(groupRoster(sameGroup)[0].entries.map((e) => e.deploymentId)).toEqual(['f', 'n', 'm']);
    const cleared = applyEvent(
      flagged,
      event('credential.cleared', { deploymentId: 'b', responderId: 'r-b', name: 'Person b', code: 'revoked', message: '', at: '' }),
    );
    expect(cleared.alerts).toEqual([]);
    expect(cleared.roster.find((r) => r.deploymentId === 'b')?.credentialFlag).toBeNull();
  });

  it('a check-out removes the responder, its alert and its expiry warning', () => {
    const flag = { code: 'expired' as const, message: 'Expired.', at: '' };
    let s = applyEvent(state, event('credential.flagged', { deploymentId: 'a', responderId: 'r-a', name: 'Person a', flag }));
    s = applyEvent(s, event('credential.expiring', { deploymentId: 'a', responderId: 'r-a', name: 'Person a', validUntil: '2026-06-12T20:00:00Z', at: '' }));
    expect(s.expiring).toHaveLength(1);
    s = applyEvent(s, event('deployment.checked_out', { deploymentId: 'a', responderId: 'r-a', name: 'Person a', at: '', hoursOnScene: 2 }));
    expect(s.roster.map((r) => r.deploymentId)).toEqual(['b']);
    expect(s.alerts).toEqual([]);
    expect(s.expiring).toEqual([]);
  });

  it('keeps the latest denied scans, newest first', () => {
    let s = state;
    for (let i = 0; i < 12; i++)
      s = applyEvent(s, event('checkin.denied', { attemptId: `t${i}`, name: `N${i}`, reasons: [{ code: 'revoked', message: 'Revoked.' }], at: '' }));
    expect(s.denied).toHaveLength(10);
    expect(s.denied[0].attemptId).toBe('t11');
  });
});

describe('ESAR-VHP levels on the board', () => {
  it('counts by level in level order, with "none" for responders without one', () => {
    const roster = [entry('a', { esarVhpLevel: 3 }), entry('b', { esarVhpLevel: 1 }), entry('c', { esarVhpLevel: 3 }), entry('d')];
    expect(countByLevel(roster)).toEqual([
      ['1', 1],
      ['3', 2],
      ['none', 1],
    ]);
    expect(roster.filter((r) => levelKey(r) === '3').map((r) => r.deploymentId)).toEqual(['a', 'c']);
  });
});

describe('finding a responder on the board', () => {
  const roster = [
    entry('a', { name: 'Alejandro García', qualifications: ['USAR_TECH'], agency: 'Tennessee Task Force 1', esarVhpLevel: 4 }),
    entry('b', { name: 'Mirlande Celestin', qualifications: ['RN'], issuerName: 'Florida Board of Nursing', esarVhpLevel: 3 }),
    entry('c', {
      name: 'Fritz Etienne',
      qualifications: ['PARAMEDIC', 'EMT'],
      status: 'assigned',
      assignment: 'Division A',
      position: { id: 'p1', name: 'Triage Paramedic' },
      location: { id: 'l1', name: 'Staging Area B' },
      homeUnit: 'Engine 7',
    }),
  ];
  const ids = (filter: Partial<Parameters<typeof filterRoster>[1]>): string[] =>
    filterRoster(roster, { search: '', qualification: null, level: null, ...filter }).map((r) => r.deploymentId);

  it('matches any part of the name, accents and case aside, whichever way they are typed', () => {
    expect(ids({ search: 'garcia' })).toEqual(['a']);
    expect(ids({ search: '  GARCÍA ' })).toEqual(['a']);
    expect(ids({ search: 'celést' })).toEqual(['b']);
    expect(ids({ search: 'nobody' })).toEqual([]);
  });

  it('matches a qualification, the issuer, agency, home unit, position, location and assignment', () => {
    expect(ids({ search: 'paramedic' })).toEqual(['c']);
    expect(ids({ search: 'board of nursing' })).toEqual(['b']);
    expect(ids({ search: 'task force' })).toEqual(['a']);
    expect(ids({ search: 'engine 7' })).toEqual(['c']);
    expect(ids({ search: 'triage' })).toEqual(['c']);
    expect(ids({ search: 'staging area b' })).toEqual(['c']);
    expect(ids({ search: 'division a' })).toEqual(['c']);
  });

  it('combines the search with a qualification and a level; no filter keeps everyone', () => {
    expect(ids({ qualification: 'EMT' })).toEqual(['c']);
    expect(ids({ qualification: 'RN', level: '3' })).toEqual(['b']);
    expect(ids({ qualification: 'RN', level: '4' })).toEqual([]);
    expect(ids({ level: 'none', search: 'fritz' })).toEqual(['c']);
    expect(ids({})).toEqual(['a', 'b', 'c']);
  });
});
