import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DEVELOPMENT_MATCHING_HASH_KEY } from '@app/config';
import { ensureDatabaseExists, runMigrations } from './migrate';

/**
 * Test databases: migrations run once into a template, and each e2e file gets its own clone
 * (CREATE DATABASE ... TEMPLATE ...), which is fast and keeps files from interfering.
 */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';
/** Overridable so that several checkouts on one machine can run their e2e suites side by side. */
export const TEMPLATE_DATABASE = process.env.TEST_TEMPLATE_DATABASE ?? 'responder_checkin_template';
if (!/^[a-z_][a-z0-9_]{0,62}$/.test(TEMPLATE_DATABASE)) throw new Error('TEST_TEMPLATE_DATABASE must be a lower-case SQL identifier');

function urlFor(db: string): string {
  return `${TEST_SERVER_URL.replace(/\/$/, '')}/${db}`;
}

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: urlFor('postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function prepareTemplateDatabase(): Promise<void> {
  await admin(async (c) => {
    await c.query(`UPDATE pg_database SET datistemplate = false WHERE datname = $1`, [TEMPLATE_DATABASE]);
    await c.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
  });
  await ensureDatabaseExists(urlFor(TEMPLATE_DATABASE));
  await runMigrations(urlFor(TEMPLATE_DATABASE), DEVELOPMENT_MATCHING_HASH_KEY);
  await admin((c) => c.query(`UPDATE pg_database SET datistemplate = true WHERE datname = $1`, [TEMPLATE_DATABASE]));
}

/** A fresh, migrated database for one test file; returns its URL. */
export async function createTestDatabase(label = 'e2e'): Promise<string> {
  const name = `rc_test_${label
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase()
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`));
  return urlFor(name);
}

export async function dropTestDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
