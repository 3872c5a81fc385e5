import { ERROR_STATUS, type ErrorCode } from './error-codes';

/** An expected failure with a stable code; the message is shown to the user, so it must say what went wrong in plain words. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string, id?: string): DomainError => new DomainError('not_found', id ? `${what} ${id} was not found` : `${what} was not found`);
export const forbidden = (why: string): DomainError => new DomainError('forbidden', why);
