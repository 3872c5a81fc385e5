import type { AuditTrail } from '@app/audit';
import type { Database } from '@app/db';
import type { Outbox } from '@app/realtime';
import type { ResponderRepository } from '../responders/responders.repository';
import { CheckInRepository, type CheckInToWrite, type CheckInWrite } from './check-in.repository';

const deadlock = () => Object.assign(new Error('deadlock detected'), { code: '40P01' });

/** CheckInRepository.write with its batch statement replaced: what happens when PostgreSQL gives the statement up. */
class ScriptedCheckIns extends CheckInRepository {
  constructor(private readonly statement: jest.Mock<Promise<CheckInWrite[]>, [string, CheckInToWrite[]]>) {
    super({ preparedStatements: () => ({}) } as unknown as Database, {} as AuditTrail, {} as Outbox, {} as ResponderRepository);
  }

  protected override writeBatch(incidentId: string, checkIns: CheckInToWrite[]): Promise<CheckInWrite[]> {
    return this.statement(incidentId, checkIns);
  }
}
const writerWith = (statement: jest.Mock<Promise<CheckInWrite[]>, [string, CheckInToWrite[]]>): CheckInRepository => new ScriptedCheckIns(statement);
const checkIn = { attempt: { id: 'a1' } } as unknown as CheckInToWrite;

describe('CheckInRepository.write', () => {
  it('writes a deadlock victim again (nothing of it was committed)', async () => {
    const statement = jest
      .fn<Promise<CheckInWrite[]>, [string, CheckInToWrite[]]>()
      .mockRejectedValueOnce(deadlock())
      .mockResolvedValue([{ committed: true }]);
    await expect(writerWith(statement).write('incident-1', checkIn)).resolves.toEqual({ committed: true });
    expect(statement).toHaveBeenCalledTimes(2);
  });

  it('gives up after three deadlocks in a row, and never retries other errors', async () => {
    const always = jest.fn<Promise<CheckInWrite[]>, [string, CheckInToWrite[]]>().mockRejectedValue(deadlock());
    await expect(writerWith(always).write('incident-1', checkIn)).rejects.toMatchObject({ code: '40P01' });
    expect(always).toHaveBeenCalledTimes(3);

    const unique = jest
      .fn<Promise<CheckInWrite[]>, [string, CheckInToWrite[]]>()
      .mockRejectedValue(Object.assign(new Error('duplicate key'), { code: '23505' }));
    await expect(writerWith(unique).write('incident-1', checkIn)).rejects.toMatchObject({ code: '23505' });
    expect(unique).toHaveBeenCalledTimes(1);
  });

  it('never puts a check-in without a presentation in a batch with first scans, where a known responder would hold it back', async () => {
    const batches: CheckInToWrite[][] = [];
    const statement = jest.fn(
      async (_incident: string, checkIns: CheckInToWrite[]): Promise<CheckInWrite[]> => (batches.push(checkIns), checkIns.map(() => ({ committed: true }))),
    );
    const writer = writerWith(statement);
    const firstScan = (id: string) => ({ presentation: { ids: {} }, attempt: { id } }) as unknown as CheckInToWrite;
    const decided = (id: string) => ({ presentation: null, attempt: { id } }) as unknown as CheckInToWrite;
    await Promise.all([firstScan('a1'), decided('a2'), firstScan('a3'), decided('a4')].map((c) => writer.write('incident-1', c)));

    expect(
      batches
        .flat()
        .map((c) => c.attempt.id)
        .sort(),
    ).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(batches.map((b) => b.map((c) => c.attempt.id))).toEqual([
      ['a1', 'a3'],
      ['a2', 'a4'],
    ]);
  });
});
