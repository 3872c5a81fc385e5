import { isTransientConflict } from '../sql/database-errors';
import { toProblem } from './problem-details.filter';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('toProblem: PostgreSQL giving a transaction up for a concurrent one', () => {
  it.each([
    ['40P01', 'deadlock detected'],
    ['40001', 'could not serialize access due to concurrent update'],
  ])('%s is a 503 to retry in a second, not a 500', (code, message) => {
    const { problem, headers, unexpected } = toProblem(pgError(code, message), 'corr-1');
    expect(problem).toMatchObject({ status: 503, code: 'service_unavailable' });
    expect(problem.detail).not.toContain(message); // nothing of the database's own words reaches the client
    expect(headers['Retry-After']).toBe('1');
    expect(unexpected).toBe(false);
  });

  it('recognises the conflict wrapped by TypeORM (driverError), and nothing else', () => {
    expect(isTransientConflict({ message: 'QueryFailedError', driverError: pgError('40P01', 'deadlock detected') })).toBe(true);
    expect(isTransientConflict(pgError('23505', 'duplicate key'))).toBe(false);
    expect(toProblem(pgError('23505', 'duplicate key'), 'corr-2').problem.status).toBe(500);
  });
});
