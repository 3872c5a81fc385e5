import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Runs `work` on a connection taken straight from TypeORM's pool, for what its query runner cannot do (named
 * prepared statements, several statements in one message), and gives it back.
 *
 * While the connection is checked out it can die between two queries (PostgreSQL restarted, the network cut). pg
 * then emits 'error' on the client, and an 'error' event nobody listens to ends the process (test:chaos restarts
 * PostgreSQL while an api's outbox relay holds a connection waiting for Redis). Here the error is caught and
 * the connection given back as broken, so the pool drops it; `work` may declare it broken too (breakConnection).
 */
export async function withPooledConnection<T>(db: DataSource, work: (client: PoolClient, breakConnection: (reason: Error) => void) => Promise<T>): Promise<T> {
  const [client, release] = (await db.driver.obtainMasterConnection()) as [PoolClient, (broken?: Error) => void];
  let broken: Error | undefined;
  const breakConnection = (reason: Error): void => {
    broken ??= reason;
  };
  client.on('error', breakConnection);
  try {
    return await work(client, breakConnection);
  } finally {
    client.removeListener('error', breakConnection);
    release(broken);
  }
}
