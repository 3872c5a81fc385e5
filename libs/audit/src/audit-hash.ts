import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { AuditActor } from './audit.types';

/** The fields an entry's hash covers, in the canonical (RFC 8785 JCS) serialization. */
export interface HashedFields {
  chainId: string;
  seq: number;
  occurredAt: string;
  actor: AuditActor;
  action: string;
  incidentId: string | null;
  targetType: string | null;
  targetId: string | null;
  payload: Record<string, unknown>;
}

/** hash = sha256(prevHash || "\n" || JCS(fields)), hex. Used by the writer, the verifier and the offline CLI alike. */
export function entryHash(prevHash: string, fields: HashedFields): string {
  const body = canonicalize({
    chainId: fields.chainId,
    seq: fields.seq,
    occurredAt: fields.occurredAt,
    actor: fields.actor,
    action: fields.action,
    incidentId: fields.incidentId,
    targetType: fields.targetType,
    targetId: fields.targetId,
    payload: fields.payload,
  });
  if (body === undefined) throw new Error('audit entry cannot be serialized');
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}
