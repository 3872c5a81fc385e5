import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { buildEntry } from './entry-builder';
import { chainIdFor, GENESIS_HASH, type AuditEntryRecord, type AuditInput } from './audit.types';

/**
 * Appends to the hash chain inside the caller's transaction, so an entry exists if and only if the change it
 * records was committed. The chain head row is locked until commit: appends to one incident's chain are ordered,
 * appends to different incidents don't wait for each other (see docs/audit.md).
 */
@Injectable()
export class AuditTrail {
  async record(tx: EntityManager, input: AuditInput): Promise<AuditEntryRecord> {
    const chainId = chainIdFor(input.incidentId);
    // Create the chain row if missing, then lock it (ON CONFLICT DO UPDATE locks the existing row).
    const [head] = (await tx.query(
      `INSERT INTO audit_chain (chain_id, last_seq, last_hash) VALUES ($1, 0, $2)
       ON CONFLICT (chain_id) DO UPDATE SET chain_id = EXCLUDED.chain_id
       RETURNING last_seq, last_hash`,
      [chainId, GENESIS_HASH],
    )) as Array<{ last_seq: string; last_hash: string }>;
    // Millisecond precision (buildEntry): exactly what PostgreSQL stores and returns, so the hash recomputes.
    const entry = buildEntry(input, Number(head.last_seq) + 1, head.last_hash);
    // The entry and the new chain head in one statement (one round trip while the head row is locked).
    const [row] = (await tx.query(
      `WITH entry AS (
         INSERT INTO audit_entry (chain_id, seq, occurred_at, actor, action, incident_id, target_type, target_id, payload, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id
       ), head AS (
         UPDATE audit_chain SET last_seq = $2, last_hash = $11 WHERE chain_id = $1
       )
       SELECT id FROM entry`,
      [
        entry.chainId, entry.seq, entry.occurredAt, JSON.stringify(entry.actor), entry.action, entry.incidentId, entry.targetType,
        entry.targetId, JSON.stringify(entry.payload), entry.prevHash, entry.hash,
      ],
    )) as Array<{ id: string }>;
    return { id: String(row.id), ...entry };
  }
}
