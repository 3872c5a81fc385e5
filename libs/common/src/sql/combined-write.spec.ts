import { CombinedWrite, type SqlRunner } from './combined-write';

describe('CombinedWrite', () => {
  const recorder = (): SqlRunner & { calls: Array<{ sql: string; parameters?: unknown[] }> } => {
    const calls: Array<{ sql: string; parameters?: unknown[] }> = [];
    return { calls, query: async (sql, parameters) => (calls.push({ sql, parameters }), [{ done: 1 }]) };
  };

  it('numbers values across the parts and sends one statement', async () => {
    const write = new CombinedWrite();
    write.with('a', `INSERT INTO t (x) VALUES (${write.value(1)}) RETURNING id`);
    write.with('b', `INSERT INTO u (t_id, y) SELECT id, ${write.value('two')} FROM a`);
    const db = recorder();
    await write.run(db);
    expect(db.calls).toHaveLength(1);
    expect(db.calls[0].sql).toBe('WITH a AS (INSERT INTO t (x) VALUES ($1) RETURNING id),\nb AS (INSERT INTO u (t_id, y) SELECT id, $2 FROM a)\nSELECT 1 AS done');
    expect(db.calls[0].parameters).toEqual([1, 'two']);
  });

  it('marks a part MATERIALIZED when asked, so PostgreSQL runs it once rather than inline it', async () => {
    const write = new CombinedWrite();
    write.with('link', `SELECT * FROM f(${write.value('x')})`, { materialized: true });
    write.with('row', 'INSERT INTO t (v) SELECT v FROM link');
    const db = recorder();
    await write.run(db);
    expect(db.calls[0].sql).toBe('WITH link AS MATERIALIZED (SELECT * FROM f($1)),\nrow AS (INSERT INTO t (v) SELECT v FROM link)\nSELECT 1 AS done');
  });

  it('refuses to run with nothing to write', async () => {
    await expect(new CombinedWrite().run(recorder())).rejects.toThrow('nothing to write');
  });
});
