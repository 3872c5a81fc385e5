import { Injectable, Logger } from '@nestjs/common';
import { decodeProtectedHeader } from 'jose';
import { ServerKeysService } from '@app/auth';
import { Clock } from '@app/common';
import { Database } from '@app/db';
import { GENESIS_HASH } from '../audit.types';
import { AuditCheckpointsRepository } from '../store/audit-checkpoints.repository';
import { AuditEntriesRepository } from '../store/audit-entries.repository';
import { findChainBreak, linkOf, type ChainLink, type ChainProblem } from '../verification/chain-verifier';
import { signCheckpoint, type CheckpointRecord } from '../verification/checkpoint-statement';

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
export class AuditCheckpointsService {
  private readonly logger = new Logger(AuditCheckpointsService.name);

  constructor(
    private readonly database: Database,
    private readonly entries: AuditEntriesRepository,
    private readonly checkpoints: AuditCheckpointsRepository,
    private readonly keys: ServerKeysService,
    private readonly clock: Clock,
  ) {}

  async checkpointMovedChains(): Promise<CheckpointRun> {
    const moved = await this.checkpoints.chainsMovedSinceCheckpoint();
    const run: CheckpointRun = { created: [], refused: [] };
    for (const chainId of moved) {
      const outcome = await this.checkpointChain(chainId);
      if (outcome?.created) run.created.push(outcome.created);
      if (outcome?.refused) run.refused.push({ chainId, problem: outcome.refused });
    }
    return run;
  }

  /** Signs this chain's current head unless it is already checkpointed; checks the entries since the last checkpoint first. */
  async checkpointChain(chainId: string): Promise<{ created?: CheckpointRecord; refused?: ChainProblem } | null> {
    const outcome = await this.database.transaction(async (tx) => {
      // One checkpointing transaction per chain at a time, across processes.
      await this.checkpoints.lockChain(tx, chainId);
      const head = await this.entries.head(tx, chainId);
      const previous = await this.checkpoints.latest(tx, chainId);
      if (!head || head.seq <= (previous?.seq ?? 0)) return null;

      const fromSeq = (previous?.seq ?? 0) + 1;
      const links: ChainLink[] = [];
      for await (const page of this.entries.pages(tx, chainId, fromSeq, head.seq)) for (const e of page) links.push(linkOf(e));
      const problem = findChainBreak(links, { fromSeq, anchorHash: previous?.headHash ?? GENESIS_HASH, head });
      if (problem) return { refused: problem };

      const createdAt = this.clock.now().toISOString();
      const statement = {
        chainId,
        seq: head.seq,
        headHash: head.hash,
        previous: previous ? { seq: previous.seq, headHash: previous.headHash } : null,
        createdAt,
      };
      const jws = await signCheckpoint((payload, typ) => this.keys.signCheckpoint(payload, typ), statement);
      // The key that signed, read from the signature: another rotation may have activated a key meanwhile.
      const kid = String(decodeProtectedHeader(jws).kid);
      const created = await this.checkpoints.insert(tx, { chainId, seq: head.seq, headHash: head.hash, jws, kid, createdAt });
      return created ? { created } : null;
    });
    if (outcome?.refused) {
      this.logger.error({ chainId, problem: outcome.refused }, 'audit chain does not verify: checkpoint refused');
    }
    return outcome;
  }
}
