import type { EventEmitter } from 'node:events';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { PreparedStatements, withPooledConnection } from '@app/db';
import { createTestDatabase, dataSourceOptions, dropTestDatabase } from '@app/db';

/**
 * PreparedStatements and withPooledConnection against PostgreSQL: one pooled connection, so pg_prepared_statements
 * shows what it holds and a broken connection must be replaced.
 */
describe('PreparedStatements', () => {
  let url: string;
  let db: DataSource;
  const preparedTexts = async (): Promise<string[]> =>
    ((await db.query('SELECT statement FROM pg_prepared_statements ORDER BY prepare_time')) as Array<{ statement: string }>).map((r) => r.statement);

  beforeAll(async () => {
    url = await createTestDatabase('prepared');
    db = new DataSource(dataSourceOptions(url, { poolSize: 1 }));
    await db.initialize();
  });

  afterAll(async () => {
    await db.destroy();
    await dropTestDatabase(url);
  });

  it('prepares a text once on the connection and answers each run with its rows', async () => {
    const sql = new PreparedStatements(db);
    const text = 'SELECT $1::int + 1 AS next';
    for (let i = 0; i < 7; i++) expect(await sql.query(text, [i])).toEqual([{ next: i + 1 }]);
    expect((await preparedTexts()).filter((t) => t === text)).toHaveLength(1);
  });

  it('a statement PostgreSQL refuses rejects with its error, and the connection goes on serving', async () => {
    const sql = new PreparedStatements(db);
    const text = 'SELECT 10 / $1::int AS quotient';
    await expect(sql.query(text, [0])).rejects.toMatchObject({ code: '22012' }); // division_by_zero
    expect(await sql.query(text, [5])).toEqual([{ quotient: 2 }]);
  });

  it('past maxTexts distinct texts, a new text runs unprepared', async () => {
    const sql = new PreparedStatements(db, 1);
    expect(await sql.query("SELECT 'kept' AS first")).toEqual([{ first: 'kept' }]);
    expect(await sql.query("SELECT 'not kept' AS second")).toEqual([{ second: 'not kept' }]);
    const texts = await preparedTexts();
    expect(texts).toContain("SELECT 'kept' AS first");
    expect(texts).not.toContain("SELECT 'not kept' AS second");
  });

  it('a connection that dies while checked out between two queries is dropped from the pool, not a crash', async () => {
    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      const first = await withPooledConnection(db, async (client) => {
        const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        // As when PostgreSQL restarts while the outbox relay waits for Redis: no query of ours is running.
        // Wait for the socket to close, without listening for the client's 'error' (that is withPooledConnection's job).
        const died = new Promise((resolve) => (client as unknown as { connection: EventEmitter }).connection.once('end', resolve));
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
        await died;
        return rows[0].pid;
      });
      // Unhandled, that 'error' event would have ended the process; handled, the pool opens a new connection.
      const [{ pid }] = (await db.query('SELECT pg_backend_pid() AS pid')) as Array<{ pid: number }>;
      expect(pid).not.toBe(first);
      expect(await new PreparedStatements(db).query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await admin.end();
    }
  });
});
