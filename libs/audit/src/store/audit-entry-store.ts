import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { GENESIS_HASH, type AuditActor, type AuditEntryRecord } from '../audit.types';
import type { CheckpointRecord } from '../verification/checkpoint-statement';

export interface EntryRow {
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

export const ENTRY_COLUMNS = `id, chain_id, seq, occurred_at, actor, action, incident_id, target_type, target_id, payload, prev_hash, hash`;

export function toEntryRecord(row: EntryRow): AuditEntryRecord {
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

/** Page size when streaming a chain: big enough to amortise round trips, small enough to keep memory flat. */
const PAGE = 2000;

/**
 * Reads of the audit tables. Every method takes the EntityManager to read with, so a verification or an export reads
 * head, checkpoints and entries from one REPEATABLE READ snapshot.
 */
@Injectable()
export class AuditEntryStore {
  async head(db: EntityManager, chainId: string): Promise<{ seq: number; hash: string } | null> {
    const rows = (await db.query(`SELECT last_seq, last_hash FROM audit_chain WHERE chain_id = $1`, [chainId])) as Array<{ last_seq: string; last_hash: string }>;
    return rows[0] ? { seq: Number(rows[0].last_seq), hash: rows[0].last_hash } : null;
  }

  /** The stored hash of entry `seq` (GENESIS_HASH for seq 0), or undefined when there is no such entry. */
  async hashAt(db: EntityManager, chainId: string, seq: number): Promise<string | undefined> {
    if (seq === 0) return GENESIS_HASH;
    const rows = (await db.query(`SELECT hash FROM audit_entry WHERE chain_id = $1 AND seq = $2 ORDER BY id LIMIT 1`, [chainId, seq])) as Array<{ hash: string }>;
    return rows[0]?.hash;
  }

  /** Entries fromSeq..toSeq in chain order (seq, then id), a page at a time. */
  async *pages(db: EntityManager, chainId: string, fromSeq: number, toSeq: number): AsyncGenerator<AuditEntryRecord[]> {
    let after: { seq: number; id: string } = { seq: fromSeq - 1, id: '9223372036854775807' };
    for (;;) {
      const rows = (await db.query(
        `SELECT ${ENTRY_COLUMNS} FROM audit_entry
          WHERE chain_id = $1 AND (seq, id) > ($2::bigint, $3::bigint) AND seq <= $4
          ORDER BY seq, id LIMIT ${PAGE}`,
        [chainId, after.seq, after.id, toSeq],
      )) as EntryRow[];
      if (rows.length === 0) return;
      const page = rows.map(toEntryRecord);
      yield page;
      const last = page[page.length - 1];
      after = { seq: last.seq, id: last.id };
      if (rows.length < PAGE) return;
    }
  }

  async checkpoints(db: EntityManager, chainId: string, fromSeq = 1, toSeq = Number.MAX_SAFE_INTEGER): Promise<CheckpointRecord[]> {
    const rows = (await db.query(
      `SELECT id, chain_id, seq, head_hash, jws, kid, created_at FROM audit_checkpoint
        WHERE chain_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq, id`,
      [chainId, fromSeq, toSeq],
    )) as Array<{ id: string; chain_id: string; seq: string; head_hash: string; jws: string; kid: string; created_at: Date }>;
    return rows.map((r) => ({
      id: String(r.id),
      chainId: r.chain_id,
      seq: Number(r.seq),
      headHash: r.head_hash,
      jws: r.jws,
      kid: r.kid,
      createdAt: r.created_at.toISOString(),
    }));
  }

  async latestCheckpoint(db: EntityManager, chainId: string): Promise<{ seq: number; headHash: string } | null> {
    const rows = (await db.query(
      `SELECT seq, head_hash FROM audit_checkpoint WHERE chain_id = $1 ORDER BY seq DESC LIMIT 1`,
      [chainId],
    )) as Array<{ seq: string; head_hash: string }>;
    return rows[0] ? { seq: Number(rows[0].seq), headHash: rows[0].head_hash } : null;
  }
}
