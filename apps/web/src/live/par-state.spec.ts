import type { MissingPerson, ParMember, ParWithMembers } from '../api/types';
import { applyParEvent, changesMissing, filterMembers, rackOf } from './par-state';
import type { LiveEvent, LiveEventMap } from './protocol';

const INCIDENT = '6f1c1f3e-4b36-4f3c-9d59-0c1b1f0d6a01';
const PAR = '0c7d6a51-7a9e-4f0a-9a51-3a2f8d1e0b01';

function member(id: string, name: string, assignment: string | null, state: ParMember['state'] = 'unaccounted'): ParMember {
  return { deploymentId: id, responderId: `r-${id}`, name, assignment, state, via: null, markedBy: null, markedAt: null };
}

function detail(members: ParMember[]): ParWithMembers {
  return {
    par: {
      id: PAR,
      incidentId: INCIDENT,
      assignment: null,
      reason: 'collapse',
      note: null,
      startedBy: 'commander',
      startedAt: '2026-12-05T10:00:00.000Z',
      deadlineAt: '2026-12-05T10:05:00.000Z',
      state: 'running',
      overdue: false,
      completedAt: null,
      counts: { expected: members.length, accounted: 0, missing: 0, unaccounted: members.length },
    } as ParWithMembers['par'],
    members,
  };
}

const event = <N extends keyof LiveEventMap>(name: N, seq: number, payload: LiveEventMap[N]): LiveEvent =>
  ({ incidentId: INCIDENT, seq, name, payload, at: '2026-12-05T10:01:00.000Z' }) as LiveEvent;

describe('roll call state', () => {
  const people = [member('a', 'Ana', 'Division A'), member('b', 'Ben', 'Division A'), member('c', 'Cy', 'Division B'), member('d', 'Di', null)];

  it('applies a grouped par.acknowledged: every part marks its people with its channel and acknowledger, counts from the event', () => {
    const next = applyParEvent(
      detail(people),
      event('par.acknowledged', 5, {
        parId: PAR,
        acknowledgements: [
          { deploymentIds: ['a', 'c'], via: 'board', by: 'supervisor' },
          { deploymentIds: ['d'], via: 'scan', by: 'checkin' },
        ],
        at: '2026-12-05T10:01:00.000Z',
        counts: { expected: 4, accounted: 3, missing: 0, unaccounted: 1 },
      }),
    );
    expect(next.par.counts).toEqual({ expected: 4, accounted: 3, missing: 0, unaccounted: 1 });
    expect(next.members.map((m) => [m.deploymentId, m.state, m.via, m.markedBy])).toEqual([
      ['a', 'accounted', 'board', 'supervisor'],
      ['b', 'unaccounted', null, null],
      ['c', 'accounted', 'board', 'supervisor'],
      ['d', 'accounted', 'scan', 'checkin'],
    ]);
  });

  it('ignores another PAR’s events', () => {
    const before = detail(people);
    const other = event('par.acknowledged', 5, {
      parId: 'another',
      acknowledgements: [{ deploymentIds: ['a'], via: 'board', by: 'commander' }],
      at: '2026-12-05T10:01:00.000Z',
      counts: { expected: 9, accounted: 1, missing: 0, unaccounted: 8 },
    });
    expect(applyParEvent(before, other)).toBe(before);
  });

  it('filters by name, assignment, qualification (from the roster) and unaccounted only', () => {
    const members = [...people.slice(0, 3), member('d', 'Di', null, 'missing')];
    const quals = new Map([
      ['a', ['RN']],
      ['b', ['EMT', 'RN']],
      ['c', ['EMT']],
    ]);
    const of = (id: string) => quals.get(id) ?? [];
    const names = (f: Partial<Parameters<typeof filterMembers>[1]>) =>
      filterMembers(members, { search: '', assignment: '', qualification: '', unaccountedOnly: false, ...f }, of).map((m) => m.name);
    expect(names({ qualification: 'RN' })).toEqual(['Ana', 'Ben']);
    expect(names({ qualification: 'EMT', assignment: 'Division A' })).toEqual(['Ben']);
    expect(names({ assignment: '-' })).toEqual(['Di']);
    expect(names({ unaccountedOnly: true })).toEqual(['Ana', 'Ben', 'Cy']);
    expect(names({ search: ' BE ' })).toEqual(['Ben']);
    // Someone not on the roster any more (checked out) holds no qualification there.
    expect(names({ qualification: 'PARAMEDIC' })).toEqual([]);
  });

  it('racks the cards by assignment, no assignment last, the people still to find first', () => {
    const rack = rackOf([
      member('z', 'Zed', 'Division B', 'accounted'),
      member('a', 'Ana', 'Division B'),
      member('n', 'Nobody', null),
      member('m', 'Mo', 'Division B', 'missing'),
      member('b', 'Ben', 'Division A', 'accounted'),
    ]);
    expect(rack.map((c) => [c.assignment, c.members.map((m) => m.name), c.accounted])).toEqual([
      ['Division A', ['Ben'], 1],
      ['Division B', ['Mo', 'Ana', 'Zed'], 1],
      [null, ['Nobody'], 0],
    ]);
  });
});

describe('who is still missing', () => {
  const lost: MissingPerson = {
    deploymentId: 'd-lost',
    responderId: 'r-lost',
    name: 'Lost Person',
    assignment: 'Division A',
    parId: PAR,
    markedBy: 'commander',
    markedAt: '2026-06-12T10:04:00Z',
  };
  const counts = { expected: 3, accounted: 1, missing: 1, unaccounted: 1 };
  const acknowledged = (ids: string[]): LiveEvent =>
    event('par.acknowledged', 7, { parId: PAR, acknowledgements: [{ deploymentIds: ids, via: 'board', by: 'commander' }], at: '2026-06-12T10:05:00Z', counts });

  it('changes when someone is marked missing, or someone on the list is accounted for; not for anyone else', () => {
    const marked = event('par.missing', 6, { parId: PAR, deploymentId: 'd-new', name: 'New', by: 'commander', at: '2026-06-12T10:04:00Z', counts });
    expect(changesMissing(marked, [])).toBe(true);
    expect(changesMissing(marked, undefined)).toBe(true);
    expect(changesMissing(acknowledged(['d-other', 'd-lost']), [lost])).toBe(true);
    expect(changesMissing(acknowledged(['d-other']), [lost])).toBe(false);
    expect(changesMissing(acknowledged(['d-lost']), [])).toBe(false);
    expect(changesMissing(event('par.completed', 8, { parId: PAR, scope: {}, by: 'commander', at: '2026-06-12T10:06:00Z', counts }), [lost])).toBe(false);
  });
});
