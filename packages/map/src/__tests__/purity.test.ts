// The package must run in browsers: no node:* (or bare Node built-in) imports in its sources.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const srcDir = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const sources = readdirSync(srcDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && !f.startsWith('__tests__'))
  .map((f) => [f, readFileSync(join(srcDir, f), 'utf8')] as const);

describe('browser safety', () => {
  it('finds the sources', () => {
    expect(sources.map(([f]) => f)).toEqual(expect.arrayContaining(['index.ts', 'tree.ts']));
  });

  it.each(sources)(
    '%s imports only @noble/hashes, @notarize/tlog and its siblings',
    (_file, text) => {
      const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map(
        (m) => m[1]!,
      );
      for (const s of specifiers)
        // @notarize/tlog is browser-safe itself (its own purity test), and holds the one base64.
        expect(s.startsWith('./') || s.startsWith('@noble/hashes/') || s === '@notarize/tlog').toBe(
          true,
        );
      expect(text).not.toMatch(/\bBuffer\b|\bprocess\.|\brequire\(/);
    },
  );
});
