/**
 * Which verified token claims are recorded in `Principal.claims` (and so in each entry's
 * identity): those an auditor needs to trace an entry to a run, a commit and a workflow.
 * Sources: GitHub https://docs.github.com/actions/reference/security/oidc#oidc-token-claims,
 * GitLab https://docs.gitlab.com/ci/secrets/id_token_authentication/#token-payload.
 */
export const RECORDED_CLAIMS: readonly string[] = [
  'iss',
  'sub',
  // GitHub
  'repository',
  'repository_id',
  'repository_owner',
  'repository_owner_id',
  'repository_visibility',
  'workflow',
  'workflow_ref',
  'workflow_sha',
  'job_workflow_ref',
  'job_workflow_sha',
  'run_id',
  'run_number',
  'run_attempt',
  'event_name',
  'actor',
  'actor_id',
  'head_ref',
  'base_ref',
  // GitLab
  'project_path',
  'project_id',
  'namespace_path',
  'namespace_id',
  'pipeline_id',
  'pipeline_source',
  'job_id',
  'user_login',
  'ref_protected',
  'ci_config_ref_uri',
  'ci_config_sha',
  // both
  'ref',
  'ref_type',
  'sha',
  'environment',
  'runner_environment',
];

/** Primitive claims as strings (what rules match and templates expand); objects are left out. */
export function stringClaims(payload: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (typeof value === 'string') out[name] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') out[name] = String(value);
  }
  return out;
}

export function recordedClaims(
  claims: Readonly<Record<string, string>>,
  extra: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...RECORDED_CLAIMS, ...extra]) {
    const value = Object.hasOwn(claims, name) ? claims[name] : undefined;
    if (value !== undefined) out[name] = value;
  }
  return out;
}
