/**
 * Every entry point refuses a Node.js that cannot run it with one line and exit 10, instead of
 * ERR_UNKNOWN_BUILTIN_MODULE (node:sqlite) and a stack. Run with the machine's own Node 20
 * (/usr/bin/node), not the repository's Node 24.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { bundles, MIN_NODE } from '../scripts/build.ts';

const OLD_NODE = process.env.NOTARIZE_OLD_NODE ?? '/usr/bin/node';
const oldVersion = existsSync(OLD_NODE)
  ? spawnSync(OLD_NODE, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim()
  : '';

describe(`the bundles on Node.js ${oldVersion || '(none at /usr/bin/node)'}`, () => {
  test('the machine has a Node.js older than the minimum to run them with', () => {
    // Without one this test proves nothing: fail rather than pass silently.
    const [major, minor] = oldVersion.split('.').map(Number) as [number, number];
    const [minMajor, minMinor] = MIN_NODE.split('.').map(Number) as [number, number];
    expect(oldVersion).not.toBe('');
    expect(major < minMajor || (major === minMajor && minor < minMinor)).toBe(true);
  });

  test.each(Object.keys(bundles))(
    'dist/%s/index.js: one line naming both versions, exit 10',
    (name) => {
      const result = spawnSync(OLD_NODE, [path.resolve('dist', name, 'index.js'), '--version'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH },
      });
      const message = `notarize needs Node.js >= ${MIN_NODE} (found ${oldVersion})`;
      expect(result.status).toBe(10);
      const said = `${result.stdout}${result.stderr}`;
      expect(said).toBe(name === 'cli' ? `${message}\n` : `::error::${message}\n`);
      expect(said).not.toContain('ERR_UNKNOWN_BUILTIN_MODULE');
    },
  );

  test('the repository Node.js still runs them', () => {
    const result = spawnSync(process.execPath, [path.resolve('dist/cli/index.js'), '--version'], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
