// `node scripts/release.ts tag [--push REMOTE]`: tags the checked-out commit as the release of
// package.json's version — `vX.Y.Z` (annotated, never moved) and the major tag `vX` moved to it
// (what workflows pin: `uses: notarize-dev/notarize-action@v1`). Refuses a dirty tree, a version
// that is not X.Y.Z, a CHANGELOG without a `## [X.Y.Z]` section, packages whose versions differ,
// and a `vX.Y.Z` that already exists. The release workflow runs it after the build and dist check.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';

export class ReleaseError extends Error {
  readonly code:
    'DIRTY' | 'VERSION_INVALID' | 'VERSION_MISMATCH' | 'CHANGELOG_MISSING' | 'TAG_EXISTS';
  constructor(code: ReleaseError['code'], message: string) {
    super(message);
    this.name = 'ReleaseError';
    this.code = code;
  }
}

const git = (cwd: string, args: string[]): string =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

const versionOf = (file: string): string =>
  (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;

/** Checks the repository in `root` and returns the tags to create: [vX.Y.Z, vX]. */
export function releaseTags(root: string): { version: string; tag: string; major: string } {
  if (git(root, ['status', '--porcelain']) !== '') {
    throw new ReleaseError(
      'DIRTY',
      'the working tree has uncommitted changes: commit or stash them',
    );
  }
  const version = versionOf(path.join(root, 'package.json'));
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!m) {
    throw new ReleaseError('VERSION_INVALID', `package.json version "${version}" is not X.Y.Z`);
  }
  const packages = path.join(root, 'packages');
  const others = existsSync(packages)
    ? readdirSync(packages)
        .map((p) => path.join(packages, p, 'package.json'))
        .filter((f) => existsSync(f))
    : [];
  const differing = others.filter((f) => versionOf(f) !== version);
  if (differing.length > 0) {
    throw new ReleaseError(
      'VERSION_MISMATCH',
      `one version for the repository: ${differing.map((f) => path.relative(root, f)).join(', ')} ` +
        `differ from ${version}`,
    );
  }
  const changelog = path.join(root, 'CHANGELOG.md');
  if (!existsSync(changelog) || !readFileSync(changelog, 'utf8').includes(`\n## [${version}]`)) {
    throw new ReleaseError(
      'CHANGELOG_MISSING',
      `CHANGELOG.md has no "## [${version}]" section: write the release notes first`,
    );
  }
  const tag = `v${version}`;
  if (git(root, ['tag', '--list', tag]) !== '') {
    throw new ReleaseError(
      'TAG_EXISTS',
      `${tag} exists: a release tag is never moved; bump the version`,
    );
  }
  return { version, tag, major: `v${m[1]}` };
}

/** Creates the tags on HEAD (and pushes them, moving the major tag on the remote too). */
export function tagRelease(root: string, push?: string): { tag: string; major: string } {
  const { version, tag, major } = releaseTags(root);
  git(root, ['tag', '--annotate', tag, '--message', `notarize-action ${version}`]);
  git(root, ['tag', '--force', '--annotate', major, '--message', `notarize-action ${version}`]);
  if (push) {
    git(root, ['push', push, `refs/tags/${tag}`]);
    git(root, ['push', '--force', push, `refs/tags/${major}`]);
  }
  return { tag, major };
}

if (import.meta.main) {
  const [command, flag, remote] = process.argv.slice(2);
  if (command !== 'tag' || (flag !== undefined && (flag !== '--push' || !remote))) {
    console.error('usage: node scripts/release.ts tag [--push REMOTE]');
    process.exit(10);
  }
  try {
    const { tag, major } = tagRelease(process.cwd(), remote);
    console.log(`tagged ${tag} and moved ${major} to it${remote ? ` (pushed to ${remote})` : ''}`);
  } catch (error) {
    if (!(error instanceof ReleaseError)) throw error;
    console.error(`release: error ${error.code}: ${error.message}`);
    process.exit(10);
  }
}
