import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { prepareTemplateDatabase } from '@app/db';

/** Runs once before the e2e files: migrates the template database that every e2e file clones. */
export default async function globalSetup(): Promise<void> {
  await prepareTemplateDatabase();
  // This run's log folder: inherited by the test workers (createTestEnv sets LOG_FILE under it), scanned by globalTeardown.
  const dir = join(__dirname, '..', '..', 'test-artifacts', 'logs', `run-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  process.env.E2E_LOG_DIR = dir;
}
