/**
 * Runs a committed action bundle (dist/<name>/index.js) the way the GitHub runner does: a fresh
 * `node` process, inputs as INPUT_<NAME> variables (upper-cased, spaces to `_`, hyphens kept), the
 * runner's file commands (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_ENV) as files, and the job's
 * default variables. Outputs are parsed from the file-command format (`name<<delimiter` heredocs).
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const NODE = path.join(REPO_ROOT, 'node_modules', '.bin', 'node');

export type ActionName = 'notarize' | 'gate' | 'evidence';

export interface JobEnv {
  GITHUB_REPOSITORY: string;
  GITHUB_RUN_ID: string;
  GITHUB_RUN_ATTEMPT: string;
  GITHUB_JOB: string;
  [name: string]: string;
}

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** `::error …::message` / `::warning …::message` lines, parsed. */
  annotations: { level: string; properties: Record<string, string>; message: string }[];
}

/** The runner's name for an input's variable. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Parses a GITHUB_OUTPUT file: `name=value` lines and `name<<DELIM` … `DELIM` heredocs. */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] as string);
      if (i >= lines.length) throw new Error(`unterminated heredoc for output ${name}`);
      out[name] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`not a file command line: ${line}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

// The runner escapes annotation data (%25 %0D %0A) and properties (also %3A %2C).
const unescape = (s: string): string =>
  s
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%');

export function parseAnnotations(stdout: string): ActionRun['annotations'] {
  const found: ActionRun['annotations'] = [];
  for (const line of stdout.split('\n')) {
    const m = /^::(error|warning|notice)( [^:]*)?::(.*)$/.exec(line);
    if (!m) continue;
    const properties: Record<string, string> = {};
    for (const pair of (m[2] ?? '').trim().split(',').filter(Boolean)) {
      const eq = pair.indexOf('=');
      properties[pair.slice(0, eq)] = unescape(pair.slice(eq + 1));
    }
    found.push({ level: m[1] as string, properties, message: unescape(m[3] as string) });
  }
  return found;
}

export async function runAction(
  name: ActionName,
  options: {
    inputs: Record<string, string>;
    job: JobEnv;
    /** The workspace (the step's working directory). */
    cwd: string;
    env?: Record<string, string>;
    timeoutMs?: number;
  },
): Promise<ActionRun> {
  const files = await mkdtemp(path.join(options.cwd, '.runner-'));
  const runnerTemp = path.join(options.cwd, '.runner-temp');
  await mkdir(runnerTemp, { recursive: true });
  const output = path.join(files, 'output');
  const summary = path.join(files, 'summary');
  const envFile = path.join(files, 'env');
  for (const f of [output, summary, envFile]) await writeFile(f, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: options.cwd,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: options.cwd,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_ENV: envFile,
    RUNNER_TEMP: runnerTemp,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_SHA: 'c'.repeat(40),
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKFLOW_REF: `${options.job.GITHUB_REPOSITORY}/.github/workflows/release.yml@refs/heads/main`,
    GITHUB_ACTION: '__self',
    ...options.job,
    ...options.env,
  };
  for (const [input, value] of Object.entries(options.inputs)) env[inputVariable(input)] = value;
  const bundle = path.join(REPO_ROOT, 'dist', name, 'index.js');
  const child = spawn(NODE, [bundle], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => stdout.push(d));
  child.stderr.on('data', (d: Buffer) => stderr.push(d));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c));
  });
  clearTimeout(timer);
  const out = Buffer.concat(stdout).toString('utf8');
  return {
    code,
    stdout: out,
    stderr: Buffer.concat(stderr).toString('utf8'),
    outputs: parseFileCommands(await readFile(output, 'utf8')),
    summary: await readFile(summary, 'utf8'),
    annotations: parseAnnotations(out),
  };
}
