/**
 * GitHub Actions context (runner variables:
 * https://docs.github.com/actions/reference/variables-reference#default-environment-variables).
 */
import type { CiContext, CiOverrides, Env } from './context.ts';
import {
  commitSha,
  digits,
  githubRepository,
  httpUrl,
  positive,
  readOptional,
  readRequired,
  text,
} from './env.ts';

const HINT = 'GitHub Actions sets it in every job; outside a runner, pass the value explicitly.';

export function isGithub(env: Env): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

/**
 * Variables are required only for the fields that no override supplies (the job URL is derived,
 * and left out when its parts are missing). GitHub has no numeric job
 * id in the environment, so the job id is `<run_id>/<run_attempt>/<job>`: unique per attempt, the
 * same in every step of the job, and rebuildable from the OIDC claims (run_id, run_attempt) plus
 * the job's key in the workflow.
 */
export function githubContext(env: Env, o: CiOverrides): CiContext {
  const need = (field: keyof CiOverrides): boolean => o[field] === undefined;
  const project = o.project ?? readRequired(env, 'GITHUB_REPOSITORY', githubRepository, HINT);
  const needRun = need('pipelineId') || need('jobId');
  const runId = needRun
    ? readRequired(env, 'GITHUB_RUN_ID', digits, HINT)
    : readOptional(env, 'GITHUB_RUN_ID', digits);
  const needAttempt = need('runAttempt') || need('jobId');
  const runAttempt = needAttempt
    ? readRequired(env, 'GITHUB_RUN_ATTEMPT', positive, HINT)
    : readOptional(env, 'GITHUB_RUN_ATTEMPT', positive);
  const job =
    need('job') || need('jobId')
      ? readRequired(env, 'GITHUB_JOB', text, HINT)
      : readOptional(env, 'GITHUB_JOB', text);
  const serverUrl = readOptional(env, 'GITHUB_SERVER_URL', httpUrl)?.replace(/\/+$/, '');
  const ctx: CiContext = {
    provider: 'github',
    project,
    pipelineId: runId,
    runAttempt,
    job,
    jobId: runId && runAttempt && job ? `${runId}/${runAttempt}/${job}` : undefined,
    // The attempt's page: GitHub offers no URL of a job that can be built from the environment.
    jobUrl:
      serverUrl && runId && runAttempt
        ? `${serverUrl}/${project}/actions/runs/${runId}/attempts/${runAttempt}`
        : undefined,
    commit: readOptional(env, 'GITHUB_SHA', commitSha),
    ref: readOptional(env, 'GITHUB_REF', text),
    workflowRef: readOptional(env, 'GITHUB_WORKFLOW_REF', text),
    serverUrl,
  };
  return ctx;
}
