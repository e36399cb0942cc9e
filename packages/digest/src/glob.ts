import { glob } from 'node:fs/promises';
import { DigestError } from './errors.ts';

const GLOB_CHARS = /[*?[\]{}]/;

/** True when `s` holds glob syntax (`*`, `?`, `[...]`, `{a,b}`). */
export const hasGlobSyntax = (s: string): boolean => GLOB_CHARS.test(s);

/**
 * Expands a glob with node's fs.glob, relative to `cwd`; matches come back as fs.glob reports them
 * (relative for a relative pattern), sorted by their bytes so that output is stable. A pattern that
 * matches nothing is an error: in CI it almost always means the build did not produce its output.
 */
export async function expandGlob(pattern: string, cwd: string): Promise<string[]> {
  const matches: string[] = [];
  for await (const match of glob(pattern, { cwd })) matches.push(match);
  if (matches.length === 0) {
    throw new DigestError(
      'DIGEST_NO_MATCH',
      `${pattern}: the pattern matches no file (relative to ${cwd}); check the pattern and that the files exist`,
    );
  }
  return matches.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
