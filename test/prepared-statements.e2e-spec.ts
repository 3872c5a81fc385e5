import { DataSource } from 'typeorm';
import { PreparedStatements } from '@app/common';
import { createTestDatabase, dataSourceOptions, dropTestDatabase } from '@app/db';

/** PreparedStatements against PostgreSQL: one pooled connection, so pg_prepared_statements shows what it holds. */
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
});
