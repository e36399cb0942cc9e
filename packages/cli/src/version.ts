/** The release version: one for the repository (package.json; test/release.test.ts keeps them equal). */
export const VERSION = '0.1.0';
