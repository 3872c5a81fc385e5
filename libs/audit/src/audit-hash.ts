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

/**
 * An entry's hash: sha256(prevHash "\n" seq "\n" content), hex, where content is the entry's canonical text without
 * its position (contentText). PostgreSQL computes the same expression when it appends (libs/audit/src/store/audit-trail.repository.ts),
 * so the chain head is moved in a single statement.
 */
export function linkHash(prevHash: string, seq: number | string, content: string): string {
  return hash('sha256', `${prevHash}\n${seq}\n${content}`, 'hex');
}

/** hash = linkHash(prevHash, seq, contentText(fields)). Used by the writer, the verifier and the offline CLI alike. */
export function entryHash(prevHash: string, fields: HashedFields): string {
  return linkHash(prevHash, fields.seq, contentText(fields));
}

/** The canonical (RFC 8785 JCS) text of everything but the entry's position in the chain (seq). */
export function contentText(fields: Omit<HashedFields, 'seq'>): string {
  // The top level is written by hand in JCS key order (only actor and payload can need sorting): this function is
  // most of the cost of verifying a chain.
  let body = '{';
  body = member(body, 'action', fields.action);
  body = member(body, 'actor', fields.actor);
  body = member(body, 'chainId', fields.chainId);
  body = member(body, 'incidentId', fields.incidentId);
  body = member(body, 'occurredAt', fields.occurredAt);
  body = member(body, 'payload', fields.payload);
  body = member(body, 'targetId', fields.targetId);
  body = member(body, 'targetType', fields.targetType);
  return `${body}}`;
}

/** Appends `"name":value` (JCS leaves out members whose value is undefined). */
function member(body: string, name: string, value: unknown): string {
  if (value === undefined) return body;
  return `${body.length > 1 ? `${body},` : body}"${name}":${canonicalJson(value)}`;
}
