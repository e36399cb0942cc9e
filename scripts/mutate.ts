// `npm run mutate [-- part...]`: StrykerJS over the verification core, one part after the other
// (parts in stryker/parts.mjs; default: all), then a summary of the scores per part and file in
// reports/mutation/summary.json. Slow (tens of minutes on 2 cores); not part of `npm test`.
// MUTATE_FILES=<glob>[,<glob>] narrows one part's run to some of its files.
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { formatTable, summarizeReports } from './mutation-summary.ts';

const { PARTS } = await import('../stryker/parts.ts');
const asked = process.argv.slice(2);
const unknown = asked.filter((p) => !(p in PARTS));
if (unknown.length > 0) {
  console.error(`unknown part(s) ${unknown.join(', ')}; parts: ${Object.keys(PARTS).join(', ')}`);
  process.exit(10);
}
const parts = asked.length > 0 ? asked : Object.keys(PARTS);
await mkdir('reports/mutation', { recursive: true });
const times: Record<string, number> = {};
let failed = false;
for (const part of parts) {
  const started = Date.now();
  const files = process.env.MUTATE_FILES;
  const args = ['stryker', 'run', ...(files ? ['--mutate', files] : [])];
  console.log(`mutate: ${part}${files ? ` (${files})` : ''}`);
  const run = spawnSync('npx', args, {
    stdio: 'inherit',
    env: { ...process.env, MUTATE_PART: part },
  });
  times[part] = Math.round((Date.now() - started) / 1000);
  if (run.status !== 0) {
    console.error(`mutate: stryker failed for ${part} (exit ${run.status})`);
    failed = true;
  }
}
const summaries = await summarizeReports(parts);
console.log(formatTable(summaries));
await writeFile(
  'reports/mutation/summary.json',
  `${JSON.stringify({ wallSeconds: times, parts: summaries }, null, 2)}\n`,
);
process.exit(failed ? 1 : 0);
