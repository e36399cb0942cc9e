import { CiError, ciContext, ciIdentityName, detectProvider } from '../index.ts';
import type { CiErrorCode, Env } from '../index.ts';

const SHA = 'a'.repeat(40);

const GITHUB: Env = {
  GITHUB_ACTIONS: 'true',
  GITHUB_REPOSITORY: 'acme/widgets',
  GITHUB_RUN_ID: '1234567890',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_JOB: 'build',
  GITHUB_SHA: SHA,
  GITHUB_REF: 'refs/heads/main',
  GITHUB_WORKFLOW_REF: 'acme/widgets/.github/workflows/ci.yml@refs/heads/main',
  GITHUB_SERVER_URL: 'https://github.com',
};

const GITLAB: Env = {
  GITLAB_CI: 'true',
  CI_PROJECT_PATH: 'group/sub/project',
  CI_PIPELINE_ID: '777',
  CI_JOB_ID: '4242',
  CI_JOB_URL: 'https://gitlab.example.com/group/sub/project/-/jobs/4242',
  CI_COMMIT_SHA: SHA,
  CI_COMMIT_REF_NAME: 'main',
  CI_SERVER_URL: 'https://gitlab.example.com',
  CI_JOB_NAME: 'test:unit',
};

function without(env: Env, name: string): Env {
  const copy = { ...env };
  delete (copy as Record<string, string | undefined>)[name];
  return copy;
}

function codeOf(fn: () => unknown): CiErrorCode {
  try {
    fn();
  } catch (err) {
    if (err instanceof CiError) return err.code;
    throw err;
  }
  throw new Error('expected a CiError');
}

describe('detectProvider', () => {
  it.each([
    [{}, 'local'],
    [{ GITHUB_ACTIONS: 'true' }, 'github'],
    [{ GITLAB_CI: 'true' }, 'gitlab'],
    [{ GITHUB_ACTIONS: 'false' }, 'local'],
    [{ GITHUB_ACTIONS: '1' }, 'local'],
    [{ GITLAB_CI: '' }, 'local'],
    [{ CI: 'true' }, 'local'],
  ] as [Env, string][])('%j -> %s', (env, provider) => {
    expect(detectProvider(env)).toBe(provider);
  });

  it('refuses an environment that claims both', () => {
    expect(codeOf(() => detectProvider({ GITHUB_ACTIONS: 'true', GITLAB_CI: 'true' }))).toBe(
      'CI_ENV_AMBIGUOUS',
    );
  });
});

