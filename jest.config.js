// Tests run as native ESM on the repo's own Node 24 (see package.json "test:jest"); ts-jest only
// transpiles (isolatedModules), the root `tsc` run does the type checking.
import { existsSync } from 'node:fs';

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['packages', 'test', 'actions', 'bench']
    .filter((d) => existsSync(d))
    .map((d) => `<rootDir>/${d}`),
  testMatch: ['**/__tests__/**/*.test.ts', '**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.jest.json' }],
  },
  reporters: ['default', '<rootDir>/scripts/jest-totals-reporter.cjs'],
  testTimeout: 30000,
};
