import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { prepareTemplateDatabase } from '@app/db';
import { chromiumExecutable } from './web-browser';

/**
 * Runs once before the e2e files: migrates the template database that every e2e file clones, and unpacks the npm
 * package's browser when it is the one the web tests will drive (once, before test files could race to unpack it).
 */
export default async function globalSetup(): Promise<void> {
  await prepareTemplateDatabase();
  await chromiumExecutable();
  // This run's log folder: inherited by the test workers (createTestEnv sets LOG_FILE under it), scanned by globalTeardown.
  const dir = join(__dirname, '..', '..', 'test-artifacts', 'logs', `run-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  process.env.E2E_LOG_DIR = dir;
}
