import type { SqlScope } from './database';

/** A part of a combined statement that later parts, of this repository or another, may read or wait for. */
export interface StatementPart {
  readonly name: string;
}

/**
 * A condition on earlier parts (for example "every presented responder is new"): parts given it write nothing when
 * it is false. Built only by the repository that owns the parts it reads.
 */
export interface StatementCondition {
  readonly sql: string;
}

/**
 * Writes that several repositories contribute (a check-in's deployment, its audit entry, its board event), assembled
 * into ONE SQL statement of data-modifying CTEs. One statement is atomic on its own: run outside a transaction it
 * commits by itself, with no BEGIN/COMMIT round trips and with row locks (the per-incident audit chain head and
 * event sequence) held only while PostgreSQL executes it, never while the application is between statements.
 *
 * Repositories add parts through their own typed methods and hand each other the parts (StatementPart) and
 * conditions (StatementCondition) they return, never names as strings. PostgreSQL runs every data-modifying CTE
 * to completion whether or not the final SELECT reads it.
 */
export class CombinedStatement {
  private readonly ctes: string[] = [];
  private readonly values: unknown[] = [];
  private readonly names = new Set<string>();

  /** Adds a value and returns its placeholder ($n). */
  value(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }

  /**
   * Adds `name AS (sql)`; later parts may read earlier ones by `part.name`. `materialized` makes PostgreSQL run a
   * SELECT part exactly once (one that calls a function with side effects, say) rather than inline it where it is read.
   */
  with(name: string, sql: string, options: { materialized?: boolean } = {}): StatementPart {
    if (this.names.has(name)) throw new Error(`CombinedStatement: part ${name} added twice`);
    this.names.add(name);
    this.ctes.push(`${name} AS ${options.materialized ? 'MATERIALIZED ' : ''}(${sql})`);
    return { name };
  }

  /** A condition, for parts of this statement only. */
  condition(sql: string): StatementCondition {
    return { sql };
  }

  /** `WHERE <condition>`, or nothing. */
  static where(condition: StatementCondition | undefined): string {
    return condition ? `WHERE ${condition.sql}` : '';
  }

  /**
   * A FROM clause that reads every row of `part` first: PostgreSQL runs the CTEs of one statement in an order of its
   * own, and reading a part is the only way to make it run (and take its locks) before another.
   */
  static after(part: StatementPart | undefined): string {
    return part ? ` FROM (SELECT count(*) FROM ${part.name}) AS ran_first` : '';
  }

  /** Runs the statement; `select` reads the parts' RETURNING rows (by default nothing). */
  async run<Row extends object = Record<string, unknown>>(scope: Pick<SqlScope, 'query'>, select = 'SELECT 1 AS done'): Promise<Row[]> {
    if (this.ctes.length === 0) throw new Error('CombinedStatement: nothing to write');
    return scope.query<Row>(`WITH ${this.ctes.join(',\n')}\n${select}`, this.values);
  }
}
