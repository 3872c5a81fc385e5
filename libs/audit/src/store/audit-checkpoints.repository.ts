import { Injectable } from '@nestjs/common';
import { Database, type Transaction } from '@app/db';
import type { CheckpointRecord } from '../verification/checkpoint-statement';

interface CheckpointRow {
  id: string;
  chain_id: string;
  seq: string;
  head_hash: string;
  jws: string;
  kid: string;
  created_at: Date;
}

function toCheckpointRecord(row: CheckpointRow): CheckpointRecord {
  return {
    id: String(row.id),
    chainId: row.chain_id,
    seq: Number(row.seq),
    headHash: row.head_hash,
    jws: row.jws,
    kid: row.kid,
    createdAt: row.created_at.toISOString(),
  };
}

/** Advisory-lock class id for "creating a checkpoint of chain X" (the second key is hashtext(chain id)). */
const CHECKPOINT_LOCK_CLASS = 73112;

/** audit_checkpoint: the signed checkpoints of each chain. */
@Injectable()
export class AuditCheckpointsRepository {
  constructor(private readonly database: Database) {}

  /** Chains whose head moved past their latest checkpoint, by chain id. */
  async chainsMovedSinceCheckpoint(): Promise<string[]> {
    const rows = await this.database.query<{ chain_id: string }>(
      `SELECT c.chain_id FROM audit_chain c
        WHERE c.last_seq > COALESCE((SELECT max(cp.seq) FROM audit_checkpoint cp WHERE cp.chain_id = c.chain_id), 0)
        ORDER BY c.chain_id`,
    );
    return rows.map((r) => r.chain_id);
  }

  /** Waits until no other transaction is checkpointing this chain; held until `tx` ends. */
  async lockChain(tx: Transaction, chainId: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [CHECKPOINT_LOCK_CLASS, chainId]);
  }

  /** Checkpoints of seq fromSeq..toSeq, in chain order. */
  async list(tx: Transaction, chainId: string, fromSeq = 1, toSeq = Number.MAX_SAFE_INTEGER): Promise<CheckpointRecord[]> {
    const rows = await tx.query<CheckpointRow>(
      `SELECT id, chain_id, seq, head_hash, jws, kid, created_at FROM audit_checkpoint
        WHERE chain_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq, id`,
      [chainId, fromSeq, toSeq],
    );
    return rows.map(toCheckpointRecord);
  }

  async latest(tx: Transaction, chainId: string): Promise<{ seq: number; headHash: string } | null> {
    const row = await tx.queryOne<{ seq: string; head_hash: string }>(
      `SELECT seq, head_hash FROM audit_checkpoint WHERE chain_id = $1 ORDER BY seq DESC LIMIT 1`,
      [chainId],
    );
    return row ? { seq: Number(row.seq), headHash: row.head_hash } : null;
  }

  /** Stores a checkpoint; undefined (nothing stored) when the chain already has one at that seq. */
  async insert(tx: Transaction, checkpoint: Omit<CheckpointRecord, 'id'>): Promise<CheckpointRecord | undefined> {
    const row = await tx.queryOne<{ id: string }>(
      `INSERT INTO audit_checkpoint (chain_id, seq, head_hash, jws, kid, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (chain_id, seq) DO NOTHING RETURNING id`,
      [checkpoint.chainId, checkpoint.seq, checkpoint.headHash, checkpoint.jws, checkpoint.kid, checkpoint.createdAt],
    );
    return row ? { id: String(row.id), ...checkpoint } : undefined;
  }
}
