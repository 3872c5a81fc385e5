import { createHash } from 'node:crypto';
import { DatabaseError } from 'pg';
import type { DataSource } from 'typeorm';
import type { SqlScope } from './database';
import { withPooledConnection } from './pooled-connection';
import { inStatementSpan } from './statement-span';

/**
 * Runs SQL as named prepared statements: PostgreSQL parses a text once per pooled connection and, after a few runs,
 * keeps one generic plan for it instead of planning every batch (planning a check-in batch's write costs ~0.7 ms of
 * PostgreSQL CPU, per pg_stat_statements under bench:checkin).
 *
 * Only for statements whose plan cannot go stale: a generic plan is made once, with the table sizes of that
 * moment, and kept until statistics change (autovacuum's ANALYZE). A statement that only inserts rows given as
 * parameters qualifies; one that looks rows up only if each lookup has one right index whatever the sizes. The
 * check-in statement's lookup of a responder's active deployment qualifies because its index is the planner's first
 * choice (migration 1764300900000; test/check-in-statement-plan.e2e-spec.ts): planned on an empty database, it would
 * otherwise read every active deployment per lookup as the incident grows. The idempotency lookup stays unprepared.
 * Texts must be fixed, values only as placeholders; past `maxTexts` distinct texts a new one runs unprepared.
 */
export class PreparedStatements implements SqlScope {
  private readonly names = new Map<string, string>();

  constructor(
    private readonly db: DataSource,
    private readonly maxTexts = 32,
  ) {}

  async query<Row extends object>(text: string, values: readonly unknown[] = []): Promise<Row[]> {
    return (await this.run(text, values)).rows as Row[];
  }

  async queryOne<Row extends object>(text: string, values: readonly unknown[] = []): Promise<Row | undefined> {
    return (await this.query<Row>(text, values))[0];
  }

  async execute(text: string, values: readonly unknown[] = []): Promise<number> {
    return (await this.run(text, values)).rowCount ?? 0;
  }

  private run(text: string, values: readonly unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }> {
    return inStatementSpan(text, () => this.runOnConnection(text, values));
  }

  private runOnConnection(text: string, values: readonly unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }> {
    return withPooledConnection(this.db, async (client, breakConnection) => {
      try {
        return await client.query({ name: this.nameOf(text), text, values: [...values] });
      } catch (err) {
        // PostgreSQL refusing the statement leaves the connection usable; anything else (a dropped socket) may not.
        if (!(err instanceof DatabaseError)) breakConnection(err instanceof Error ? err : new Error(String(err)));
        throw err;
      }
    });
  }

  private nameOf(sql: string): string | undefined {
    const known = this.names.get(sql);
    if (known || this.names.size >= this.maxTexts) return known;
    const name = `prepared_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
    this.names.set(sql, name);
    return name;
  }
}
