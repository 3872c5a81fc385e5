import { Injectable } from '@nestjs/common';
import { CombinedStatement, type SqlScope, type StatementCondition, type StatementPart } from '@app/db';
import { contentText, type HashedFields } from '../audit-hash';
import { GENESIS_HASH, type AuditEntryRecord } from '../audit.types';

/** An entry as it is hashed and stored, before the chain gives it its place (normalizeEntry). */
export type UnplacedEntry = Omit<HashedFields, 'seq'>;

/** What the append returns of each entry: its place on the chain. */
interface AppendedRow {
  id: string;
  seq: string;
  prev_hash: string;
  hash: string;
}

/**
 * Appends to the hash chains (audit_chain heads, audit_entry rows). PostgreSQL's audit_append (migration
 * 1764300700000) locks the chain head, computes each entry's link (linkHash in audit-hash.ts: sha256(prevHash "\n"
 * seq "\n" content)) and moves the head, in the same statement that inserts the entries; the lock lasts until
 * commit, so appends to one incident's chain are ordered, and appends to different incidents don't wait for each other.
 */
@Injectable()
export class AuditTrailRepository {
  /** Appends one entry in its own statement (inside `scope` when it is a transaction). */
  async appendOne(scope: Pick<SqlScope, 'query'>, entry: UnplacedEntry): Promise<AuditEntryRecord> {
    const statement = new CombinedStatement();
    const rows = this.append(statement, [entry]);
    const [row] = await statement.run<AppendedRow>(scope, `SELECT id, seq, prev_hash, hash FROM ${rows.name}`);
    return toAppendedEntry(entry, row);
  }

  /**
   * Adds entries, in order and all on one chain, to a combined statement; at most one call per statement. Returns
   * the part that inserts them: reading it runs the append, chain head locked, first (CombinedStatement.after).
   * `when` false leaves them out, chain head untouched.
   */
  append(statement: CombinedStatement, entries: UnplacedEntry[], options: { when?: StatementCondition } = {}): StatementPart {
    const chainId = entries[0]?.chainId;
    if (!chainId || entries.some((e) => e.chainId !== chainId)) throw new Error('AuditTrailRepository.append: entries must be on one chain');
    const chain = statement.value(chainId);
    // The contents go as one JSON array of strings, read back in order and exactly, rather than as a text[] literal:
    // pg escapes a text[] element by element (several copies of each entry's text, ~16 KB of garbage per check-in),
    // where JSON.stringify writes the array in one pass.
    const contents = `ARRAY(SELECT c FROM json_array_elements_text(${statement.value(JSON.stringify(entries.map(contentText)))}::json) WITH ORDINALITY AS t(c, ord) ORDER BY ord)`;
    const link = statement.with(
      'audit_link',
      `SELECT * FROM audit_append(${chain}, ${statement.value(GENESIS_HASH)}, ${contents})${options.when ? ` ${CombinedStatement.where(options.when)}` : ''}`,
      { materialized: true },
    );
    return statement.with(
      'audit_entry_row',
      `INSERT INTO audit_entry (chain_id, seq, occurred_at, actor, action, incident_id, target_type, target_id, payload, prev_hash, hash)
       SELECT ${chain}, l.seq, e.occurred_at, e.actor, e.action, e.incident_id, e.target_type, e.target_id, e.payload, l.prev_hash, l.hash
         FROM ${link.name} l
         JOIN jsonb_to_recordset(${statement.value(JSON.stringify(entries.map(asInputRow)))}::jsonb)
              AS e(ord integer, occurred_at timestamptz, actor jsonb, action text, incident_id uuid, target_type text, target_id text, payload jsonb)
           ON e.ord = l.ord
       ORDER BY l.ord
       RETURNING id, seq, prev_hash, hash`,
    );
  }
}

/** An entry as a row of the statement's jsonb_to_recordset input (column names). */
function asInputRow(e: UnplacedEntry, i: number): Record<string, unknown> {
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

function toAppendedEntry(entry: UnplacedEntry, row: AppendedRow): AuditEntryRecord {
  return { id: String(row.id), ...entry, seq: Number(row.seq), prevHash: row.prev_hash, hash: row.hash };
}
