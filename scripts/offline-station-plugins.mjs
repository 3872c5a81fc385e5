// esbuild plugins for the offline station's code (scripts/build-web.mjs, and bench/offline.ts which bundles the same
// verifier for headless Chromium).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// The offline station's verifier shares engine modules that import node:crypto, node:zlib, node:fs and node:path at
// the top; its path calls none of their functions (it uses WebCrypto), so they are mapped to stubs that throw if
// ever called.
export const nodeModulesStubbed = {
  name: 'node-unavailable',
  setup(b) {
    b.onResolve({ filter: /^node:(crypto|zlib|fs|path)$/ }, () => ({ path: join(root, 'apps/web/src/offline/node-unavailable.ts') }));
  },
};

// The bundled JSON-LD contexts for the Data Integrity chunk as a module (`virtual:jsonld-contexts`) that only that
// chunk imports, so they travel in it and not in the app's code. Each file is checked against its pinned SHA-256
// (as JsonLdContexts.load does on the server): a changed file fails the build instead of shipping.
export const bundledJsonLdContexts = {
  name: 'jsonld-contexts',
  setup(b) {
    b.onResolve({ filter: /^virtual:jsonld-contexts$/ }, () => ({ path: 'jsonld-contexts', namespace: 'jsonld-contexts' }));
    b.onLoad({ filter: /.*/, namespace: 'jsonld-contexts' }, () => ({ contents: `export default ${JSON.stringify(pinnedContexts())};`, loader: 'js' }));
  },
};

function pinnedContexts() {
  const dir = join(root, 'libs/credentials/src/data-integrity/contexts');
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).contexts.map((entry) => {
    const bytes = readFileSync(join(dir, entry.file));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== entry.sha256.toLowerCase()) throw new Error(`${entry.file} has SHA-256 ${sha256}, not the pinned ${entry.sha256}`);
    return { url: entry.url, sha256, text: bytes.toString('utf8') };
  });
}
