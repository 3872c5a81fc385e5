import { Injectable } from '@nestjs/common';
import type { Transaction } from '@app/db';
import { GENESIS_HASH, type AuditActor, type AuditEntryRecord } from '../audit.types';

interface EntryRow {
  id: string;
  chain_id: string;
  seq: string;
  occurred_at: Date;
  actor: AuditActor;
  action: string;
  incident_id: string | null;
  target_type: string | null;
  target_id: string | null;
  payload: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/** The columns of an entry, for the repositories of this folder (qualified with `alias.` when given one). */
export const entryColumns = (alias?: string): string =>
  ['id', 'chain_id', 'seq', 'occurred_at', 'actor', 'action', 'incident_id', 'target_type', 'target_id', 'payload', 'prev_hash', 'hash']
    .map((c) => (alias ? `${alias}.${c}` : c))
    .join(', ');

/** Reads entries with entryColumns() and maps them to records. */
export async function queryEntries(scope: Pick<Transaction, 'query'>, text: string, values: readonly unknown[]): Promise<AuditEntryRecord[]> {
  return (await scope.query<EntryRow>(text, values)).map(toEntryRecord);
}

function toEntryRecord(row: EntryRow): AuditEntryRecord {
  return {
    id: String(row.id),
    chainId: row.chain_id,
    seq: Number(row.seq),
    occurredAt: row.occurred_at.toISOString(),
    actor: row.actor,
    action: row.action,
    incidentId: row.incident_id,
    targetType: row.target_type,
    targetId: row.target_id,
    payload: row.payload,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The head of a chain as audit_chain records it. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** Page size when streaming a chain: big enough to amortise round trips, small enough to keep memory flat. */
const PAGE = 2000;

/**
 * Chain reads of audit_entry and audit_chain (appends are the audit trail's). Every method takes the transaction to
 * read in, so a verification or an export reads head, checkpoints and entries from one REPEATABLE READ snapshot.
 */
@Injectable()
export class AuditEntriesRepository {
  async head(tx: Transaction, chainId: string): Promise<ChainHead | null> {
    const row = await tx.queryOne<{ last_seq: string; last_hash: string }>(`SELECT last_seq, last_hash FROM audit_chain WHERE chain_id = $1`, [chainId]);
    return row ? { seq: Number(row.last_seq), hash: row.last_hash } : null;
  }

  /** The stored hash of entry `seq` (GENESIS_HASH for seq 0), or undefined when there is no such entry. */
  async hashAt(tx: Transaction, chainId: string, seq: number): Promise<string | undefined> {
    if (seq === 0) return GENESIS_HASH;
    const row = await tx.queryOne<{ hash: string }>(`SELECT hash FROM audit_entry WHERE chain_id = $1 AND seq = $2 ORDER BY id LIMIT 1`, [chainId, seq]);
    return row?.hash;
  }

  /** Entries fromSeq..toSeq in chain order (seq, then id), a page at a time. */
  async *pages(tx: Transaction, chainId: string, fromSeq: number, toSeq: number): AsyncGenerator<AuditEntryRecord[]> {
    let after: { seq: number; id: string } = { seq: fromSeq - 1, id: '9223372036854775807' };
    for (;;) {
      const page = await queryEntries(
        tx,
        `SELECT ${entryColumns()} FROM audit_entry
          WHERE chain_id = $1 AND (seq, id) > ($2::bigint, $3::bigint) AND seq <= $4
          ORDER BY seq, id LIMIT ${PAGE}`,
        [chainId, after.seq, after.id, toSeq],
      );
      if (page.length === 0) return;
      yield page;
      const last = page[page.length - 1];
      after = { seq: last.seq, id: last.id };
      if (page.length < PAGE) return;
    }
  }
}
