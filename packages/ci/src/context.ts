/**
 * The CI context recorded in every ledger entry's predicate (`predicate.ci`). The field names are
 * fixed: the ledger indexes `predicate.ci.{provider, project, jobId}`.
 */
export type CiProvider = 'github' | 'gitlab' | 'local';
export const CI_PROVIDERS: readonly CiProvider[] = ['github', 'gitlab', 'local'];

export interface CiContext {
  provider: CiProvider;
  /** GitHub `owner/repo`, GitLab `group/project`, or the local directory's name. */
  project: string;
  /** GitHub run id, GitLab pipeline id. */
  pipelineId?: string;
  /** A stable id of the job (GitHub: `<run_id>/<run_attempt>/<job>`, GitLab: CI_JOB_ID). */
  jobId?: string;
  jobUrl?: string;
  commit?: string;
  ref?: string;
  runAttempt?: string;
  workflowRef?: string;
  serverUrl?: string;
  /** The job's name (GitHub `GITHUB_JOB`, GitLab `CI_JOB_NAME`). */
  job?: string;
}

/** Explicit values (e.g. the CLI's `--job ID`): they win over what the environment says. */
export type CiOverrides = Partial<CiContext>;

/** The environment as `process.env` has it. */
export type Env = Readonly<Record<string, string | undefined>>;
