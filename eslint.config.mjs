// Only rules that catch real defects: unawaited promises, promises where a callback's result is ignored, `any`,
// loose equality, value imports of types, and the library boundaries (docs/architecture.md). Formatting is prettier's job.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import boundaries from './eslint-rules/boundaries.mjs';

const DATABASE_PACKAGES = {
  paths: [
    { name: 'typeorm', message: 'Reach PostgreSQL through @app/db (Database, Transaction, repositories).' },
    { name: '@nestjs/typeorm', message: 'Reach PostgreSQL through @app/db (Database, Transaction, repositories).' },
    { name: 'pg', message: 'Reach PostgreSQL through @app/db (Database, Transaction, repositories).' },
  ],
  patterns: [{ group: ['typeorm/*', '@nestjs/typeorm/*', 'pg/*'], message: 'Reach PostgreSQL through @app/db.' }],
};

export default defineConfig(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', '**/*.d.ts', '**/*.js', '**/*.mjs', '**/*.cjs'],
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parser: tseslint.parser,
      // Each file is checked with the nearest tsconfig.json (apps/web has its own).
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { '@typescript-eslint': tseslint.plugin, boundaries },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // A promise-returning onClick/onSubmit handler is fine: the component does not await it.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-explicit-any': 'error',
      // The prevailing style: `import type { A }` or `import { b, type C }`, so type-only imports vanish from the build.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'boundaries/imports': 'error',
    },
  },
  {
    // TypeORM and pg stay inside @app/db; tests and benchmarks set up and inspect databases directly.
    files: ['apps/**/*.ts', 'apps/**/*.tsx', 'libs/**/*.ts'],
    ignores: ['libs/db/**', '**/*.spec.ts'],
    rules: { 'no-restricted-imports': ['error', DATABASE_PACKAGES] },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
