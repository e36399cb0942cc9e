/**
 * Dogfood: the steps of .github/workflows/dogfood.yml — the project's own actions notarizing its
 * bundles and container image on a file: ledger, then gating on them — run as the runner runs
 * them (support/actions-runner.ts), with their `with:` inputs read from the workflow and its
 * `${{ }}` expressions given the values a runner would. A bundle changed after notarizing is
 * blocked by the same gate.
 */
import { cp, mkdir, mkdtemp, rm, appendFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { buildImage } from '../scripts/image.ts';
import { REPO_ROOT, runAction, type JobEnv } from './support/actions-runner.ts';

interface Step {
  uses?: string;
  with?: Record<string, string>;
}
const workflow = parse(readFileSync('.github/workflows/dogfood.yml', 'utf8')) as {
  jobs: { dogfood: { steps: Step[] } };
};
const steps = workflow.jobs.dogfood.steps;
const job: JobEnv = {
  GITHUB_REPOSITORY: 'notarize-dev/notarize-action',
  GITHUB_RUN_ID: '42',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_JOB: 'dogfood',
};

let ws: string;
beforeAll(async () => {
  ws = await mkdtemp(path.join(os.tmpdir(), 'notarize-dogfood-'));
  for (const name of ['cli', 'notarize', 'gate', 'evidence']) {
    await mkdir(path.join(ws, 'dist', name), { recursive: true });
    await cp(path.join(REPO_ROOT, 'dist', name, 'main.js'), path.join(ws, 'dist', name, 'main.js'));
  }
  buildImage(path.join(ws, 'dist-image', 'notarize'));
}, 120_000);
afterAll(async () => {
  await rm(ws, { recursive: true, force: true });
});

/** A step's inputs with the expressions a runner would have replaced. */
function inputsOf(uses: string): Record<string, string> {
  const step = steps.find((s) => s.uses === uses);
  if (!step?.with) throw new Error(`dogfood.yml has no step using ${uses}`);
  const values: Record<string, string> = {
    'runner.temp': path.join(ws, '.runner-temp'),
    'github.repository': job.GITHUB_REPOSITORY,
    'github.workflow': 'dogfood',
    'github.sha': 'c'.repeat(40),
  };
  return Object.fromEntries(
    Object.entries(step.with).map(([k, v]) => [
      k,
      v.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, expr: string) => {
        const value = values[expr];
        if (value === undefined) throw new Error(`no value for \${{ ${expr} }}`);
        return value;
      }),
    ]),
  );
}

test('notarize the bundles and the image, then the gate allows them', async () => {
  const notarized = await runAction('notarize', { cwd: ws, job, inputs: inputsOf('./') });
  expect(notarized.stderr).toBe('');
  expect(notarized.code).toBe(0);
  const receipts = JSON.parse(notarized.outputs.receipts!) as { subject: string; status: string }[];
  expect(receipts.map((r) => [r.subject, r.status])).toEqual([
    ['dist/cli/main.js', 'trusted'],
    ['dist/notarize/main.js', 'trusted'],
    ['dist/gate/main.js', 'trusted'],
    ['dist/evidence/main.js', 'trusted'],
    ['oci:dist-image/notarize:latest', 'trusted'],
  ]);

  const gate = await runAction('gate', { cwd: ws, job, inputs: inputsOf('./actions/gate') });
  expect(gate.code).toBe(0);
  expect(gate.outputs.decision).toBe('allow');
}, 120_000);

test('a bundle changed after notarizing is blocked by the same gate', async () => {
  await appendFile(path.join(ws, 'dist', 'gate', 'main.js'), '\n// changed\n');
  const gate = await runAction('gate', { cwd: ws, job, inputs: inputsOf('./actions/gate') });
  expect(gate.outputs.decision).toBe('block');
  expect(gate.outputs.code).toBe('2'); // unknown: nobody vouched for these bytes
  expect(gate.code).toBe(1); // the step fails
}, 120_000);
