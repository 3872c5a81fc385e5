// Nest 12 ships ESM only; @swc/jest compiles our TypeScript *and* node_modules' ESM to CommonJS for jest
// (transformIgnorePatterns: []), with decorator metadata, using the same .swcrc as the build.
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
};
const common = {
  transform: { '^.+\\.(t|j|mj|cj)s$': ['@swc/jest', swc] },
  transformIgnorePatterns: [],
  // The framework-free entries first (see tsconfig.json's paths), then each lib's index.
  moduleNameMapper: {
    '^@app/audit/bundle$': '<rootDir>/libs/audit/src/bundle',
    '^@app/time-records/offline$': '<rootDir>/libs/time-records/src/offline',
    '^@app/(.*)$': '<rootDir>/libs/$1/src',
  },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testEnvironment: 'node',
};
module.exports = {
  // A global option (ignored inside a project): e2e files start real servers, databases and browsers.
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts', '<rootDir>/test/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      // Scans the logs every e2e process wrote during the run for tokens, credentials and passwords (fails the run).
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
