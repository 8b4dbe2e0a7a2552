import type { Config } from 'jest';

const transform: Config['transform'] = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
};

const shared = { transform, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'], setupFiles: ['<rootDir>/test/helpers/quiet-env.ts'] };

/**
 * Three projects: fast unit tests, marble specs in virtual time, and integration/e2e tests that
 * need the real servers from test/services (started once by the global setup) and the built CLI.
 */
const config: Config = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    // config/examples/: the example projects' own specs (a custom stage and its marble spec), so CI runs them as written.
    { ...shared, displayName: 'marbles', testMatch: ['<rootDir>/marbles/**/*.spec.ts', '<rootDir>/config/examples/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/services/jest-global-setup.ts',
      globalTeardown: '<rootDir>/test/services/jest-global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/integration/setup-timeout.ts'],
    },
  ],
};

export default config;
