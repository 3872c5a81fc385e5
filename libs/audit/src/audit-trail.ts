import { Injectable } from '@nestjs/common';
import type { CombinedStatement, SqlScope, StatementCondition, StatementPart } from '@app/db';
import type { AuditEntryRecord, AuditInput } from './audit.types';
import { normalizeEntry } from './entry-builder';
import { AuditTrailRepository } from './store/audit-trail.repository';

/**
 * Appends to the hash chain in the caller's transaction or combined statement, so an entry exists if and only if the
 * change it records was committed. Each append locks its chain's head until commit: appends to one incident's chain
 * are ordered, appends to different incidents don't wait for each other (see docs/audit.md).
 */
@Injectable()
export class AuditTrail {
  constructor(private readonly entries: AuditTrailRepository) {}

  /** Appends in its own statement (inside `tx` when given a transaction). */
  record(tx: Pick<SqlScope, 'query'>, input: AuditInput): Promise<AuditEntryRecord> {
    // Millisecond precision (normalizeEntry): exactly what PostgreSQL stores and returns, so the hash recomputes.
    return this.entries.appendOne(tx, normalizeEntry(input));
  }

  /**
   * Adds entries, in order and all on one chain, to a combined statement; at most one call per statement. Returns
   * the part that appends them, for parts that must lock after the chain head (CombinedStatement.after), or
   * undefined when there is nothing to append. `when` false leaves them out, chain head untouched.
   */
  appendTo(statement: CombinedStatement, inputs: AuditInput[], options: { when?: StatementCondition } = {}): StatementPart | undefined {
    if (inputs.length === 0) return undefined;
    return this.entries.append(statement, inputs.map(normalizeEntry), options);
  }
}
