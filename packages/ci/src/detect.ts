/**
 * Which CI runs us, and the context it gives. Pure: reads only the environment passed in (no
 * `git`, no files), so the same inputs always give the same context.
 */
import { basename } from 'node:path';
import { CI_PROVIDERS } from './context.ts';
import type { CiContext, CiOverrides, CiProvider, Env } from './context.ts';
import { CiError } from './errors.ts';
import { commitSha, httpUrl, positive, text } from './env.ts';
import type { Check } from './env.ts';
import { githubContext, isGithub } from './github.ts';
import { gitlabContext, isGitlab } from './gitlab.ts';

export function detectProvider(env: Env): CiProvider {
  const github = isGithub(env);
  const gitlab = isGitlab(env);
  if (github && gitlab) {
    throw new CiError(
      'CI_ENV_AMBIGUOUS',
      'input',
      'Both GITHUB_ACTIONS and GITLAB_CI are "true"; unset one, or name the provider explicitly.',
    );
  }
  return github ? 'github' : gitlab ? 'gitlab' : 'local';
}

/**
 * Whether we run in a CI job: GitHub Actions, GitLab CI, or any CI that sets `CI=true` (the common
 * convention). In CI nothing persists between jobs, so trust on first use would pin whatever key
 * the first answer carries: callers require explicit configuration instead.
 */
export function isCi(env: Env): boolean {
  return isGithub(env) || isGitlab(env) || /^(true|1)$/i.test(env.CI ?? '');
}

export interface CiContextOptions {
  env: Env;
  /** The working directory; its name is the project of a local run. */
  cwd?: string;
  /** Explicit values; `provider` here skips detection. */
  overrides?: CiOverrides;
}

const OVERRIDE_CHECKS: Record<Exclude<keyof CiContext, 'provider'>, Check> = {
  project: text,
  pipelineId: text,
  jobId: text,
  jobUrl: httpUrl,
  commit: commitSha,
  ref: text,
  runAttempt: positive,
  workflowRef: text,
  serverUrl: httpUrl,
  job: text,
};

function checkOverrides(o: CiOverrides): CiOverrides {
  const clean: CiOverrides = {};
  for (const [key, value] of Object.entries(o) as [keyof CiContext, unknown][]) {
    if (value === undefined) continue;
    if (key === 'provider') {
      if (!CI_PROVIDERS.includes(value as CiProvider)) {
        throw new CiError(
          'CI_OVERRIDE_INVALID',
          'input',
          `CI provider must be one of ${CI_PROVIDERS.join(', ')}.`,
        );
      }
      clean.provider = value as CiProvider;
      continue;
    }
    const check = OVERRIDE_CHECKS[key];
    if (check === undefined) {
      throw new CiError('CI_OVERRIDE_INVALID', 'input', `Unknown CI context field "${key}".`);
    }
    const problem = typeof value !== 'string' || value === '' ? 'a non-empty string' : check(value);
    if (problem !== undefined || typeof value !== 'string') {
      throw new CiError('CI_OVERRIDE_INVALID', 'input', `The explicit ${key} must be ${problem}.`);
    }
    clean[key] = value;
  }
  return clean;
}

function localContext(cwd: string | undefined): CiContext {
  const name = cwd === undefined ? '' : basename(cwd);
  return { provider: 'local', project: name === '' || text(name) !== undefined ? 'local' : name };
}

/** The CI context of this run: detected from `env`, then explicit values on top. */
export function ciContext(options: CiContextOptions): CiContext {
  const overrides = checkOverrides(options.overrides ?? {});
  const provider = overrides.provider ?? detectProvider(options.env);
  const detected =
    provider === 'github'
      ? githubContext(options.env, overrides)
      : provider === 'gitlab'
        ? gitlabContext(options.env, overrides)
        : localContext(options.cwd);
  const merged: CiContext = { ...detected, ...overrides, provider };
  // Absent fields are left out rather than set to undefined: the context goes into canonical JSON.
  for (const key of Object.keys(merged) as (keyof CiContext)[]) {
    if (merged[key] === undefined) delete merged[key];
  }
  return merged;
}

/** The default identity name of a CI job: `github:<repository>`, `gitlab:<project_path>`. */
export function ciIdentityName(ctx: CiContext): string {
  return `${ctx.provider}:${ctx.project}`;
}
