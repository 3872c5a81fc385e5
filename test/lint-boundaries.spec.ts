/**
 * The library boundary rules of eslint.config.mjs, on snippets linted as if they were files of the repository.
 * ESLint loads its ESM config with import(), which jest's CommonJS runtime cannot do, so a child node process lints.
 * Type-aware rules are switched off there: they need the files on disk and are not what is checked here.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..');

interface Snippet {
  filePath: string;
  code: string;
}

const LINT = `
import { ESLint } from 'eslint';
const snippets = JSON.parse(await new Promise((resolve) => { let s = ''; process.stdin.on('data', (d) => (s += d)); process.stdin.on('end', () => resolve(s)); }));
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-misused-promises': 'off',
      '@typescript-eslint/consistent-type-imports': 'off',
    },
  },
});
const results = [];
for (const { code, filePath } of snippets) {
  const [result] = await eslint.lintText(code, { filePath });
  results.push(result.messages.map((m) => m.ruleId + ': ' + m.message));
}
process.stdout.write(JSON.stringify(results));
`;

function lint(snippets: Snippet[]): string[][] {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', LINT], { cwd: root, input: JSON.stringify(snippets), encoding: 'utf8' });
  return JSON.parse(out) as string[][];
}

const LIB_FILE = 'libs/credentials/src/status/boundary-probe.ts';
const APP_FILE = 'apps/cli/src/commands/boundary-probe.ts';

const cases: Array<{ name: string; snippet: Snippet; expected: RegExp | null }> = [
  {
    name: 'a library imports another through @app/<lib>',
    snippet: { filePath: LIB_FILE, code: "import { ERROR_STATUS } from '@app/common';\nexport const s = ERROR_STATUS;\n" },
    expected: null,
  },
  {
    name: 'a library imports its own files by relative path',
    snippet: { filePath: LIB_FILE, code: "export * from '../verification-result';\n" },
    expected: null,
  },
  {
    name: 'a deep import into another library',
    snippet: { filePath: LIB_FILE, code: "import { x } from '@app/common/src/http/json-body-guard';\nexport const y = x;\n" },
    expected: /boundaries\/imports: Import 'common' through '@app\/common'/,
  },
  {
    name: "a library's framework-free entry",
    snippet: { filePath: LIB_FILE, code: "import { parseBundle } from '@app/audit/bundle';\nexport const p = parseBundle;\n" },
    expected: null,
  },
  {
    name: 'a deep import named like a framework-free entry of another library',
    snippet: { filePath: LIB_FILE, code: "import { x } from '@app/audit/verification/audit-bundle';\nexport const y = x;\n" },
    expected: /boundaries\/imports: Import 'audit' through '@app\/audit'/,
  },
  {
    name: 'a relative import of another library',
    snippet: { filePath: LIB_FILE, code: "import { x } from '../../../common/src/http/json-body-guard';\nexport const y = x;\n" },
    expected: /boundaries\/imports: Import the library 'common' through '@app\/common'/,
  },
  {
    name: 'a library importing an app',
    snippet: { filePath: LIB_FILE, code: "import { runCli } from '../../../../apps/cli/src/cli';\nexport const y = runCli;\n" },
    expected: /boundaries\/imports: A library does not import an app/,
  },
  {
    name: 'an app importing a library by relative path',
    snippet: { filePath: APP_FILE, code: "import { x } from '../../../../libs/common/src';\nexport const y = x;\n" },
    expected: /boundaries\/imports: Import the library 'common' through '@app\/common'/,
  },
  {
    name: 'an app importing a library through @app/<lib>',
    snippet: { filePath: APP_FILE, code: "import { x } from '@app/common';\nexport const y = x;\n" },
    expected: null,
  },
  {
    name: 'TypeORM outside @app/db',
    snippet: { filePath: LIB_FILE, code: "import { DataSource } from 'typeorm';\nexport const y = DataSource;\n" },
    expected: /no-restricted-imports: 'typeorm' import is restricted/,
  },
  {
    name: 'pg outside @app/db',
    snippet: { filePath: APP_FILE, code: "import { Client } from 'pg';\nexport const y = Client;\n" },
    expected: /no-restricted-imports: 'pg' import is restricted/,
  },
  {
    name: 'TypeORM inside @app/db',
    snippet: { filePath: 'libs/db/src/boundary-probe.ts', code: "import { DataSource } from 'typeorm';\nexport const y = DataSource;\n" },
    expected: null,
  },
];

describe('lint: library boundaries', () => {
  let results: string[][];
  beforeAll(() => {
    results = lint(cases.map((c) => c.snippet));
  });

  it.each(cases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const { expected } = cases[i];
    if (expected === null) expect(results[i]).toEqual([]);
    else expect(results[i]).toEqual([expect.stringMatching(expected)]);
  });
});
