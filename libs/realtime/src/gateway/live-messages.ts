import { z } from 'zod';
import { DomainError } from '@app/common';
import type { ResyncRequest, SubscribeRequest, UnsubscribeRequest } from '../live-protocol';

/** Lower-cased: the board's rooms are named by the id as PostgreSQL writes it, so capitals join the same room. */
const incidentId = z.uuid({ error: 'must be an incident id (UUID)' }).transform((id) => id.toLowerCase());

export const subscribeRequest = z.strictObject({ incidentId }) satisfies z.ZodType<SubscribeRequest>;
export const unsubscribeRequest = z.strictObject({ incidentId }) satisfies z.ZodType<UnsubscribeRequest>;
export const resyncRequest = z.strictObject({
  incidentId,
  since: z
    .number({ error: 'must be the last sequence number applied (a whole number, 0 or more)' })
    .int({ error: 'must be a whole number' })
    .min(0, { error: 'must be 0 or more' })
    .max(Number.MAX_SAFE_INTEGER, { error: 'is too large' }),
}) satisfies z.ZodType<ResyncRequest>;

/** The parsed message, or a validation_failed error listing each bad field. */
export function parseMessage<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : 'message';
    const message = issue.code === 'unrecognized_keys' ? `has unknown fields: ${issue.keys.join(', ')}` : issue.message;
    return { field, message: `${field} ${message}` };
  });
  throw new DomainError('validation_failed', 'The message has invalid fields.', { errors });
}
