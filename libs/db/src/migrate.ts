import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';
import { setMigrationMatchingHashKey } from './migration-keys';

/** Arbitrary constant: every process that migrates takes this PostgreSQL advisory lock first. */
const MIGRATION_LOCK_KEY = 7_311_204_211;

/** Creates the database named in `url` if it does not exist yet (first start on a fresh PostgreSQL). */
export async function ensureDatabaseExists(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((err: { code?: string }) => {
        if (err.code !== '42P04' && err.code !== '23505') throw err; // created concurrently by another process
      });
    }
  } finally {
    await client.end();
  }
}

/** Drops the database `url` names, ending its open connections first; nothing happens when it does not exist. */
export async function dropDatabaseIfExists(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/**
 * Applies pending migrations under a session-level advisory lock, so two processes starting at the same moment
 * run them once: the second waits, then finds nothing left to do. Returns the names of the migrations it ran.
 * `matchingHashKey` (AppConfig.matching.hashKey): what migrations that hash stored identifiers hash them under.
 */
export async function runMigrations(url: string, matchingHashKey: Buffer): Promise<string[]> {
  setMigrationMatchingHashKey(matchingHashKey);
  const lock = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const ds = new DataSource({ ...dataSourceOptions(url, { poolSize: 2, applicationName: 'migrations' }) });
    await ds.initialize();
    try {
      const ran = await ds.runMigrations({ transaction: 'each' });
      return ran.map((m) => m.name);
    } finally {
      await ds.destroy();
    }
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.end();
  }
}
