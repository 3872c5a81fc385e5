// Runs the demo issuer straight from its TypeScript sources, no `npm run build` needed:
//   node scripts/issuer.mjs server        (npm run issuer)
//   node scripts/issuer.mjs cli <args>    (npm run -s issuer:cli -- <args>)
// esbuild bundles apps/issuer/src/{main,cli}.ts (node_modules stay external) into node_modules/.cache/issuer/,
// named by content hash so concurrent runs never overwrite each other, then node runs the bundle.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entries = { server: 'main', cli: 'cli' };
const [which, ...args] = process.argv.slice(2);
if (!(which in entries)) {
  console.error('usage: node scripts/issuer.mjs server | cli <args>');
  process.exit(2);
}

const result = await build({
  entryPoints: [join(root, 'apps/issuer/src', `${entries[which]}.ts`)],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  write: false,
  logLevel: 'warning',
});
const code = result.outputFiles[0].contents;
const cacheDir = join(root, 'node_modules/.cache/issuer');
const bundle = join(cacheDir, `${entries[which]}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.cjs`);
if (!existsSync(bundle)) {
  mkdirSync(cacheDir, { recursive: true });
  const temporary = `${bundle}.${process.pid}.tmp`;
  writeFileSync(temporary, code);
  renameSync(temporary, bundle);
}

const child = spawn(process.execPath, ['--enable-source-maps', bundle, ...args], { stdio: 'inherit', cwd: process.cwd() });
// Ctrl-C reaches the child through the terminal's process group; forward what arrives only here.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
