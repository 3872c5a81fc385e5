import { hash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
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
  // Built with its keys already in JCS order, so only actor and payload may need sorting.
  const body = canonicalJson({
    action: fields.action,
    actor: fields.actor,
    chainId: fields.chainId,
    incidentId: fields.incidentId,
    occurredAt: fields.occurredAt,
    payload: fields.payload,
    seq: fields.seq,
    targetId: fields.targetId,
    targetType: fields.targetType,
  });
  return hash('sha256', `${prevHash}\n${body}`, 'hex');
}
