/**
 * Releases: one version for the repository, and the tagging the release workflow does
 * (scripts/release.ts), run as a process on a scratch clone with a bare "origin": `vX.Y.Z` is
 * created and pushed, the major tag `vX` moves with each release of that major, a second major
 * leaves the first's tag where it was, and every refusal leaves the tags untouched.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { VERSION } from '../packages/cli/src/version.ts';

const NODE = process.execPath;
const SCRIPT = path.resolve('scripts/release.ts');
const version = (file: string) =>
  (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;

test('one version: package.json, every workspace package and the CLI', () => {
  const root = version('package.json');
  expect(root).toMatch(/^\d+\.\d+\.\d+$/);
  for (const p of readdirSync('packages')) {
    expect([p, version(path.join('packages', p, 'package.json'))]).toEqual([p, root]);
  }
  expect(VERSION).toBe(root);
  expect(readFileSync('CHANGELOG.md', 'utf8')).toContain('## [Unreleased]');
});

describe('scripts/release.ts tag --push origin, on a scratch clone', () => {
  let tmp: string;
  let clone: string;
  let origin: string;
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const release = () =>
    spawnSync(NODE, [SCRIPT, 'tag', '--push', 'origin'], { cwd: clone, encoding: 'utf8' });
  const commitVersion = async (v: string, changelog = true) => {
    await writeFile(path.join(clone, 'package.json'), JSON.stringify({ name: 'x', version: v }));
    await writeFile(
      path.join(clone, 'packages', 'a', 'package.json'),
      JSON.stringify({ name: '@x/a', version: v }),
    );
    const notes = changelog ? `## [${v}]\n\n- release ${v}\n` : '';
    await writeFile(path.join(clone, 'CHANGELOG.md'), `# Changelog\n\n${notes}`);
    git(clone, 'add', '-A');
    git(clone, 'commit', '-qm', `release ${v}`);
    return git(clone, 'rev-parse', 'HEAD');
  };
  const tagged = (repo: string, tag: string) => git(repo, 'rev-parse', `${tag}^{commit}`);

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'notarize-release-'));
    origin = path.join(tmp, 'origin.git');
    clone = path.join(tmp, 'clone');
    git(tmp, 'init', '-q', '--bare', origin);
    git(tmp, 'clone', '-q', origin, clone);
    git(clone, 'config', 'user.email', 'release@example.com');
    git(clone, 'config', 'user.name', 'release');
    await mkdir(path.join(clone, 'packages', 'a'), { recursive: true });
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  test('tags v1.0.0 and v1, then moves v1 to v1.1.0; v2.0.0 leaves v1 alone', async () => {
    const first = await commitVersion('1.0.0');
    expect(release()).toMatchObject({ status: 0 });
    expect(tagged(origin, 'v1.0.0')).toBe(first);
    expect(tagged(origin, 'v1')).toBe(first);

    const second = await commitVersion('1.1.0');
    expect(release()).toMatchObject({
      status: 0,
      stdout: 'tagged v1.1.0 and moved v1 to it (pushed to origin)\n',
    });
    expect(tagged(origin, 'v1.0.0')).toBe(first);
    expect(tagged(origin, 'v1.1.0')).toBe(second);
    expect(tagged(origin, 'v1')).toBe(second);

    const third = await commitVersion('2.0.0');
    expect(release()).toMatchObject({ status: 0 });
    expect(tagged(origin, 'v2')).toBe(third);
    expect(tagged(origin, 'v1')).toBe(second);
  });

  test('refuses, with exit 10 and nothing tagged: an existing tag, a dirty tree, no notes, two versions', async () => {
    const tagsBefore = git(origin, 'tag', '--list');
    const again = release(); // 2.0.0 again
    expect(again.status).toBe(10);
    expect(again.stderr).toContain('release: error TAG_EXISTS: v2.0.0 exists');

    await writeFile(path.join(clone, 'stray.txt'), 'x');
    expect(release().stderr).toContain('error DIRTY');
    await rm(path.join(clone, 'stray.txt'));

    await commitVersion('2.1.0', false);
    expect(release().stderr).toContain('error CHANGELOG_MISSING: CHANGELOG.md has no "## [2.1.0]"');

    await writeFile(
      path.join(clone, 'package.json'),
      JSON.stringify({ name: 'x', version: '2.2.0' }),
    );
    git(clone, 'commit', '-qam', 'root only');
    const mismatch = release();
    expect(mismatch.status).toBe(10);
    expect(mismatch.stderr).toContain('error VERSION_MISMATCH');

    expect(git(origin, 'tag', '--list')).toBe(tagsBefore);
  });
});
