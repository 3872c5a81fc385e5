/**
 * Library boundaries for relative and `@app/...` import paths (bare package names are restricted with
 * no-restricted-imports in eslint.config.mjs):
 * - another library only through `@app/<lib>`, never `@app/<lib>/<anything>` but a framework-free entry it publishes
 *   (FRAMEWORK_FREE_ENTRIES);
 * - a file of libs/<lib>/src never reaches outside that folder with a relative path (no other library, no app);
 * - a file of apps/<app> never reaches outside apps/<app> with a relative path, except another app's src/index.ts
 *   and the browser-safe library modules the web app bundles (it cannot import `@app/<lib>` without bundling Nest);
 * - unit tests (`*.spec.ts`) may use test/'s fixtures and helpers.
 */
import { dirname, relative, resolve, sep } from 'node:path';

const root = dirname(import.meta.dirname);

/**
 * Second entries of a library, for code that must not load its framework modules (Nest, the database, PDF): each is
 * mapped in tsconfig.json, .swcrc and jest.config.js. The CLI's offline recomputation starts in a tenth of a second
 * through them instead of well over one (docs/benchmarks.md).
 */
const FRAMEWORK_FREE_ENTRIES = new Set(['@app/audit/bundle', '@app/time-records/offline']);

/** Framework-free library modules that apps/web may import by relative path. */
const WEB_SHARED = new Set([
  'libs/realtime/src/live-events',
  'libs/realtime/src/live-protocol',
  'libs/realtime/src/client/live-client',
  'libs/credentials/src/verification-result',
  'libs/incidents/src/deployments/ics211',
  // the offline station (docs/offline.md): WebCrypto only
  'libs/credentials/src/offline/pack-verifier',
  // its Data Integrity chunk (jsonld, rdf-canonize), loaded on demand
  'libs/credentials/src/offline/offline-data-integrity',
  'libs/offline/src/devices/device-log',
  'libs/offline/src/pack/incident-pack',
  'libs/offline/src/pack/verify-incident-pack',
]);

const posix = (path) => path.split(sep).join('/');

/** The folder a file may reach with relative imports, and what it is: { kind: 'lib' | 'app', name, base } or undefined. */
function unitOf(file) {
  const lib = /^libs\/([^/]+)\/src\//.exec(file);
  if (lib) return { kind: 'lib', name: lib[1], base: `libs/${lib[1]}/src/` };
  const app = /^apps\/([^/]+)\//.exec(file);
  if (app) return { kind: 'app', name: app[1], base: `apps/${app[1]}/` };
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
const importsRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Libraries are imported through @app/<lib> only; a library imports no app.' },
    schema: [],
    messages: {
      deep: "Import '{{lib}}' through '@app/{{lib}}', not '{{source}}': only what its index exports is public.",
      library: "Import the library '{{lib}}' through '@app/{{lib}}', not by relative path ('{{source}}').",
      app: "A library does not import an app ('{{source}}').",
      otherApp: "An app imports another app only through its src/index.ts ('{{source}}').",
      escape: "'{{source}}' leaves {{base}}.",
    },
  },
  create(context) {
    const file = posix(relative(root, context.filename));
    const unit = unitOf(file);

    function check(node, source) {
      if (typeof source !== 'string') return;
      const deep = /^@app\/([^/]+)\/.+/.exec(source);
      if (deep && !FRAMEWORK_FREE_ENTRIES.has(source)) {
        context.report({ node, messageId: 'deep', data: { lib: deep[1], source } });
        return;
      }
      if (!unit || !source.startsWith('.')) return;
      const target = posix(relative(root, resolve(root, dirname(file), source)));
      if (`${target}/`.startsWith(unit.base)) return;
      // Unit tests next to the code share the fixtures and helpers of test/.
      if (/\.spec\.tsx?$/.test(file) && target.startsWith('test/')) return;
      if (unit.kind === 'app' && unit.name === 'web' && WEB_SHARED.has(target)) return;
      const lib = /^libs\/([^/]+)(\/|$)/.exec(target);
      if (lib) return context.report({ node, messageId: 'library', data: { lib: lib[1], source } });
      if (target.startsWith('apps/')) {
        // An app may start another one (the demo runs the issuer) through that app's src/index.ts, nothing deeper.
        if (unit.kind === 'app' && /^apps\/[^/]+\/src$/.test(target)) return;
        return context.report({ node, messageId: unit.kind === 'lib' ? 'app' : 'otherApp', data: { source } });
      }
      context.report({ node, messageId: 'escape', data: { source, base: unit.base } });
    }

    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

export default { meta: { name: 'boundaries' }, rules: { imports: importsRule } };
