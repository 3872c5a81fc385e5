import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, type PoolClient, type QueryResult } from 'pg';
import { DataSource, type QueryRunner } from 'typeorm';
import { dataSourceOptions } from '../data-source-options';
import { withPooledConnection } from './pooled-connection';
import { inStatementSpan } from './statement-span';
import { PreparedStatements } from './prepared-statements';

/**
 * Where SQL runs: the pool (Database) or one open transaction (Transaction). Only repositories
 * (`*.repository.ts`) call these methods; everything else calls repositories.
 */
export interface SqlScope {
  /** The rows a statement returns (none for a statement without RETURNING). */
  query<Row extends object>(text: string, values?: readonly unknown[]): Promise<Row[]>;
  /** The first row, or undefined. */
  queryOne<Row extends object>(text: string, values?: readonly unknown[]): Promise<Row | undefined>;
  /** How many rows an INSERT, UPDATE or DELETE touched. */
  execute(text: string, values?: readonly unknown[]): Promise<number>;
}

/** A pooled pg connection lent by withConnection (simple protocol: several statements per message). */
export type RawConnection = PoolClient;
/** One statement's result on a RawConnection. */
export type RawResult<Row extends object> = QueryResult<Row>;

/** A dedicated LISTEN connection (see Database.listen). */
export interface ChannelListener {
  connect(): Promise<void>;
  close(): Promise<void>;
}

export type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

export interface TransactionOptions {
  isolation?: IsolationLevel;
  /** A read-only snapshot (for a consistent read across repositories). */
  readOnly?: boolean;
}

/** Statements on one query runner: the pool's (a connection per statement) or a transaction's. */
class RunnerScope implements SqlScope {
  constructor(
    private readonly runner: () => QueryRunner,
    private readonly releaseAfter: boolean,
  ) {}

  async query<Row extends object>(text: string, values: readonly unknown[] = []): Promise<Row[]> {
    return ((await this.structured(text, values)).records ?? []) as Row[];
  }

  async queryOne<Row extends object>(text: string, values: readonly unknown[] = []): Promise<Row | undefined> {
    return (await this.query<Row>(text, values))[0];
  }

  async execute(text: string, values: readonly unknown[] = []): Promise<number> {
    return (await this.structured(text, values)).affected ?? 0;
  }

  private async structured(text: string, values: readonly unknown[]): Promise<{ records?: unknown[]; affected?: number }> {
    const runner = this.runner();
    try {
      return await inStatementSpan(text, () => runner.query(text, [...values], true));
    } finally {
      if (this.releaseAfter) await runner.release();
    }
  }
}

/** One open transaction; repositories' methods that must share it take it as their first argument. */
export class Transaction extends RunnerScope {}

/**
 * The one way to reach PostgreSQL (through TypeORM's pool, which also runs the migrations). Repositories hold it;
 * use cases that change several repositories' tables atomically open a transaction here and pass it on.
 */
@Injectable()
export class Database extends RunnerScope {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super(() => dataSource.createQueryRunner(), true);
  }

  /**
   * A Database on its own pool, for a process without Nest (the CLI, benchmarks); `close` ends the pool. Throws when
   * PostgreSQL cannot be reached.
   */
  static async connect(
    url: string,
    options: { poolSize?: number; applicationName?: string } = {},
  ): Promise<{ database: Database; close: () => Promise<void> }> {
    const dataSource = new DataSource(dataSourceOptions(url, { poolSize: options.poolSize ?? 2, applicationName: options.applicationName }));
    await dataSource.initialize();
    return { database: new Database(dataSource), close: () => dataSource.destroy() };
  }

  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(work: (tx: Transaction) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction(options.isolation);
      if (options.readOnly) await runner.query('SET TRANSACTION READ ONLY');
      const result = await work(new Transaction(() => runner, false));
      await runner.commitTransaction();
      return result;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  /** The pool's connections now: open in all, idle, and requests waiting for one (metrics). */
  poolUsage(): { total: number; idle: number; waiting: number } {
    const pool = (this.dataSource.driver as { master?: { totalCount: number; idleCount: number; waitingCount: number } }).master;
    return { total: pool?.totalCount ?? 0, idle: pool?.idleCount ?? 0, waiting: pool?.waitingCount ?? 0 };
  }

  /** Resolves when PostgreSQL answers a trivial statement (readiness checks). */
  async ping(): Promise<void> {
    await this.query('SELECT 1 AS ok');
  }

  /** Named prepared statements for a repository's hot statements (see PreparedStatements). */
  preparedStatements(maxTexts?: number): PreparedStatements {
    return new PreparedStatements(this.dataSource, maxTexts);
  }

  /** A pooled pg connection for what a query runner cannot do (several statements in one message). */
  withConnection<T>(work: (client: RawConnection, breakConnection: (reason: Error) => void) => Promise<T>): Promise<T> {
    return inStatementSpan('BATCH', () => withPooledConnection(this.dataSource, work));
  }

  /**
   * A dedicated connection, outside the pool (it stays open as long as its user runs), that LISTENs on `channel`.
   * `lost` is called when it fails or ends, until it is closed.
   */
  listen(channel: string, applicationName: string, events: { notified: () => void; lost: (reason: string) => void }): ChannelListener {
    const url = (this.dataSource.options as { url?: string }).url;
    const client = new Client({ connectionString: url, keepAlive: true, application_name: applicationName });
    client.on('error', (err: Error) => events.lost(err.message));
    client.on('end', () => events.lost('connection ended'));
    client.on('notification', () => events.notified());
    return {
      async connect() {
        await client.connect();
        await client.query(`LISTEN ${channel}`);
      },
      async close() {
        client.removeAllListeners();
        client.on('error', () => undefined);
        await client.end().catch(() => undefined);
      },
    };
  }
}
