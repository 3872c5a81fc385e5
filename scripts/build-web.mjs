// Builds the web app (apps/web) into dist/web, which the api process serves under /app/.
//   node scripts/build-web.mjs                  -> dist/web (minified, source maps)
//   node scripts/build-web.mjs --outdir DIR     -> another folder (the browser tests build their own copy)
//   node scripts/build-web.mjs --dev            -> not minified
// Everything comes from node_modules (no CDN at run time). Output names carry a content hash so the assets can be
// cached for good; index.html (never cached) is written last, naming them, so a half-written build is never served.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundledJsonLdContexts, nodeModulesStubbed } from './offline-station-plugins.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'apps/web');

function option(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const outdir = resolve(root, option('--outdir') ?? 'dist/web');
const dev = process.argv.includes('--dev');

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const result = await build({
  plugins: [nodeModulesStubbed, bundledJsonLdContexts],
  absWorkingDir: root,
  entryPoints: { app: join(web, 'src/main.tsx') },
  bundle: true,
  format: 'esm',
  // The QR decoder (jsQR) is only needed where the browser has no BarcodeDetector, and the Data Integrity verifier
  // (jsonld, rdf-canonize, contexts) only when an offline station scans such a credential: separate chunks, on demand.
  splitting: true,
  platform: 'browser',
  target: ['chrome109', 'edge109', 'firefox115', 'safari15.4'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: join(web, 'tsconfig.json'),
  define: { 'process.env.NODE_ENV': JSON.stringify(dev ? 'development' : 'production') },
  minify: !dev,
  sourcemap: 'linked',
  legalComments: 'linked',
  entryNames: '[name]-[hash]',
  chunkNames: 'chunks/[name]-[hash]',
  assetNames: 'assets/[name]-[hash]',
  outdir,
  metafile: true,
  logLevel: 'warning',
});

// The entry's script and stylesheet, as named in this build.
const outputs = Object.entries(result.metafile.outputs);
const entry = outputs.find(([, o]) => o.entryPoint !== undefined && o.entryPoint.endsWith('src/main.tsx'));
if (!entry) throw new Error('esbuild produced no entry output');
const script = relative(outdir, resolve(root, entry[0])).split('\\').join('/');
const stylesheet = entry[1].cssBundle ? relative(outdir, resolve(root, entry[1].cssBundle)).split('\\').join('/') : undefined;
if (!stylesheet) throw new Error('the web app has no stylesheet (apps/web/src/main.tsx must import styles.css)');

copyFileSync(join(web, 'icon.svg'), join(outdir, 'icon.svg'));
copyFileSync(join(web, 'manifest.webmanifest'), join(outdir, 'manifest.webmanifest'));

// The service worker (apps/web/src/offline/sw.ts): not hashed (its URL is its identity), and told what to cache:
// this build's code, styles and icons. Its version changes with them, so a new build replaces the old cache.
const precache = [
  ...outputs.map(([file]) => relative(outdir, resolve(root, file)).split('\\').join('/')).filter((f) => !f.endsWith('.map') && !f.endsWith('.LEGAL.txt')),
  'icon.svg',
  'manifest.webmanifest',
  'index.html',
];
const version = createHash('sha256').update(precache.join('\n')).digest('hex').slice(0, 12);
await build({
  absWorkingDir: root,
  entryPoints: [join(web, 'src/offline/sw.ts')],
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome109', 'edge109', 'firefox115', 'safari15.4'],
  tsconfig: join(web, 'tsconfig.json'),
  define: { __PRECACHE__: JSON.stringify(precache), __VERSION__: JSON.stringify(version) },
  minify: !dev,
  outfile: join(outdir, 'sw.js'),
  logLevel: 'warning',
});
const html = readFileSync(join(web, 'index.html'), 'utf8').replace('%SCRIPT%', script).replace('%STYLESHEET%', stylesheet);
writeFileSync(join(outdir, 'index.html'), html);
console.log(`web app built into ${relative(root, outdir) || basename(outdir)} (${script}, ${stylesheet})`);
