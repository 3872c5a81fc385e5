import type { FastifyReply } from 'fastify';
import { DomainError } from '@app/common';
import type { CheckInOutcome } from './check-in.service';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;

/** The station's attempt id from the Idempotency-Key header, refused (400) unless it is a short plain token. */
export function idempotencyKeyFrom(header: string | undefined): string | undefined {
  if (header !== undefined && !IDEMPOTENCY_KEY.test(header)) {
    throw new DomainError('malformed_request', 'Idempotency-Key must be 1-128 letters, digits, or . _ : -');
  }
  return header;
}

/** Sends a check-in's outcome as recorded: its status, and a replay of an earlier request marked as one. */
export function sendCheckInOutcome(reply: FastifyReply, outcome: CheckInOutcome): string {
  reply.code(outcome.status).type('application/json; charset=utf-8');
  if (outcome.replayed) reply.header('Idempotent-Replayed', 'true');
  return outcome.body;
}
