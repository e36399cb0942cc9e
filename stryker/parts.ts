// The parts of the verification core that `npm run mutate` mutation-tests, one Stryker run each:
// the files mutated and the jest test files that may kill their mutants (kept to the package's own
// fast unit tests, so a run fits on a 2-core machine).
export interface MutationPart {
  /** Globs of the files to mutate. */
  mutate: string[];
  /** jest roots holding the tests that may kill their mutants. */
  tests: string[];
  /** Test files (regexps) left out. */
  ignoreTests: string[];
  /** Environment for the test runs of this part (a default: the caller's environment wins). */
  env?: Record<string, string>;
}

export const PARTS: Record<string, MutationPart> = {
  tlog: {
    mutate: ['packages/tlog/src/**/*.ts', '!packages/tlog/src/__tests__/**'],
    tests: ['<rootDir>/packages/tlog/src/__tests__'],
    // Reads the sources to check they import nothing from Node; Stryker's instrumented copies
    // carry its own runtime header, so this test is not one that can judge a mutant.
    ignoreTests: ['purity\\.test\\.ts$'],
    // properties.test.ts checks every proof of every tree up to size 70, ~10 s per mutant here;
    // sizes 1..33 (every shape up to a 32-leaf perfect tree plus one) cost a tenth of that.
    env: { TLOG_PROPERTY_MAX_SIZE: '33' },
  },
  client: {
    mutate: [
      'packages/client/src/verifier.ts',
      'packages/client/src/fast-note-verifier.ts',
      'packages/client/src/state.ts',
    ],
    tests: ['<rootDir>/packages/client/src/__tests__'],
    ignoreTests: ['http-transport\\.test\\.ts$'],
  },
  trust: {
    mutate: ['packages/trust/src/policy/**/*.ts', 'packages/trust/src/resolve.ts'],
    tests: ['<rootDir>/packages/trust/src/__tests__'],
    ignoreTests: [],
  },
  map: {
    // The lookup map's proofs and values (what completeness rests on); its tree too, since
    // proofs are generated from it and checked against independent roots.
    mutate: ['packages/map/src/**/*.ts', '!packages/map/src/__tests__/**'],
    tests: ['<rootDir>/packages/map/src/__tests__'],
    // purity reads the sources (see tlog); python runs a second verifier, slow per mutant.
    ignoreTests: ['purity\\.test\\.ts$', 'python\\.test\\.ts$'],
  },
  auth: {
    mutate: ['packages/server/src/auth/**/*.ts', '!packages/server/src/auth/__tests__/**'],
    tests: ['<rootDir>/packages/server/src/auth/__tests__'],
    ignoreTests: [],
  },
};
