import { Injectable } from '@nestjs/common';
import { ServerKeysService } from '@app/auth';
import { DomainError } from '@app/common';
import { Database, type Transaction } from '@app/db';
import { AuditCheckpointsRepository } from '../store/audit-checkpoints.repository';
import { AuditEntriesRepository } from '../store/audit-entries.repository';
import { linkOf, verifyLinks, type ChainLink, type ChainVerification } from './chain-verifier';

/** Reads everything a verification or an export needs from one consistent, read-only snapshot. */
export function inSnapshot<T>(database: Database, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  return database.transaction(fn, { isolation: 'REPEATABLE READ', readOnly: true });
}

/**
 * GET /audit/verify: streams a chain (or a range of it) from PostgreSQL page by page, keeping only each entry's
 * compact link, and runs the shared detection logic with the checkpoint keys the server trusts (its own, those it
 * sealed itself, and the pinned AUDIT_TRUSTED_CHECKPOINT_KEYS): a key someone added to the key table proves nothing.
 */
@Injectable()
export class AuditVerificationService {
  constructor(
    private readonly database: Database,
    private readonly entries: AuditEntriesRepository,
    private readonly checkpoints: AuditCheckpointsRepository,
    private readonly keys: ServerKeysService,
  ) {}

  async verify(chainId: string, range: { fromSeq?: number; toSeq?: number } = {}): Promise<ChainVerification> {
    const fromSeq = range.fromSeq ?? 1;
    if (range.toSeq !== undefined && range.toSeq < fromSeq) {
      throw new DomainError('validation_failed', `toSeq (${range.toSeq}) is before fromSeq (${fromSeq}).`);
    }
    const jwks = await this.keys.trustedCheckpointKeys();
    return inSnapshot(this.database, async (tx) => {
      const head = await this.entries.head(tx, chainId);
      // A whole-chain check reads past the recorded head too: an entry appended behind the server's back is there.
      const readTo = range.toSeq ?? Number.MAX_SAFE_INTEGER;
      const anchorHash = fromSeq === 1 ? undefined : await this.entries.hashAt(tx, chainId, fromSeq - 1);
      if (fromSeq > 1 && anchorHash === undefined) {
        throw new DomainError('unprocessable', `Entry ${fromSeq - 1} (the one before the range) does not exist; verify the whole chain to see why.`);
      }
      const links: ChainLink[] = [];
      for await (const page of this.entries.pages(tx, chainId, fromSeq, readTo)) {
        for (const entry of page) links.push(linkOf(entry));
      }
      const checkpoints = await this.checkpoints.list(tx, chainId, fromSeq, readTo);
      return verifyLinks({ chainId, links, checkpoints, jwks, head, range: { fromSeq, toSeq: range.toSeq, anchorHash } });
    });
  }
}
