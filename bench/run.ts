// `npm run bench [-- --quick] [-- name-filter]`: runs every bench/*.bench.ts, prints a table and
// writes bench/results.json.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Benchmark, BenchRow } from './harness.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const filters = args.filter((a) => !a.startsWith('--'));
const dir = path.dirname(new URL(import.meta.url).pathname);
const files = (await readdir(dir))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

const results: { benchmark: string; rows: BenchRow[] }[] = [];
for (const file of files) {
  const mod = (await import(path.join(dir, file))) as { run: Benchmark };
  const workDir = await mkdtemp(
    path.join(os.tmpdir(), `bench-${path.basename(file, '.bench.ts')}-`),
  );
  console.error(`bench: ${file}`);
  try {
    const rows = await mod.run({ workDir, quick, log: (m) => console.error(`  ${m}`) });
    results.push({ benchmark: file, rows });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

const fmt = (n: number) =>
  !Number.isFinite(n) ? String(n) : Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3);
const header = ['benchmark', 'figure', 'unit', 'reference', 'ref value', 'ratio', 'target'];
const rows = results.flatMap((r) =>
  r.rows.map((row) => [
    row.name,
    fmt(row.value),
    row.unit,
    row.reference,
    fmt(row.referenceValue),
    fmt(row.ratio),
    row.target ?? '',
  ]),
);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const r of rows) console.log(line(r));

const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version };
await writeFile(
  path.join(dir, 'results.json'),
  `${JSON.stringify({ date: new Date().toISOString(), quick, machine, results }, null, 2)}\n`,
);
