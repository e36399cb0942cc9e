// Bundles the CLI and the GitHub actions into dist/<name>/index.js (ESM, committed).
// `node scripts/build.ts [outDir]` builds into outDir (default dist/); check-dist.ts uses that.
import { build } from 'esbuild';
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const bundles: Record<string, string> = {
  cli: 'packages/cli/src/main.ts',
  notarize: 'actions/notarize/src/index.ts',
  gate: 'actions/gate/src/index.ts',
  evidence: 'actions/evidence/src/index.ts',
};

// ESM bundles that include CommonJS dependencies (undici, @actions/*) call `require` for Node
// built-ins; define it, or a transitive require("net") fails at run time.
const banner = [
  '#!/usr/bin/env node',
  "import { createRequire as __notarizeCreateRequire } from 'node:module';",
  'const require = __notarizeCreateRequire(import.meta.url);',
].join('\n');

export async function buildAll(outDir: string): Promise<string[]> {
  const built: string[] = [];
  for (const [name, entry] of Object.entries(bundles)) {
    if (!existsSync(entry)) continue;
    const dir = path.join(outDir, name);
    await mkdir(dir, { recursive: true });
    await build({
      entryPoints: [entry],
      outfile: path.join(dir, 'index.js'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      banner: { js: banner },
      legalComments: 'none',
      logLevel: 'warning',
      sourcemap: false,
    });
    await writeFile(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    built.push(name);
  }
  return built;
}

if (import.meta.main) {
  const outDir = process.argv[2] ?? 'dist';
  const built = await buildAll(outDir);
  console.log(`built ${built.map((b) => `${outDir}/${b}/index.js`).join(', ')}`);
}