describe('GitHub context', () => {
  it('maps every variable', () => {
    expect(ciContext({ env: GITHUB })).toEqual({
      provider: 'github',
      project: 'acme/widgets',
      pipelineId: '1234567890',
      runAttempt: '2',
      job: 'build',
      jobId: '1234567890/2/build',
      jobUrl: 'https://github.com/acme/widgets/actions/runs/1234567890/attempts/2',
      commit: SHA,
      ref: 'refs/heads/main',
      workflowRef: 'acme/widgets/.github/workflows/ci.yml@refs/heads/main',
      serverUrl: 'https://github.com',
    });
  });

  it('leaves optional fields out instead of undefined', () => {
    const env = without(without(without(GITHUB, 'GITHUB_SHA'), 'GITHUB_SERVER_URL'), 'GITHUB_REF');
    const ctx = ciContext({ env });
    expect(Object.keys(ctx).sort()).toEqual(
      ['provider', 'project', 'pipelineId', 'runAttempt', 'job', 'jobId', 'workflowRef'].sort(),
    );
  });

  it('uses a GitHub Enterprise server URL and drops its trailing slash', () => {
    const ctx = ciContext({ env: { ...GITHUB, GITHUB_SERVER_URL: 'https://ghe.example.com/' } });
    expect(ctx.serverUrl).toBe('https://ghe.example.com');
    expect(ctx.jobUrl).toBe(
      'https://ghe.example.com/acme/widgets/actions/runs/1234567890/attempts/2',
    );
  });

  it.each(['GITHUB_REPOSITORY', 'GITHUB_RUN_ID', 'GITHUB_RUN_ATTEMPT', 'GITHUB_JOB'])(
    'missing %s is a typed error naming it',
    (name) => {
      expect(() => ciContext({ env: without(GITHUB, name) })).toThrow(name);
      expect(codeOf(() => ciContext({ env: { ...GITHUB, [name]: '' } }))).toBe('CI_ENV_MISSING');
    },
  );

  it.each([
    ['GITHUB_REPOSITORY', 'widgets'],
    ['GITHUB_RUN_ID', '12a'],
    ['GITHUB_RUN_ATTEMPT', '0'],
    ['GITHUB_SHA', 'abc123'],
    ['GITHUB_SERVER_URL', 'ftp://github.com'],
    ['GITHUB_REF', 'refs/heads/x\nInjected: 1'],
  ])('invalid %s=%j is refused without echoing the value', (name, value) => {
    let error: unknown;
    try {
      ciContext({ env: { ...GITHUB, [name]: value } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CiError);
    expect((error as CiError).code).toBe('CI_ENV_INVALID');
    expect((error as CiError).category).toBe('input');
    expect((error as CiError).message).toContain(name);
    expect((error as CiError).message).not.toContain(value);
  });

  it('accepts SHA-256 object ids', () => {
    expect(ciContext({ env: { ...GITHUB, GITHUB_SHA: 'b'.repeat(64) } }).commit).toBe(
      'b'.repeat(64),
    );
  });

  it('an explicit job id wins and makes the job variables optional', () => {
    const env = without(without(GITHUB, 'GITHUB_JOB'), 'GITHUB_RUN_ATTEMPT');
    expect(codeOf(() => ciContext({ env }))).toBe('CI_ENV_MISSING');
    const ctx = ciContext({ env, overrides: { jobId: 'release-7', runAttempt: '1', job: 'rel' } });
    expect(ctx.jobId).toBe('release-7');
    expect(ctx.job).toBe('rel');
  });

  it('explicit values win over detected ones', () => {
    const ctx = ciContext({
      env: GITHUB,
      overrides: { project: 'acme/other', jobId: 'custom', commit: 'c'.repeat(40) },
    });
    expect(ctx.project).toBe('acme/other');
    expect(ctx.jobId).toBe('custom');
    expect(ctx.commit).toBe('c'.repeat(40));
    expect(ctx.pipelineId).toBe('1234567890');
  });

  it('an explicit project makes GITHUB_REPOSITORY optional', () => {
    const ctx = ciContext({
      env: without(GITHUB, 'GITHUB_REPOSITORY'),
      overrides: { project: 'x/y' },
    });
    expect(ctx.project).toBe('x/y');
    expect(ctx.jobUrl).toBe('https://github.com/x/y/actions/runs/1234567890/attempts/2');
  });
});

describe('GitLab context', () => {
  it('maps every variable', () => {
    expect(ciContext({ env: GITLAB })).toEqual({
      provider: 'gitlab',
      project: 'group/sub/project',
      pipelineId: '777',
      jobId: '4242',
      jobUrl: 'https://gitlab.example.com/group/sub/project/-/jobs/4242',
      commit: SHA,
      ref: 'main',
      serverUrl: 'https://gitlab.example.com',
      job: 'test:unit',
    });
  });

  it.each(['CI_PROJECT_PATH', 'CI_PIPELINE_ID', 'CI_JOB_ID'])('missing %s is refused', (name) => {
    expect(codeOf(() => ciContext({ env: without(GITLAB, name) }))).toBe('CI_ENV_MISSING');
  });

  it.each(['CI_JOB_URL', 'CI_COMMIT_SHA', 'CI_COMMIT_REF_NAME', 'CI_SERVER_URL', 'CI_JOB_NAME'])(
    'missing %s is only left out',
    (name) => {
      const ctx = ciContext({ env: without(GITLAB, name) });
      expect(ctx.jobId).toBe('4242');
      expect(Object.keys(ctx)).toHaveLength(8);
    },
  );

  it.each([
    ['CI_PROJECT_PATH', 'project'],
    ['CI_JOB_ID', 'job-1'],
    ['CI_JOB_URL', 'not a url'],
  ])('invalid %s is refused', (name, value) => {
    expect(codeOf(() => ciContext({ env: { ...GITLAB, [name]: value } }))).toBe('CI_ENV_INVALID');
  });

  it('explicit job id wins, even when CI_JOB_ID is missing', () => {
    const ctx = ciContext({ env: without(GITLAB, 'CI_JOB_ID'), overrides: { jobId: 'j-1' } });
    expect(ctx.jobId).toBe('j-1');
  });
});

describe('local context', () => {
  it('takes the project from the directory name passed in', () => {
    expect(ciContext({ env: {}, cwd: '/home/me/src/widgets' })).toEqual({
      provider: 'local',
      project: 'widgets',
    });
  });

  it('falls back to "local"', () => {
    expect(ciContext({ env: {} })).toEqual({ provider: 'local', project: 'local' });
    expect(ciContext({ env: {}, cwd: '/' }).project).toBe('local');
  });

  it('ignores GitHub/GitLab variables when neither flag is set', () => {
    const env = without(without(GITHUB, 'GITHUB_ACTIONS'), 'GITLAB_CI');
    expect(ciContext({ env, cwd: '/w/app' })).toEqual({ provider: 'local', project: 'app' });
  });

  it('takes explicit values', () => {
    const ctx = ciContext({
      env: {},
      cwd: '/w/app',
      overrides: { jobId: 'nightly-3', ref: 'main' },
    });
    expect(ctx).toEqual({ provider: 'local', project: 'app', jobId: 'nightly-3', ref: 'main' });
  });

  it('an explicit provider skips detection', () => {
    expect(ciContext({ env: GITHUB, cwd: '/w/app', overrides: { provider: 'local' } })).toEqual({
      provider: 'local',
      project: 'app',
    });
    expect(
      ciContext({ env: { ...GITLAB, GITLAB_CI: undefined }, overrides: { provider: 'gitlab' } })
        .jobId,
    ).toBe('4242');
  });
});

describe('overrides are validated', () => {
  it.each([
    ['unknown provider', { provider: 'jenkins' }],
    ['empty job id', { jobId: '' }],
    ['control character', { jobId: 'a\nb' }],
    ['non-http url', { jobUrl: 'javascript:alert(1)' }],
    ['short commit', { commit: 'HEAD' }],
    ['negative attempt', { runAttempt: '-1' }],
    ['too long', { project: 'x'.repeat(2000) }],
    ['unknown field', { unknownField: 'x' }],
  ])('%s', (_label, overrides) => {
    expect(
      codeOf(() =>
        ciContext({ env: {}, overrides: overrides as unknown as Record<string, string> }),
      ),
    ).toBe('CI_OVERRIDE_INVALID');
  });
});

describe('ciIdentityName', () => {
  it('names CI identities by provider and project', () => {
    expect(ciIdentityName(ciContext({ env: GITHUB }))).toBe('github:acme/widgets');
    expect(ciIdentityName(ciContext({ env: GITLAB }))).toBe('gitlab:group/sub/project');
    expect(ciIdentityName(ciContext({ env: {}, cwd: '/x/app' }))).toBe('local:app');
  });
});
