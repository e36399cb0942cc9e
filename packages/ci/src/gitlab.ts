/**
 * GitLab CI context (predefined variables:
 * https://docs.gitlab.com/ci/variables/predefined_variables/).
 */
import type { CiContext, CiOverrides, Env } from './context.ts';
import {
  commitSha,
  digits,
  gitlabProjectPath,
  httpUrl,
  readOptional,
  readRequired,
  text,
} from './env.ts';

const HINT = 'GitLab CI sets it in every job; outside a runner, pass the value explicitly.';

export function isGitlab(env: Env): boolean {
  return env.GITLAB_CI === 'true';
}

export function gitlabContext(env: Env, o: CiOverrides): CiContext {
  const pick = (field: keyof CiOverrides, name: string, check: typeof text): string | undefined =>
    o[field] === undefined ? readRequired(env, name, check, HINT) : readOptional(env, name, check);
  return {
    provider: 'gitlab',
    project: pick('project', 'CI_PROJECT_PATH', gitlabProjectPath) ?? '',
    pipelineId: pick('pipelineId', 'CI_PIPELINE_ID', digits),
    jobId: pick('jobId', 'CI_JOB_ID', digits),
    jobUrl: readOptional(env, 'CI_JOB_URL', httpUrl),
    commit: readOptional(env, 'CI_COMMIT_SHA', commitSha),
    ref: readOptional(env, 'CI_COMMIT_REF_NAME', text),
    serverUrl: readOptional(env, 'CI_SERVER_URL', httpUrl)?.replace(/\/+$/, ''),
    job: readOptional(env, 'CI_JOB_NAME', text),
  };
}
