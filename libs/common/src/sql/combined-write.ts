/** What runs SQL: a TypeORM DataSource or EntityManager (a transaction), or a plain pg adapter in benchmarks. */
export interface SqlRunner {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * Writes that several libraries contribute (a check-in's deployment, its audit entry, its board event), assembled
 * into ONE SQL statement of data-modifying CTEs. One statement is atomic on its own: run outside a transaction it
 * commits by itself, with no BEGIN/COMMIT round trips and with row locks (the per-incident audit chain head and
 * event sequence) held only while PostgreSQL executes it, never while the application is between statements.
 *
 * Each contributor names its CTEs with its own prefix; PostgreSQL runs every data-modifying CTE to completion
 * whether or not the final SELECT reads it.
 */
export class CombinedWrite {
  private readonly ctes: string[] = [];
  private readonly values: unknown[] = [];

  /** Adds a value and returns its placeholder ($n). */
  value(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }

  /**
   * Adds `name AS (sql)`; later parts may read earlier ones by name. `materialized` makes PostgreSQL run a SELECT
   * part exactly once (one that calls a function with side effects, say) rather than inline it where it is read.
   */
  with(name: string, sql: string, options: { materialized?: boolean } = {}): this {
    this.ctes.push(`${name} AS ${options.materialized ? 'MATERIALIZED ' : ''}(${sql})`);
    return this;
  }

  /** Runs the statement; `select` reads the CTEs' RETURNING rows (by default nothing). */
  async run<Row = Record<string, unknown>>(db: SqlRunner, select = 'SELECT 1 AS done'): Promise<Row[]> {
    if (this.ctes.length === 0) throw new Error('CombinedWrite: nothing to write');
    return (await db.query(`WITH ${this.ctes.join(',\n')}\n${select}`, this.values)) as Row[];
  }
}
