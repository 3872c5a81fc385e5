import { DomainError } from '@app/common';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;

/** The station's attempt id from the Idempotency-Key header, refused (400) unless it is a short plain token. */
export function idempotencyKeyFrom(header: string | undefined): string | undefined {
  if (header !== undefined && !IDEMPOTENCY_KEY.test(header)) {
    throw new DomainError('malformed_request', 'Idempotency-Key must be 1-128 letters, digits, or . _ : -');
  }
  return header;
}
