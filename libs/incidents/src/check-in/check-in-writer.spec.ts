import type { DataSource } from 'typeorm';
import type { AuditTrail } from '@app/audit';
import type { Outbox } from '@app/realtime';
import { CheckInWriter, type CheckInRecord } from './check-in-writer';

const deadlock = () => Object.assign(new Error('deadlock detected'), { code: '40P01' });

/** CheckInWriter.write with its batch statement replaced: what happens when PostgreSQL gives the statement up. */
function writerWith(statement: jest.Mock): CheckInWriter {
  const writer = new CheckInWriter({} as DataSource, {} as AuditTrail, {} as Outbox);
  writer.writeMany = statement;
  return writer;
}
const record = { attempt: { id: 'a1' } } as unknown as CheckInRecord;

describe('CheckInWriter.write', () => {
  it('writes a deadlock victim again (nothing of it was committed)', async () => {
    const statement = jest.fn().mockRejectedValueOnce(deadlock()).mockResolvedValue([{ committed: true }]);
    await expect(writerWith(statement).write('incident-1', record)).resolves.toEqual({ committed: true });
    expect(statement).toHaveBeenCalledTimes(2);
  });

  it('gives up after three deadlocks in a row, and never retries other errors', async () => {
    const always = jest.fn().mockRejectedValue(deadlock());
    await expect(writerWith(always).write('incident-1', record)).rejects.toMatchObject({ code: '40P01' });
    expect(always).toHaveBeenCalledTimes(3);

    const unique = jest.fn().mockRejectedValue(Object.assign(new Error('duplicate key'), { code: '23505' }));
    await expect(writerWith(unique).write('incident-1', record)).rejects.toMatchObject({ code: '23505' });
    expect(unique).toHaveBeenCalledTimes(1);
  });

  it('never puts a check-in without a presentation in a batch with first scans, where a known responder would hold it back', async () => {
    const batches: CheckInRecord[][] = [];
    const statement = jest.fn(async (_db: unknown, _incident: string, records: CheckInRecord[]) => (batches.push(records), records.map(() => ({ committed: true }))));
    const writer = writerWith(statement);
    const firstScan = (id: string) => ({ presentation: { ids: {} }, attempt: { id } }) as unknown as CheckInRecord;
    const decided = (id: string) => ({ presentation: null, attempt: { id } }) as unknown as CheckInRecord;
    await Promise.all([firstScan('a1'), decided('a2'), firstScan('a3'), decided('a4')].map((r) => writer.write('incident-1', r)));

    expect(batches.flat().map((r) => r.attempt.id).sort()).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(batches.map((b) => b.map((r) => r.attempt.id))).toEqual([['a1', 'a3'], ['a2', 'a4']]);
  });
});
