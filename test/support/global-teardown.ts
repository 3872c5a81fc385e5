import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanLogDir } from './log-scan';

/**
 * Runs once after the e2e files: scans every log line the run's processes wrote (LOG_FILE under E2E_LOG_DIR, see
 * createTestEnv) for tokens, whole credentials, Bearer values and passwords, and fails the run if one is found.
 * Clean logs are deleted; logs with a leak are kept next to a LEAKS.txt report (the secret itself masked).
 */
export default async function globalTeardown(): Promise<void> {
  const dir = process.env.E2E_LOG_DIR;
  if (!dir) return;
  const { files, bytes, leaks } = scanLogDir(dir);
  if (leaks.length === 0) {
    if (process.env.E2E_KEEP_LOGS !== '1') rmSync(dir, { recursive: true, force: true });
    process.stdout.write(`\nlog scan: ${files} log files (${(bytes / 1e6).toFixed(1)} MB) written by this run, no tokens, credentials or passwords\n`);
    return;
  }
  const report = leaks.map((l) => `${l.file}:${l.line} [${l.kind}] ${l.excerpt}`).join('\n');
  writeFileSync(join(dir, 'LEAKS.txt'), `${report}\n`);
  throw new Error(
    `log scan: ${leaks.length} secret(s) found in the e2e logs (report: ${join(dir, 'LEAKS.txt')}):\n${report.split('\n').slice(0, 20).join('\n')}`,
  );
}
