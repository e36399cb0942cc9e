/**
 * Runs GitLab pipelines on this machine with gitlab-ci-local: a throwaway git repository per
 * pipeline (gitlab-ci-local needs a repo with an `origin` remote and derives CI_PROJECT_PATH,
 * CI_SERVER_URL, CI_JOB_URL from it), every job in the shell executor (no Docker here), the repo's
 * Node 24 first on PATH, a private HOME (gitlab-ci-local's home variables and the notarize CLI's
 * verified-checkpoint state must not leak between pipelines), and the GitLab CI JSON schema
 * validation left on (its default).
 *
 * `GITLAB_CI_LOCAL_BIN` overrides the gitlab-ci-local executable (default: the repo's devDependency).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const pexecFile = promisify(execFile);

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
export const TEMPLATES_DIR = path.join(REPO_ROOT, 'templates');
const BIN_DIR = path.join(REPO_ROOT, 'node_modules', '.bin');

export function gitlabCiLocalBin(): string {
  return process.env.GITLAB_CI_LOCAL_BIN ?? path.join(BIN_DIR, 'gitlab-ci-local');
}

/**
 * The notarize CLI the pipelines run: the committed bundle by default (what users get);
 * `NOTARIZE_CLI_ENTRY` may point at `packages/cli/src/main.ts` while the bundle is stale.
 */
export function notarizeCliEntry(): string {
  return path.resolve(
    REPO_ROOT,
    process.env.NOTARIZE_CLI_ENTRY ?? path.join('dist', 'cli', 'index.js'),
  );
}

/** The same as a shell command, for the templates' `cli` input (jobs find Node 24 on PATH). */
export function notarizeCliCommand(): string {
  return `node '${notarizeCliEntry().replaceAll("'", "'\\''")}'`;
}

export interface GitRepo {
  dir: string;
  /** Where HOME points for the pipeline's processes (a fresh directory, outside the repo). */
  home: string;
  /** Writes the files (paths relative to the repo) and commits them. */
  commit(files: Record<string, string>): Promise<void>;
  remove(): Promise<void>;
}

export interface GitRepoOptions {
  /** Files to commit, by path relative to the repo. */
  files: Record<string, string>;
  /** Default: https://gitlab.example.com/group/project.git */
  origin?: string;
}

async function git(dir: string, ...args: string[]): Promise<string> {
  const { stdout } = await pexecFile('git', args, { cwd: dir });
  return stdout.trim();
}

/** A committed git repository in a temp directory, with an `origin` remote and its HEAD set. */
export async function createGitRepo(options: GitRepoOptions): Promise<GitRepo> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'gitlab-e2e-'));
  const dir = path.join(root, 'project');
  const home = path.join(root, 'home');
  await mkdir(dir, { recursive: true });
  await mkdir(home, { recursive: true });
  const commit = async (files: Record<string, string>): Promise<void> => {
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), content);
    }
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '--allow-empty', '-m', 'pipeline under test');
  };
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'config', 'user.email', 'ci@example.com');
  await git(dir, 'config', 'user.name', 'CI');
  await git(dir, 'config', 'commit.gpgsign', 'false');
  await commit(options.files);
  await git(
    dir,
    'remote',
    'add',
    'origin',
    options.origin ?? 'https://gitlab.example.com/group/project.git',
  );
  // gitlab-ci-local asks for origin's default branch; without one it warns on every run.
  await git(dir, 'update-ref', 'refs/remotes/origin/main', 'HEAD');
  await git(dir, 'symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');
  return { dir, home, commit, remove: () => rm(root, { recursive: true, force: true }) };
}

export type JobOutcome = 'PASS' | 'FAIL' | 'WARN';

export interface JobResult {
  outcome: JobOutcome;
  /** The script's exit code (0 for a passed job). */
  exitCode: number;
}

export interface PipelineRun {
  /** gitlab-ci-local's own exit code (it is not a reliable pipeline verdict: use `jobs`). */
  code: number;
  /** stdout and stderr, in order, without colours. */
  output: string;
  /** stdout alone, without colours (e.g. the YAML that `--preview` prints). */
  stdout: string;
  jobs: Record<string, JobResult>;
}

export interface RunOptions {
  /** CI/CD variables (`--variable K=V`). GITLAB_CI=true is always added, as on a real runner. */
  variables?: Record<string, string>;
  /** Extra gitlab-ci-local arguments (e.g. `--list`, or job names). */
  args?: string[];
  timeoutMs?: number;
}

/**
 * Job verdicts from the `finished in` lines: `<job> finished in 1.2 s` (passed),
 * `... FAIL 1` / `... WARN 42` (failed / allowed to fail, with the exit code).
 */
export function parseJobResults(output: string): Record<string, JobResult> {
  const jobs: Record<string, JobResult> = {};
  const re = /^(\S+)\s+finished in [^\n]*?(?:\s(FAIL|WARN) (\d+))?\s*$/gm;
  for (const m of output.matchAll(re)) {
    const name = m[1] as string;
    // The run's own last line reads "pipeline finished in ..." (so no job here is named that).
    if (name === 'pipeline') continue;
    const outcome = (m[2] as JobOutcome | undefined) ?? 'PASS';
    jobs[name] = { outcome, exitCode: m[3] === undefined ? 0 : Number(m[3]) };
  }
  return jobs;
}

export async function runPipeline(repo: GitRepo, options: RunOptions = {}): Promise<PipelineRun> {
  const bin = gitlabCiLocalBin();
  if (!existsSync(bin)) {
    throw new Error(
      `gitlab-ci-local not found at ${bin}: run npm ci (it is a devDependency) or set GITLAB_CI_LOCAL_BIN`,
    );
  }
  const variables = { GITLAB_CI: 'true', ...options.variables };
  const args = [
    '--force-shell-executor',
    ...Object.entries(variables).flatMap(([k, v]) => ['--variable', `${k}=${v}`]),
    ...(options.args ?? []),
  ];
  const env: NodeJS.ProcessEnv = {
    PATH: `${BIN_DIR}${path.delimiter}${process.env.PATH ?? ''}`,
    HOME: repo.home,
    LANG: 'C.UTF-8',
    FORCE_COLOR: '0',
    NO_COLOR: '1',
    // gitlab-ci-local sets GITLAB_CI=false so scripts can tell it from GitLab; these pipelines
    // stand in for GitLab, and the notarize CLI detects GitLab by GITLAB_CI=true.
    GCL_IGNORE_PREDEFINED_VARS: 'GITLAB_CI',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: repo.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString('utf8');
      stdout += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      // eslint-disable-next-line no-control-regex
      const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');
      const clean = plain(output);
      resolve({
        code: code ?? -1,
        output: clean,
        stdout: plain(stdout),
        jobs: parseJobResults(clean),
      });
    });
  });
}

/** A dotenv report as a record (GitLab's dotenv: `KEY=value`, one per line). */
export async function readDotenv(file: string): Promise<Record<string, string>> {
  const text = await readFile(file, 'utf8');
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}
