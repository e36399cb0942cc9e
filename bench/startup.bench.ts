/**
 * Bundle sizes and start times (issue 15). Start times are medians of N process runs, next to
 * `node -e 0` (a bare Node start) measured in the same run, interleaved; the target is a
 * ratio of at most 3. Sizes are the committed dist/<name>/main.js next to the 2 MB target.
 * - `notarize --version` (dist/cli/index.js);
 * - a gate action run as the runner runs it (dist/gate/index.js, INPUT_* variables) on a `file:`
 *   ledger holding one trusted subject: no network.
 */
import { execFile, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { percentile, lowerIsBetter, type BenchContext, type BenchRow } from './harness.ts';

const pexecFile = promisify(execFile);
const NODE = path.resolve('node_modules/.bin/node');
const MB = 1024 * 1024;

function timeProcess(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(NODE, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) {
    const said = `${String(result.stdout)}${String(result.stderr)}`;
    throw new Error(`${args.join(' ')} exited ${result.status}: ${said}`);
  }
  return ms;
}

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const name of ['cli', 'notarize', 'gate', 'evidence']) {
    const bytes = statSync(path.join('dist', name, 'main.js')).size;
    rows.push({
      name: `bundle size, dist/${name}/main.js`,
      value: bytes / MB,
      unit: 'MiB',
      reference: 'target 2 MiB',
      referenceValue: 2,
      ratio: lowerIsBetter(bytes / MB, 2),
      target: '<= 2 MiB (ratio >= 1)',
    });
  }

  // A file: ledger with app.txt trusted by `ci`, made with the bundled CLI.
  const work = ctx.workDir;
  const ledger = path.join(work, 'ledger');
  await mkdir(work, { recursive: true });
  await writeFile(path.join(work, 'app.txt'), 'app\n');
  const env = { PATH: process.env.PATH ?? '', HOME: work };
  const cli = path.resolve('dist/cli/index.js');
  await pexecFile(NODE, [cli, 'trust', 'app.txt', '--as', 'ci', '--ledger', `file:${ledger}`], {
    cwd: work,
    env,
  });
  const vkey = (
    await pexecFile(NODE, [cli, 'ledger', 'info', '--data', ledger, '--json'], { cwd: work, env })
  ).stdout;
  const gateEnv = {
    ...env,
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_RUN_ID: '1',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'release',
    GITHUB_SHA: 'c'.repeat(40),
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_WORKSPACE: work,
    GITHUB_OUTPUT: path.join(work, 'out'),
    GITHUB_STEP_SUMMARY: path.join(work, 'summary'),
    RUNNER_TEMP: work,
    INPUT_SUBJECTS: 'app.txt',
    INPUT_LEDGER: `file:${ledger}`,
    'INPUT_LEDGER-KEY': (JSON.parse(vkey) as { vkey: string }).vkey,
    INPUT_POLICY: 'version: 1\nrequire:\n  - identity: ci\n    status: trusted\n',
    INPUT_MODE: 'enforce',
    INPUT_AUDIENCE: 'notarize',
  };
  await writeFile(gateEnv.GITHUB_OUTPUT, '');
  await writeFile(gateEnv.GITHUB_STEP_SUMMARY, '');

  const n = ctx.quick ? 5 : 21;
  const bare: number[] = [];
  const version: number[] = [];
  const gate: number[] = [];
  // Warm the page cache and Node's compile cache once, then interleave the three.
  timeProcess([cli, '--version'], { cwd: work, env });
  timeProcess([path.resolve('dist/gate/index.js')], { cwd: work, env: gateEnv });
  for (let i = 0; i < n; i++) {
    bare.push(timeProcess(['-e', '0'], { cwd: work, env }));
    version.push(timeProcess([cli, '--version'], { cwd: work, env }));
    gate.push(timeProcess([path.resolve('dist/gate/index.js')], { cwd: work, env: gateEnv }));
  }
  const bareMs = percentile(bare, 50);
  for (const [name, samples] of [
    ['notarize --version', version],
    ['gate action run (file: ledger, no network)', gate],
  ] as const) {
    const ms = percentile(samples, 50);
    ctx.log(`${name}: ${ms.toFixed(1)} ms median vs node -e 0 ${bareMs.toFixed(1)} ms`);
    rows.push({
      name: `start: ${name}`,
      value: ms,
      unit: 'ms (median)',
      reference: 'node -e 0',
      referenceValue: bareMs,
      ratio: lowerIsBetter(ms, bareMs),
      target: '<= 3x node -e 0 (ratio >= 0.333)',
      notes: `${(ms / bareMs).toFixed(2)}x a bare Node start`,
    });
  }
  return rows;
}
