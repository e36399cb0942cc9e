/**
 * The CLI as users get it from npm: `npm pack` of this repository holds only what runs (the
 * bundle, its notices, the license and docs), installs into an empty directory without fetching
 * anything (the bundle has no dependencies), and the installed `notarize` works on Node 24 —
 * `--version`, `digest`, `trust` and `status` on a `file:` ledger — and refuses Node 20 cleanly.
 * `npm publish --dry-run` accepts it.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const pexecFile = promisify(execFile);
const ROOT = path.resolve('.');
const NODE_DIR = path.dirname(path.resolve('node_modules/.bin/node'));
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  name: string;
  version: string;
  private?: boolean;
  bin: Record<string, string>;
  engines: { node: string };
  repository: { url: string };
};

let tmp: string;
let tarball: string;
let packed: { path: string }[];
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'notarize-pack-'));
  const env = { ...process.env, npm_config_loglevel: 'error' };
  const { stdout } = await pexecFile('npm', ['pack', '--json', '--pack-destination', tmp], {
    cwd: ROOT,
    env,
    maxBuffer: 16 << 20,
  });
  const [report] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(tmp, report!.filename);
  packed = report!.files;
}, 120_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

test('package.json is publishable: bin, engines, repository, no private', () => {
  expect(pkg.private).toBeUndefined();
  expect(pkg.bin).toEqual({ notarize: 'dist/cli/index.js' });
  expect(pkg.engines.node).toBe('>=22.19');
  expect(pkg.repository.url).toMatch(/github\.com\/.+\/notarize-action/);
  expect(pkg).not.toHaveProperty('dependencies');
});

test('the tarball holds only what runs', () => {
  expect(packed.map((f) => f.path).sort()).toEqual([
    'CHANGELOG.md',
    'LICENSE',
    'README.md',
    'dist/THIRD_PARTY_NOTICES.md',
    'dist/cli/index.js',
    'dist/cli/main.js',
    'dist/cli/main.js.map',
    'dist/cli/package.json',
    'package.json',
  ]);
});

describe('installed from the tarball into an empty directory', () => {
  let app: string;
  let bin: string;
  const run = (args: string[], nodeDir = NODE_DIR) =>
    pexecFile(bin, args, {
      cwd: app,
      // The bin's `#!/usr/bin/env node` finds the Node.js first on PATH.
      env: { PATH: `${nodeDir}:${process.env.PATH}`, HOME: app },
    }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  beforeAll(async () => {
    app = path.join(tmp, 'app');
    await mkdir(app);
    await writeFile(path.join(app, 'package.json'), '{ "name": "app", "private": true }\n');
    // --offline: an install that needed the registry fails here.
    await pexecFile(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball],
      { cwd: app, env: { ...process.env, npm_config_loglevel: 'error' } },
    );
    bin = path.join(app, 'node_modules', '.bin', 'notarize');
    await writeFile(path.join(app, 'app.txt'), 'app\n');
  }, 120_000);

  test('installs nothing but itself', () => {
    expect(existsSync(bin)).toBe(true);
    const lock = JSON.parse(readFileSync(path.join(app, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, unknown>;
    };
    expect(Object.keys(lock.packages).sort()).toEqual(['', `node_modules/${pkg.name}`]);
  });

  test('notarize --version, digest, trust and status on a file: ledger (Node 24)', async () => {
    expect(await run(['--version'])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const digest = await run(['digest', 'app.txt']);
    expect(digest.code).toBe(0);
    expect(digest.stdout).toContain(
      'sha256:8a8f60ecb09b7e64c6d5214a8043865e608507db8c3f61f995eae6d078875901',
    );
    const ledger = `file:${path.join(app, 'ledger')}`;
    expect((await run(['status', 'app.txt', '--ledger', ledger])).code).toBe(10); // no ledger yet
    const trust = await run(['trust', 'app.txt', '--as', 'ci', '--ledger', ledger]);
    expect(trust.code).toBe(0);
    const status = await run(['status', 'app.txt', '--ledger', ledger]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/app\.txt\s+sha256:8a8f60ec\S+\s+allow\s+0\s+ci=trusted/);
  }, 60_000);

  test('refuses the machine Node 20 with one line and exit 10', async () => {
    const result = await run(['--version'], '/usr/bin');
    expect(result.code).toBe(10);
    expect(result.stderr).toMatch(/^notarize needs Node\.js >= 22\.19 \(found 20\.\d+\.\d+\)\n$/);
  });
});

test('npm publish --dry-run accepts the package', async () => {
  const { stderr, stdout } = await pexecFile('npm', ['publish', '--dry-run', '--json'], {
    cwd: ROOT,
    env: { ...process.env, npm_config_loglevel: 'notice' },
    maxBuffer: 16 << 20,
  });
  expect(`${stdout}${stderr}`).toContain(`${pkg.name}@${pkg.version}`);
}, 120_000);
