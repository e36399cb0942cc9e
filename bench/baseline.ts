/**
 * The engine before the lookup map, for "with the map vs without" rows measured in the same run
 * on the same machine. Materializes the packages of BASELINE_COMMIT (round 1's last engine) from
 * git into .bench-baseline/ at the repository's root (ignored by git and the linters, outside
 * jest's roots; third-party modules resolve from the repository's node_modules, and Node strips
 * TypeScript types only outside node_modules) with module links like the workspace's, so
 * a benchmark can import its `Ledger`, clients and gate side by side with today's.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, symlink } from 'node:fs/promises';
import path from 'node:path';

export const BASELINE_COMMIT = 'f640e55523ad2d19ec50d6c9c14c604ca25d9256';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** The baseline's root directory (created on first use). */
export async function baselineRoot(): Promise<string> {
  const root = path.join(repo, '.bench-baseline', BASELINE_COMMIT);
  if (existsSync(path.join(root, 'ready'))) return root;
  await mkdir(root, { recursive: true });
  const archive = execFileSync(
    'git',
    ['-C', repo, 'archive', BASELINE_COMMIT, 'packages', 'dist/cli'],
    {
      maxBuffer: 1 << 30,
    },
  );
  execFileSync('tar', ['-x', '-C', root], { input: archive });
  // Workspace links: @notarize/* to the baseline's packages; third-party modules resolve from
  // the repository's node_modules above (and each package's own, linked here).
  await mkdir(path.join(root, 'node_modules', '@notarize'), { recursive: true });
  for (const name of await readdir(path.join(root, 'packages'))) {
    await symlink(
      path.join(root, 'packages', name),
      path.join(root, 'node_modules', '@notarize', name),
    );
    const own = path.join(repo, 'packages', name, 'node_modules');
    if (existsSync(own)) await symlink(own, path.join(root, 'packages', name, 'node_modules'));
  }
  execFileSync('touch', [path.join(root, 'ready')]);
  return root;
}

/** Imports a module of the baseline (e.g. `packages/ledger/src/index.ts`). */
export async function importBaseline<T>(file: string): Promise<T> {
  return (await import(path.join(await baselineRoot(), file))) as T;
}
