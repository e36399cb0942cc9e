/**
 * Builds `.gitlab-ci.yml` files that include the notarize templates, and reads what the jobs left
 * behind (JUnit reports, dotenv reports), for the gitlab-ci-local end-to-end tests.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { TEMPLATES_DIR, createGitRepo, notarizeCliEntry, type GitRepo } from './gitlab-ci-local.ts';

const pexecFile = promisify(execFile);

/** gitlab-ci-local pipelines take seconds each, more on a busy machine. */
export const E2E_TIMEOUT = 90_000;

/** The templates as files of a repository, under templates/. */
export async function templateFiles(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of await readdir(TEMPLATES_DIR)) {
    files[`templates/${name}`] = await readFile(path.join(TEMPLATES_DIR, name), 'utf8');
  }
  return files;
}

export function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** The commit gitlab-ci-local runs (the build job writes it into an artifact). */
export async function headCommit(repo: GitRepo): Promise<string> {
  const { stdout } = await pexecFile('git', ['rev-parse', 'HEAD'], { cwd: repo.dir });
  return stdout.trim();
}

/** Runs the notarize CLI outside the pipeline (to read what the jobs wrote) and parses --json. */
export async function notarizeJson(args: string[], repo: GitRepo): Promise<unknown> {
  const { stdout } = await pexecFile(process.execPath, [notarizeCliEntry(), ...args, '--json'], {
    cwd: repo.dir,
    env: { ...process.env, HOME: repo.home },
  });
  return JSON.parse(stdout);
}

/** Repositories holding the templates plus a pipeline, removed together by `removeAll`. */
export function repoFactory() {
  const repos: GitRepo[] = [];
  return {
    track(repo: GitRepo): GitRepo {
      repos.push(repo);
      return repo;
    },
    async create(
      ciYaml: string,
      extra: Record<string, string> = {},
      origin?: string,
    ): Promise<GitRepo> {
      const repo = await createGitRepo({
        files: { ...(await templateFiles()), '.gitlab-ci.yml': ciYaml, ...extra },
        ...(origin ? { origin } : {}),
      });
      repos.push(repo);
      return repo;
    },
    removeAll: () => Promise.all(repos.map((r) => r.remove())),
  };
}

export type TemplateName = 'notarize' | 'gate' | 'evidence';

/** One `include:` entry; `how` picks local, remote or project. */
export type Include =
  | { how: 'local'; template: TemplateName; inputs: Record<string, unknown> }
  | { how: 'remote'; baseUrl: string; template: TemplateName; inputs: Record<string, unknown> }
  | {
      how: 'project';
      project: string;
      ref: string;
      template: TemplateName;
      inputs: Record<string, unknown>;
    };

function includeEntry(include: Include): Record<string, unknown> {
  const file = `${include.template}.yml`;
  switch (include.how) {
    case 'local':
      return { local: `templates/${file}`, inputs: include.inputs };
    case 'remote':
      return { remote: `${include.baseUrl}/raw/${file}`, inputs: include.inputs };
    case 'project':
      return {
        project: include.project,
        ref: include.ref,
        file: `templates/${file}`,
        inputs: include.inputs,
      };
  }
}

/** A build job that writes two artifacts, one with a space in its name. */
export const BUILD_JOB = {
  stage: 'build',
  script: [
    'mkdir -p dist',
    'echo "app $CI_COMMIT_SHA" > "dist/app 1.bin"',
    'echo lib > dist/lib.bin',
  ],
  artifacts: { paths: ['dist/'] },
};

export function pipelineYaml(
  stages: string[],
  includes: Include[],
  jobs: Record<string, unknown>,
): string {
  return stringify({ stages, include: includes.map(includeEntry), ...jobs }, { lineWidth: 0 });
}

export interface JunitCase {
  name: string;
  classname: string;
  /** The failure (or error) element's type and message attributes, absent for a pass. */
  failure?: { kind: 'failure' | 'error'; type: string; message: string; text: string };
}

export interface JunitReport {
  tests: number;
  failures: number;
  errors: number;
  cases: JunitCase[];
}

function unescapeXml(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function attr(tag: string, name: string): string {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  if (!m) throw new Error(`JUnit: attribute ${name} missing in ${tag}`);
  return unescapeXml(m[1] as string);
}

/** Reads the gate's JUnit report: the suite totals and each test case. */
export async function readJunit(file: string): Promise<JunitReport> {
  const xml = await readFile(file, 'utf8');
  if (!xml.startsWith('<?xml')) throw new Error(`${file} is not an XML document`);
  const suite = /<testsuite\s[^>]*>/.exec(xml)?.[0];
  if (!suite) throw new Error(`${file} has no <testsuite>`);
  const cases: JunitCase[] = [];
  for (const m of xml.matchAll(/<testcase\s[^>]*>([\s\S]*?)<\/testcase>/g)) {
    const open = /<testcase\s[^>]*>/.exec(m[0])?.[0] as string;
    const fail = /<(failure|error)(\s[^>]*)>([\s\S]*?)<\/\1>/.exec(m[1] as string);
    cases.push({
      name: attr(open, 'name'),
      classname: attr(open, 'classname'),
      ...(fail
        ? {
            failure: {
              kind: fail[1] as 'failure' | 'error',
              type: attr(fail[2] as string, 'type'),
              message: attr(fail[2] as string, 'message'),
              text: unescapeXml(fail[3] as string),
            },
          }
        : {}),
    });
  }
  return {
    tests: Number(attr(suite, 'tests')),
    failures: Number(attr(suite, 'failures')),
    errors: Number(attr(suite, 'errors')),
    cases,
  };
}

/** Where a template job writes its files (artifacts) inside the project directory. */
export function jobOutDir(projectDir: string, jobName: string): string {
  return path.join(projectDir, 'notarize-out', jobName);
}
