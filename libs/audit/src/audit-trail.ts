import { Injectable } from '@nestjs/common';
import { CombinedWrite, type SqlRunner } from '@app/common';
import { contentText } from './audit-hash';
import { GENESIS_HASH, type AuditEntryRecord, type AuditInput } from './audit.types';
import { normalizeEntry } from './entry-builder';

/**
 * Appends to the hash chain in the caller's transaction or combined statement, so an entry exists if and only if the
 * change it records was committed. The chain head and the entry are written by one statement in which PostgreSQL
 * computes the link (linkHash in audit-hash.ts: sha256(prevHash "\n" seq "\n" content)) from the head it has
 * locked; the lock lasts until commit, so appends to one incident's chain are ordered, and appends to different
 * incidents don't wait for each other (see docs/audit.md).
 */
@Injectable()
export class AuditTrail {
  /** Appends in its own statement (inside `tx` when given a transaction). */
  async record(tx: SqlRunner, input: AuditInput): Promise<AuditEntryRecord> {
    const write = new CombinedWrite();
    const fields = this.appendTo(write, input);
    const [row] = await write.run<{ id: string; seq: string; prev_hash: string; hash: string }>(tx, 'SELECT id, seq, prev_hash, hash FROM audit_entry_row');
    return { id: String(row.id), ...fields, seq: Number(row.seq), prevHash: row.prev_hash, hash: row.hash };
  }

  /** Adds the append to a combined statement (CTEs audit_head and audit_entry_row); at most one per statement. */
  appendTo(write: CombinedWrite, input: AuditInput): ReturnType<typeof normalizeEntry> {
    // Millisecond precision (normalizeEntry): exactly what PostgreSQL stores and returns, so the hash recomputes.
    const fields = normalizeEntry(input);
    const chain = write.value(fields.chainId);
    const genesis = write.value(GENESIS_HASH);
    const content = write.value(contentText(fields));
    write.with(
      'audit_head',
      `INSERT INTO audit_chain AS c (chain_id, last_seq, prev_hash, last_hash)
       VALUES (${chain}, 1, ${genesis}, encode(sha256(convert_to(${genesis} || E'\\n1\\n' || ${content}, 'UTF8')), 'hex'))
       ON CONFLICT (chain_id) DO UPDATE SET
         last_seq = c.last_seq + 1,
         prev_hash = c.last_hash,
         last_hash = encode(sha256(convert_to(c.last_hash || E'\\n' || (c.last_seq + 1)::text || E'\\n' || ${content}, 'UTF8')), 'hex')
       RETURNING last_seq, prev_hash, last_hash`,
    );
    write.with(
      'audit_entry_row',
      `INSERT INTO audit_entry (chain_id, seq, occurred_at, actor, action, incident_id, target_type, target_id, payload, prev_hash, hash)
       SELECT ${chain}, last_seq, ${write.value(fields.occurredAt)}, ${write.value(JSON.stringify(fields.actor))}, ${write.value(fields.action)},
              ${write.value(fields.incidentId)}::uuid, ${write.value(fields.targetType)}, ${write.value(fields.targetId)}, ${write.value(JSON.stringify(fields.payload))},
              prev_hash, last_hash
         FROM audit_head
       RETURNING id, seq, prev_hash, hash`,
    );
    return fields;
  }
}
