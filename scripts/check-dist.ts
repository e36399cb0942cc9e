// Fails when the committed dist/ differs from what the sources build to now: a file that differs,
// one missing, or one a fresh build no longer makes.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildAll } from './build.ts';

async function files(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}

const tmp = await mkdtemp(path.join(os.tmpdir(), 'notarize-dist-'));
try {
  const built = await buildAll(tmp);
  const stale: string[] = [];
  const fresh = await files(tmp);
  for (const file of fresh) {
    const committed = path.join('dist', file);
    const content = await readFile(path.join(tmp, file));
    if (!existsSync(committed) || !content.equals(await readFile(committed))) stale.push(committed);
  }
  const extra = (await files('dist')).filter((f) => !fresh.includes(f));
  stale.push(...extra.map((f) => `${path.join('dist', f)} (no longer built)`));
  if (stale.length > 0) {
    console.error(`dist/ is stale: ${stale.join(', ')} differ from a fresh build.`);
    console.error('Run `npm run build` and commit dist/.');
    process.exit(1);
  }
  console.log(`dist/ is fresh (${built.join(', ')})`);
} finally {
  await rm(tmp, { recursive: true, force: true });
}
