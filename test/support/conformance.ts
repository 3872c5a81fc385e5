import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The public conformance data (../shared/conformance beside the repository; read in place, never copied).
 * CONFORMANCE_DIR overrides it; a clone elsewhere falls back to the workspace's copy.
 */
const repoRoot = resolve(__dirname, '../..');
const candidates = [process.env.CONFORMANCE_DIR, join(repoRoot, '../shared/conformance'), '/work/shared/conformance'].filter(
  (d): d is string => typeof d === 'string' && d.length > 0,
);

export const CONFORMANCE_DIR = candidates.find((d) => existsSync(join(d, 'README.md'))) ?? candidates[0];
