// Summarizes Stryker's JSON reports (reports/mutation/<part>.json) per part and per file:
// how many mutants were killed, survived, and so on, and the mutation score. Used by
// scripts/mutate.ts; `node scripts/mutation-summary.ts` re-summarizes the reports on disk.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export type MutantStatus =
  | 'Killed'
  | 'Survived'
  | 'NoCoverage'
  | 'Timeout'
  | 'CompileError'
  | 'RuntimeError'
  | 'Ignored'
  | 'Pending';

interface ReportMutant {
  id: string;
  mutatorName: string;
  status: MutantStatus;
  replacement?: string;
  location: { start: { line: number; column: number } };
}

export interface StrykerReport {
  files: Record<string, { mutants: ReportMutant[] }>;
}

export interface Counts {
  mutants: number;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  compileErrors: number;
  runtimeErrors: number;
  ignored: number;
  /** (killed + timeout) / (killed + timeout + survived + noCoverage), in percent, 2 decimals. */
  score: number | null;
}

export interface Survivor {
  file: string;
  line: number;
  column: number;
  mutator: string;
  replacement: string;
}

export interface PartSummary extends Counts {
  part: string;
  files: Record<string, Counts>;
  survivors: Survivor[];
}

export function count(mutants: readonly ReportMutant[]): Counts {
  const n = (s: MutantStatus) => mutants.filter((m) => m.status === s).length;
  const killed = n('Killed');
  const timeout = n('Timeout');
  const survived = n('Survived');
  const noCoverage = n('NoCoverage');
  const valid = killed + timeout + survived + noCoverage;
  return {
    mutants: mutants.length,
    killed,
    timeout,
    survived,
    noCoverage,
    compileErrors: n('CompileError'),
    runtimeErrors: n('RuntimeError'),
    ignored: n('Ignored'),
    score: valid === 0 ? null : Math.round(((killed + timeout) / valid) * 10000) / 100,
  };
}

export function summarize(part: string, report: StrykerReport): PartSummary {
  const names = Object.keys(report.files).sort();
  const all = names.flatMap((f) => report.files[f]!.mutants);
  const survivors = names.flatMap((file) =>
    report.files[file]!.mutants.filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
      .map((m) => ({
        file,
        line: m.location.start.line,
        column: m.location.start.column,
        mutator: m.mutatorName,
        replacement: m.replacement ?? '',
      }))
      .sort((a, b) => a.line - b.line || a.column - b.column),
  );
  return {
    part,
    ...count(all),
    files: Object.fromEntries(names.map((f) => [f, count(report.files[f]!.mutants)])),
    survivors,
  };
}

export async function summarizeReports(
  parts: readonly string[],
  dir = 'reports/mutation',
): Promise<PartSummary[]> {
  const out: PartSummary[] = [];
  for (const part of parts) {
    const file = path.join(dir, `${part}.json`);
    if (!existsSync(file)) continue;
    out.push(summarize(part, JSON.parse(await readFile(file, 'utf8')) as StrykerReport));
  }
  return out;
}

export function formatTable(summaries: readonly PartSummary[]): string {
  const rows = [['part / file', 'mutants', 'killed', 'timeout', 'survived', 'no cov.', 'score']];
  for (const s of summaries) {
    const row = (name: string, c: Counts) =>
      rows.push([
        name,
        String(c.mutants - c.ignored - c.compileErrors),
        String(c.killed),
        String(c.timeout),
        String(c.survived),
        String(c.noCoverage),
        c.score === null ? '-' : `${c.score}%`,
      ]);
    row(s.part, s);
    for (const [f, c] of Object.entries(s.files)) row(`  ${f}`, c);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const parts = process.argv.slice(2);
  const { PARTS } = await import('../stryker/parts.ts');
  const summaries = await summarizeReports(parts.length > 0 ? parts : Object.keys(PARTS));
  console.log(formatTable(summaries));
  await writeFile(
    'reports/mutation/summary.json',
    `${JSON.stringify({ parts: summaries }, null, 2)}\n`,
  );
}
