/**
 * Whether the CI job an evidence entry names was verified or merely claimed. The job key
 * (`predicate.ci.{provider, project, jobId}`) is written by the client; it is *verified* only when
 * the entry was appended with an OIDC token whose recorded claims name the same job:
 * - GitHub: `repository` is the project and the job id is `<run_id>/<run_attempt>/<job>` of the
 *   token's `run_id` and `run_attempt` (the job's key within the run is not a claim, so any job of
 *   the same run attempt can name it);
 * - GitLab: `project_path` is the project and `job_id` is the job id.
 * Anything else (an API key, a local identity, a token of another run) is *claimed*: shown as such,
 * and never allowed to pass for the job's own evidence.
 */
import type { LedgerEntry } from './entry.ts';

export type JobStanding = 'verified' | 'claimed';

function claim(entry: LedgerEntry, name: string): string | undefined {
  const value = Object.hasOwn(entry.identity, name) ? entry.identity[name] : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `verified` when the entry's own OIDC claims name the job its predicate names, else `claimed`. */
export function evidenceJobStanding(entry: LedgerEntry): JobStanding {
  if (entry.identity.auth !== 'oidc') return 'claimed';
  const ci = (entry.statement.predicate as { ci?: Record<string, unknown> } | undefined)?.ci;
  const { provider, project, jobId } = ci ?? {};
  if (typeof project !== 'string' || typeof jobId !== 'string') return 'claimed';
  if (provider === 'github') {
    const runId = claim(entry, 'run_id');
    const attempt = claim(entry, 'run_attempt');
    const ok =
      claim(entry, 'repository') === project &&
      runId !== undefined &&
      attempt !== undefined &&
      jobId.startsWith(`${runId}/${attempt}/`) &&
      jobId.length > `${runId}/${attempt}/`.length;
    return ok ? 'verified' : 'claimed';
  }
  if (provider === 'gitlab') {
    const ok = claim(entry, 'project_path') === project && claim(entry, 'job_id') === jobId;
    return ok ? 'verified' : 'claimed';
  }
  return 'claimed';
}
