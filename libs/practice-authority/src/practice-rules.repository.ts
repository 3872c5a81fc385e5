import { Injectable } from '@nestjs/common';
import type { AuditActor } from '@app/audit';
import { Database, type Transaction } from '@app/db';
import type { PracticeRulesDocument } from './domain/practice-rules.document';

interface RuleSetRow {
  version: number;
  digest: string;
  document: PracticeRulesDocument;
  imported_by: AuditActor;
  imported_at: Date;
}

export interface RuleSetRecord {
  version: number;
  digest: string;
  document: PracticeRulesDocument;
  importedBy: AuditActor;
  importedAt: Date;
}

export type RuleSetHeader = Omit<RuleSetRecord, 'document'>;

const toRecord = (r: RuleSetRow): RuleSetRecord => ({
  version: r.version,
  digest: r.digest,
  document: r.document,
  importedBy: r.imported_by,
  importedAt: r.imported_at,
});

/** The versions of the practice rules (migration 1765002000000-practice-rule-set): append-only, the newest in force. */
@Injectable()
export class PracticeRulesRepository {
  constructor(private readonly db: Database) {}

  async latestVersion(): Promise<number> {
    const row = await this.db.queryOne<{ version: number | null }>(`SELECT max(version) AS version FROM practice_rule_set`);
    return row?.version ?? 0;
  }

  async find(version?: number): Promise<RuleSetRecord | undefined> {
    const row =
      version === undefined
        ? await this.db.queryOne<RuleSetRow>(`SELECT version, digest, document, imported_by, imported_at FROM practice_rule_set ORDER BY version DESC LIMIT 1`)
        : await this.db.queryOne<RuleSetRow>(`SELECT version, digest, document, imported_by, imported_at FROM practice_rule_set WHERE version = $1`, [version]);
    return row ? toRecord(row) : undefined;
  }

  async list(): Promise<RuleSetHeader[]> {
    const rows = await this.db.query<Omit<RuleSetRow, 'document'>>(
      `SELECT version, digest, imported_by, imported_at FROM practice_rule_set ORDER BY version DESC`,
    );
    return rows.map((r) => ({ version: r.version, digest: r.digest, importedBy: r.imported_by, importedAt: r.imported_at }));
  }

  /** Adds the next version; one import at a time (the table lock orders concurrent imports). */
  async append(tx: Transaction, digest: string, document: PracticeRulesDocument, actor: AuditActor, at: Date): Promise<RuleSetRecord> {
    await tx.execute(`LOCK TABLE practice_rule_set IN SHARE ROW EXCLUSIVE MODE`);
    const row = await tx.queryOne<RuleSetRow>(
      `INSERT INTO practice_rule_set (version, digest, document, imported_by, imported_at)
       SELECT coalesce(max(version), 0) + 1, $1, $2, $3, $4 FROM practice_rule_set
       RETURNING version, digest, document, imported_by, imported_at`,
      [digest, JSON.stringify(document), JSON.stringify(actor), at],
    );
    if (!row) throw new Error('PracticeRulesRepository.append: no row returned');
    return toRecord(row);
  }
}
