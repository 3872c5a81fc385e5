import { CombinedStatement } from './combined-statement';
import type { SqlScope } from './database';

describe('CombinedStatement', () => {
  const recorder = (): Pick<SqlScope, 'query'> & { calls: Array<{ sql: string; parameters?: readonly unknown[] }> } => {
    const calls: Array<{ sql: string; parameters?: readonly unknown[] }> = [];
    const query = async <Row extends object>(sql: string, parameters?: readonly unknown[]): Promise<Row[]> => {
      calls.push({ sql, parameters });
      return [{ done: 1 } as unknown as Row];
    };
    return { calls, query };
  };

  it('numbers values across the parts and sends one statement', async () => {
    const write = new CombinedStatement();
    write.with('a', `INSERT INTO t (x) VALUES (${write.value(1)}) RETURNING id`);
    write.with('b', `INSERT INTO u (t_id, y) SELECT id, ${write.value('two')} FROM a`);
    const db = recorder();
    await write.run(db);
    expect(db.calls).toHaveLength(1);
    expect(db.calls[0].sql).toBe(
      'WITH a AS (INSERT INTO t (x) VALUES ($1) RETURNING id),\nb AS (INSERT INTO u (t_id, y) SELECT id, $2 FROM a)\nSELECT 1 AS done',
    );
    expect(db.calls[0].parameters).toEqual([1, 'two']);
  });

  it('marks a part MATERIALIZED when asked, so PostgreSQL runs it once rather than inline it', async () => {
    const write = new CombinedStatement();
    write.with('link', `SELECT * FROM f(${write.value('x')})`, { materialized: true });
    write.with('row', 'INSERT INTO t (v) SELECT v FROM link');
    const db = recorder();
    await write.run(db);
    expect(db.calls[0].sql).toBe('WITH link AS MATERIALIZED (SELECT * FROM f($1)),\nrow AS (INSERT INTO t (v) SELECT v FROM link)\nSELECT 1 AS done');
  });

  it('refuses to run with nothing to write', async () => {
    await expect(new CombinedStatement().run(recorder())).rejects.toThrow('nothing to write');
  });
});

describe('CombinedStatement parts', () => {
  it('hands out parts by name and refuses the same name twice', () => {
    const statement = new CombinedStatement();
    const part = statement.with('audit_entry_row', 'SELECT 1');
    expect(part.name).toBe('audit_entry_row');
    expect(() => statement.with('audit_entry_row', 'SELECT 2')).toThrow('added twice');
  });

  it('writes the ordering clause and the condition from the handles', () => {
    const statement = new CombinedStatement();
    const part = statement.with('first', 'SELECT 1');
    expect(CombinedStatement.after(part)).toBe(' FROM (SELECT count(*) FROM first) AS ran_first');
    expect(CombinedStatement.after(undefined)).toBe('');
    expect(CombinedStatement.where(statement.condition('NOT EXISTS (SELECT 1 FROM first)'))).toBe('WHERE NOT EXISTS (SELECT 1 FROM first)');
    expect(CombinedStatement.where(undefined)).toBe('');
  });
});
