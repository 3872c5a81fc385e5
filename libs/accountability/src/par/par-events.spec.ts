import type { AuditActor } from '@app/audit';
import { acknowledgedEvents, type AcceptedAck } from './par-events';

const commander: AuditActor = { kind: 'user', userId: 'u1', role: 'commander', email: 'ic@example.org' };
const otherCommander: AuditActor = { kind: 'user', userId: 'u2', role: 'commander' };
const station: AuditActor = { kind: 'user', userId: 'u3', role: 'checkin' };
const AT = new Date('2026-12-05T10:00:00.000Z');

const ack = (ids: string[], actor: AuditActor, via: 'board' | 'scan', accounted: number): AcceptedAck => ({
  ids,
  actor,
  via,
  counts: { expected: 100, accounted, missing: 0, unaccounted: 100 - accounted },
});

describe('par.acknowledged events of a group', () => {
  it('is one event for the group: parts by acknowledger and channel, the counts after the last request', () => {
    const events = acknowledgedEvents(
      'par-1',
      [ack(['a', 'b'], commander, 'board', 2), ack(['c'], station, 'scan', 3), ack(['d'], otherCommander, 'board', 4), ack(['e'], station, 'scan', 5)],
      AT,
    );
    expect(events).toEqual([
      {
        name: 'par.acknowledged',
        payload: {
          parId: 'par-1',
          acknowledgements: [
            { deploymentIds: ['a', 'b', 'd'], via: 'board', by: 'commander' },
            { deploymentIds: ['c', 'e'], via: 'scan', by: 'checkin' },
          ],
          at: AT.toISOString(),
          counts: { expected: 100, accounted: 5, missing: 0, unaccounted: 95 },
        },
      },
    ]);
    // Board events name roles, never users or addresses.
    expect(JSON.stringify(events)).not.toMatch(/u1|u2|u3|example\.org/);
  });

  it('splits a large group between requests, never inside one, each part with the counts after it', () => {
    const events = acknowledgedEvents(
      'par-1',
      [
        ack(['a', 'b', 'c'], commander, 'board', 3),
        ack(['d', 'e'], commander, 'board', 5),
        ack(['f', 'g', 'h', 'i'], station, 'scan', 9),
        ack(['j'], commander, 'board', 10),
      ],
      AT,
      5,
    );
    expect(events.map((e) => [e.payload.acknowledgements.map((p) => p.deploymentIds), e.payload.counts.accounted])).toEqual([
      [[['a', 'b', 'c', 'd', 'e']], 5],
      [[['f', 'g', 'h', 'i'], ['j']], 10],
    ]);
  });

  it('is nothing for an empty group', () => {
    expect(acknowledgedEvents('par-1', [], AT)).toEqual([]);
  });
});
