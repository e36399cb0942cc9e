/**
 * dist/THIRD_PARTY_NOTICES.md holds the license of every third-party package the committed
 * bundles contain. What the bundles contain is read from their source maps (every bundled file is
 * a source there), independently of how the notices were generated; each package's license text
 * is read from its own directory.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { bundles, NOTICES_FILE } from '../scripts/build.ts';

const notices = readFileSync(path.join('dist', NOTICES_FILE), 'utf8');

function bundledPackageDirs(name: string): string[] {
  const mapFile = path.join('dist', name, 'main.js.map');
  const map = JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[] };
  const dirs = new Set<string>();
  for (const source of map.sources) {
    const file = path.resolve('dist', name, source);
    const parts = file.split(path.sep);
    const at = parts.lastIndexOf('node_modules');
    if (at < 0) continue;
    const depth = parts[at + 1]!.startsWith('@') ? 3 : 2;
    dirs.add(parts.slice(0, at + depth).join(path.sep));
  }
  return [...dirs];
}

const licenseFile = (dir: string) =>
  readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt|markdown))?$/i.test(f));

describe.each(Object.keys(bundles))('dist/%s', (name) => {
  const dirs = bundledPackageDirs(name);

  test('bundles third-party packages (the source map lists them)', () => {
    expect(dirs.length).toBeGreaterThan(3);
  });

  test('every bundled package is in the notices with its license text', () => {
    const missing: string[] = [];
    for (const dir of dirs) {
      const meta = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name: string;
        version: string;
      };
      const heading = `## ${meta.name}@${meta.version} (`;
      const at = notices.indexOf(heading);
      if (at < 0) {
        missing.push(`${meta.name}@${meta.version}`);
        continue;
      }
      const file = licenseFile(dir);
      if (file && existsSync(path.join(dir, file))) {
        // The first lines of the license text appear in that package's section.
        const firstLine = readFileSync(path.join(dir, file), 'utf8')
          .split(/\r?\n/)
          .find((l) => l.trim() !== '')!
          .trim();
        const next = notices.indexOf('\n## ', at + 1);
        const section = notices.slice(at, next < 0 ? undefined : next);
        if (!section.includes(firstLine))
          missing.push(`${meta.name}@${meta.version} (license text)`);
      }
    }
    expect(missing).toEqual([]);
  });
});

test('the project license is Apache-2.0 and ships as LICENSE', () => {
  expect(readFileSync('LICENSE', 'utf8')).toContain('Apache License');
  expect(readFileSync('LICENSE', 'utf8')).toContain('Version 2.0, January 2004');
});
