import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ServerKeys } from '@app/auth';
import { Clock } from '@app/common';
import { GENESIS_HASH } from '../audit.types';
import { AuditEntryStore } from '../store/audit-entry-store';
import { findChainBreak, linkOf, type ChainLink, type ChainProblem } from '../verification/chain-verifier';
import { signCheckpoint, type CheckpointRecord } from '../verification/checkpoint-statement';

/** Advisory-lock class id for "creating a checkpoint of chain X" (the second key is hashtext(chain id)). */
const CHECKPOINT_LOCK_CLASS = 73112;

export interface CheckpointRun {
  created: CheckpointRecord[];
  /** Chains whose new entries do not verify: not signed, so a checkpoint never vouches for tampered entries. */
  refused: Array<{ chainId: string; problem: ChainProblem }>;
}

/**
 * Signs the head of every chain that moved since its last checkpoint (JWS with the server's checkpoint key). Called on demand
 * (POST /audit/checkpoints) and periodically by the worker; safe to run from several processes at once (one
 * advisory lock per chain, and a unique (chain, seq)). Never blocks appends: it reads the committed head.
 */
@Injectable()
export class AuditCheckpoints {
  private readonly logger = new Logger(AuditCheckpoints.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly store: AuditEntryStore,
    private readonly keys: ServerKeys,
    private readonly clock: Clock,
  ) {}

  async checkpointMovedChains(): Promise<CheckpointRun> {
    const moved = (await this.db.query(
      `SELECT c.chain_id FROM audit_chain c
        WHERE c.last_seq > COALESCE((SELECT max(cp.seq) FROM audit_checkpoint cp WHERE cp.chain_id = c.chain_id), 0)
        ORDER BY c.chain_id`,
    )) as Array<{ chain_id: string }>;
    const run: CheckpointRun = { created: [], refused: [] };
    for (const { chain_id: chainId } of moved) {
      const outcome = await this.checkpointChain(chainId);
      if (outcome?.created) run.created.push(outcome.created);
      if (outcome?.refused) run.refused.push({ chainId, problem: outcome.refused });
    }
    return run;
  }

  /** Signs this chain's current head unless it is already checkpointed; checks the entries since the last checkpoint first. */
  async checkpointChain(chainId: string): Promise<{ created?: CheckpointRecord; refused?: ChainProblem } | null> {
    const outcome = await this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [CHECKPOINT_LOCK_CLASS, chainId]);
      const head = await this.store.head(tx, chainId);
      const previous = await this.store.latestCheckpoint(tx, chainId);
      if (!head || head.seq <= (previous?.seq ?? 0)) return null;

      const fromSeq = (previous?.seq ?? 0) + 1;
      const links: ChainLink[] = [];
      for await (const page of this.store.pages(tx, chainId, fromSeq, head.seq)) for (const e of page) links.push(linkOf(e));
      const problem = findChainBreak(links, { fromSeq, anchorHash: previous?.headHash ?? GENESIS_HASH, head });
      if (problem) return { refused: problem };

      const createdAt = this.clock.now().toISOString();
      const statement = { chainId, seq: head.seq, headHash: head.hash, previous: previous ? { seq: previous.seq, headHash: previous.headHash } : null, createdAt };
      const jws = await signCheckpoint((payload, typ) => this.keys.signCheckpoint(payload, typ), statement);
      const kid = this.keys.checkpointKid;
      const rows = (await tx.query(
        `INSERT INTO audit_checkpoint (chain_id, seq, head_hash, jws, kid, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (chain_id, seq) DO NOTHING RETURNING id`,
        [chainId, head.seq, head.hash, jws, kid, createdAt],
      )) as Array<{ id: string }>;
      if (!rows[0]) return null;
      const created: CheckpointRecord = { id: String(rows[0].id), chainId, seq: head.seq, headHash: head.hash, jws, kid, createdAt };
      return { created };
    });
    if (outcome?.refused) {
      this.logger.error({ chainId, problem: outcome.refused }, 'audit chain does not verify: checkpoint refused');
    }
    return outcome;
  }
}
