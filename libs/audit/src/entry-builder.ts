import { entryHash, type HashedFields } from './audit-hash';
import { chainIdFor, type AuditInput } from './audit.types';

/**
 * An entry's fields normalised exactly as they are stored and read back (ISO time to the millisecond, payload as
 * plain JSON), so the hash recomputes from the database or a bundle.
 */
export function normalizeEntry(input: AuditInput): Omit<HashedFields, 'seq'> {
  return {
    chainId: chainIdFor(input.incidentId),
    occurredAt: (input.occurredAt ?? new Date()).toISOString(),
    actor: JSON.parse(JSON.stringify(input.actor)) as HashedFields['actor'],
    action: input.action,
    incidentId: input.incidentId?.toLowerCase() ?? null, // a uuid column reads back in lower case
    targetType: input.target?.type ?? null,
    targetId: input.target?.id ?? null,
    payload: JSON.parse(JSON.stringify(input.payload)) as Record<string, unknown>,
  };
}

/**
 * The entry that follows (seq - 1, prevHash) on its chain. Pure: the tests and the benchmark build entries the
 * same way the writer's statement does.
 */
export function buildEntry(input: AuditInput, seq: number, prevHash: string): HashedFields & { prevHash: string; hash: string } {
  const fields: HashedFields = { ...normalizeEntry(input), seq };
  return { ...fields, prevHash, hash: entryHash(prevHash, fields) };
}
