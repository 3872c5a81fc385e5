#!/usr/bin/env node
// Launcher of the `responder-checkin` CLI (npm run -s cli -- <command> ...; package.json "bin").
// In a source checkout it runs apps/cli/src/main.ts directly: esbuild bundles our TypeScript (node_modules stay
// external) into node_modules/.cache/cli/, named by content hash so concurrent runs never overwrite each other.
// Without esbuild or sources (a built deployment) it runs the compiled dist/apps/cli/src/main.js.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const source = join(root, 'apps/cli/src/main.ts');
const require = createRequire(import.meta.url);

async function bundle() {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [source],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    tsconfig: join(root, 'tsconfig.json'),
    sourcemap: 'inline',
    write: false,
    logLevel: 'error',
  });
  const code = result.outputFiles[0].contents;
  const cacheDir = join(root, 'node_modules/.cache/cli');
  const file = join(cacheDir, `main-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.cjs`);
  if (!existsSync(file)) {
    mkdirSync(cacheDir, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, code);
    renameSync(temporary, file);
  }
  return file;
}

let entry = join(root, 'dist/apps/cli/src/main.js');
if (existsSync(source)) {
  try {
    entry = await bundle();
  } catch (err) {
    if (!existsSync(entry)) throw err;
  }
}
process.setSourceMapsEnabled?.(true);
require(entry);
