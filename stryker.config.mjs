// StrykerJS for the verification core (see docs/mutation-testing.md). One part per run, chosen
// with MUTATE_PART (scripts/mutate.ts runs them all); `npm run mutate -- tlog client` runs some.
import { PARTS } from './stryker/parts.ts';

const name = process.env.MUTATE_PART ?? 'tlog';
const part = PARTS[name];
if (!part)
  throw new Error(`unknown MUTATE_PART "${name}"; one of ${Object.keys(PARTS).join(', ')}`);
// The test runners are child processes of this one and inherit its environment.
for (const [key, value] of Object.entries(part.env ?? {})) process.env[key] ??= value;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  mutate: part.mutate,
  testRunner: 'jest',
  // jest runs as native ESM (package.json "test:jest"); the runner must too.
  testRunnerNodeArgs: ['--experimental-vm-modules', '--disable-warning=ExperimentalWarning'],
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    enableFindRelatedTests: false,
    config: {
      roots: part.tests,
      // MUTATE_SKIP_TESTS (a regexp) leaves more test files out, for a quicker partial run.
      testPathIgnorePatterns: [
        '/node_modules/',
        '/dist/',
        ...part.ignoreTests,
        ...(process.env.MUTATE_SKIP_TESTS ? [process.env.MUTATE_SKIP_TESTS] : []),
      ],
      reporters: ['default'],
    },
  },
  coverageAnalysis: 'perTest',
  checkers: ['typescript'],
  // The TypeScript checker type-checks each mutant; only the part's own package (and what it
  // imports), not the whole repo, or checking costs as much as testing.
  tsconfigFile: `stryker/tsconfig.${name}.json`,
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  concurrency: Number(process.env.MUTATE_CONCURRENCY ?? 2),
  timeoutMS: 20000,
  // Static mutants (module-level constants) make every test run for each of them; the report
  // says how many were ignored (docs/mutation-testing.md).
  ignoreStatic: true,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  tempDirName: `.stryker-tmp/${name}`,
  cleanTempDir: true,
  ignorePatterns: [
    '.stryker-tmp',
    'dist',
    'reports',
    'bench',
    'deploy',
    'templates',
    'docs',
    '.ci',
  ],
  thresholds: { high: 90, low: 80, break: null },
};
