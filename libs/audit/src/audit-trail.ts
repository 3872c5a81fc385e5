import { Injectable } from '@nestjs/common';
import { CombinedStatement, type SqlScope } from '@app/db';
import { contentText } from './audit-hash';
import { GENESIS_HASH, type AuditEntryRecord, type AuditInput } from './audit.types';
import { normalizeEntry } from './entry-builder';

/**
 * Appends to the hash chain in the caller's transaction or combined statement, so an entry exists if and only if the
 * change it records was committed. PostgreSQL's audit_append (migration 1764300700000) locks the chain head, computes
 * each entry's link (linkHash in audit-hash.ts: sha256(prevHash "\n" seq "\n" content)) and moves the head, in the
 * same statement that inserts the entries; the lock lasts until commit, so appends to one incident's chain are
 * ordered, and appends to different incidents don't wait for each other (see docs/audit.md).
 */
@Injectable()
export class AuditTrail {
  /** Appends in its own statement (inside `tx` when given a transaction). */
  async record(tx: Pick<SqlScope, 'query'>, input: AuditInput): Promise<AuditEntryRecord> {
    const write = new CombinedStatement();
    const [fields] = this.appendTo(write, [input]);
    const [row] = await write.run<{ id: string; seq: string; prev_hash: string; hash: string }>(tx, 'SELECT id, seq, prev_hash, hash FROM audit_entry_row');
    return { id: String(row.id), ...fields, seq: Number(row.seq), prevHash: row.prev_hash, hash: row.hash };
  }

  /**
   * Adds entries, in order and all on one chain, to a combined statement (CTEs audit_link and audit_entry_row); at
   * most one call per statement. `when` (SQL, a condition on earlier parts) leaves them out, chain head untouched,
   * when false.
   */
  appendTo(write: CombinedStatement, inputs: AuditInput[], options: { when?: string } = {}): Array<ReturnType<typeof normalizeEntry>> {
    // Millisecond precision (normalizeEntry): exactly what PostgreSQL stores and returns, so the hash recomputes.
    const entries = inputs.map(normalizeEntry);
    const chainId = entries[0]?.chainId;
    if (!chainId || entries.some((e) => e.chainId !== chainId)) throw new Error('AuditTrail.appendTo: entries must be on one chain');
    const chain = write.value(chainId);
    // The contents go as one JSON array of strings, read back in order and exactly, rather than as a text[] literal:
    // pg escapes a text[] element by element (several copies of each entry's text, ~16 KB of garbage per check-in),
    // where JSON.stringify writes the array in one pass.
    const contents = `ARRAY(SELECT c FROM json_array_elements_text(${write.value(JSON.stringify(entries.map(contentText)))}::json) WITH ORDINALITY AS t(c, ord) ORDER BY ord)`;
    write.with(
      'audit_link',
      `SELECT * FROM audit_append(${chain}, ${write.value(GENESIS_HASH)}, ${contents})${options.when ? ` WHERE ${options.when}` : ''}`,
      { materialized: true },
    );
    write.with(
      'audit_entry_row',
      `INSERT INTO audit_entry (chain_id, seq, occurred_at, actor, action, incident_id, target_type, target_id, payload, prev_hash, hash)
       SELECT ${chain}, l.seq, e.occurred_at, e.actor, e.action, e.incident_id, e.target_type, e.target_id, e.payload, l.prev_hash, l.hash
         FROM audit_link l
         JOIN jsonb_to_recordset(${write.value(JSON.stringify(entries.map(asRow)))}::jsonb)
              AS e(ord integer, occurred_at timestamptz, actor jsonb, action text, incident_id uuid, target_type text, target_id text, payload jsonb)
           ON e.ord = l.ord
       ORDER BY l.ord
       RETURNING id, seq, prev_hash, hash`,
    );
    return entries;
  }
}

/** An entry as a jsonb_to_recordset row (column names). */
function asRow(e: ReturnType<typeof normalizeEntry>, i: number): Record<string, unknown> {
  return {
    ord: i + 1,
    occurred_at: e.occurredAt,
    actor: e.actor,
    action: e.action,
    incident_id: e.incidentId,
    target_type: e.targetType,
    target_id: e.targetId,
    payload: e.payload,
  };
}
