/** How a database error reads to the code that has to answer it: retry later, retry now, or a real failure. */

/** PostgreSQL is unreachable or failing over: the client should retry, and must never see a false success. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; message?: unknown; driverError?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '53300'].includes(code)) return true;
  if (code.startsWith('08')) return true;
  const msg = typeof e.message === 'string' ? e.message : '';
  if (
    /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection/i.test(
      msg,
    )
  )
    return true;
  return e.driverError !== undefined && e.driverError !== err && isDatabaseUnavailable(e.driverError);
}

/**
 * PostgreSQL gave this transaction up to let a concurrent one through: a deadlock (40P01) or a serialization failure
 * (40001). Nothing of it was committed, and running it again is expected to succeed.
 */
export function isTransientConflict(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; driverError?: unknown };
  if (e.code === '40P01' || e.code === '40001') return true;
  return e.driverError !== undefined && e.driverError !== err && isTransientConflict(e.driverError);
}

/**
 * The constraint an integrity violation of this SQLSTATE names (23505 unique, 23503 foreign key), whether the error
 * comes from pg or wrapped by TypeORM; undefined for any other error.
 */
export function violatedConstraint(err: unknown, sqlstate: '23505' | '23503'): string | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { code?: unknown; constraint?: unknown; driverError?: unknown };
  if (e.code === sqlstate) return typeof e.constraint === 'string' ? e.constraint : violatedConstraint(e.driverError, sqlstate);
  return e.driverError !== undefined && e.driverError !== err ? violatedConstraint(e.driverError, sqlstate) : undefined;
}
