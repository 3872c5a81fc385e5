import fc from 'fast-check';
import { publishableInOrder } from './outbox-relay';

type Row = Parameters<typeof publishableInOrder>[0][number];
const row = (id: number, incident: string, seq: number, head: number): Row => ({
  id: String(id),
  event: { incidentId: incident, seq, name: 'deployment.checked_in', payload: { deployment: {} as never }, at: new Date(0).toISOString() },
  headSeq: head,
});

describe('publishableInOrder', () => {
  it('publishes each incident from its oldest unpublished event, consecutively', () => {
    const rows = [row(1, 'a', 5, 5), row(2, 'b', 1, 1), row(3, 'a', 6, 5), row(4, 'b', 2, 1)];
    expect(publishableInOrder(rows).map((r) => r.id)).toEqual(['1', '2', '3', '4']);
  });

  it('holds back an incident whose older event another relay is still publishing', () => {
    // seq 4 of incident a is locked by another relay: head is 4, this relay claimed 5 and 6.
    const rows = [row(10, 'a', 5, 4), row(11, 'b', 7, 7), row(12, 'a', 6, 4)];
    expect(publishableInOrder(rows).map((r) => r.id)).toEqual(['11']);
  });

  it('stops an incident at a hole (the missing seq is held elsewhere)', () => {
    const rows = [row(1, 'a', 1, 1), row(3, 'a', 3, 1), row(4, 'a', 4, 1)];
    expect(publishableInOrder(rows).map((r) => r.event.seq)).toEqual([1]);
  });

  it('never emits an incident out of order or past a hole (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ incident: fc.constantFrom('a', 'b', 'c'), skip: fc.boolean() }), { maxLength: 60 }),
        fc.record({ a: fc.nat(3), b: fc.nat(3), c: fc.nat(3) }),
        (draws, headOffset) => {
          const next: Record<string, number> = { a: 1, b: 1, c: 1 };
          const rows: Row[] = [];
          draws.forEach((d, i) => {
            const seq = next[d.incident]++;
            if (!d.skip) rows.push(row(i, d.incident, seq, 1 + headOffset[d.incident as 'a' | 'b' | 'c']));
          });
          const out = publishableInOrder(rows);
          for (const incident of ['a', 'b', 'c']) {
            const seqs = out.filter((r) => r.event.incidentId === incident).map((r) => r.event.seq);
            const head = 1 + headOffset[incident as 'a' | 'b' | 'c'];
            expect(seqs).toEqual(seqs.map((_, k) => head + k));
          }
        },
      ),
    );
  });
});
