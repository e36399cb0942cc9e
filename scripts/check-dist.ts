// Fails when the committed dist/ bundles differ from what the sources build to now.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildAll } from './build.ts';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'notarize-dist-'));
try {
  const built = await buildAll(tmp);
  const stale: string[] = [];
  for (const name of built) {
    for (const file of await readdir(path.join(tmp, name))) {
      const fresh = await readFile(path.join(tmp, name, file));
      const committed = path.join('dist', name, file);
      if (!existsSync(committed) || !fresh.equals(await readFile(committed))) stale.push(committed);
    }
  }
  if (stale.length > 0) {
    console.error(`dist/ is stale: ${stale.join(', ')} differ from a fresh build.`);
    console.error('Run `npm run build` and commit dist/.');
    process.exit(1);
  }
  console.log(`dist/ is fresh (${built.join(', ')})`);
} finally {
  await rm(tmp, { recursive: true, force: true });
}
