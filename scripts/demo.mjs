// `npm run demo [-- --surge N ...]`: the one-command demo (apps/demo/src/main.ts).
// esbuild bundles the demo's TypeScript (with the demo issuer it runs in-process; node_modules stay external) into
// node_modules/.cache/demo/, named by content hash, and this process runs it. The demo itself runs `npm run build`
// for the api and worker it starts (skip with --no-build).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const result = await build({
  entryPoints: [join(root, 'apps/demo/src/main.ts')],
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
const cacheDir = join(root, 'node_modules/.cache/demo');
const bundle = join(cacheDir, `demo-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.cjs`);
if (!existsSync(bundle)) {
  mkdirSync(cacheDir, { recursive: true });
  const temporary = `${bundle}.${process.pid}.tmp`;
  writeFileSync(temporary, code);
  renameSync(temporary, bundle);
}
process.setSourceMapsEnabled(true);
const { runDemoCli } = createRequire(import.meta.url)(bundle);
runDemoCli(root, process.argv.slice(2)).then(
  (exitCode) => process.exit(exitCode),
  (err) => {
    console.error(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
