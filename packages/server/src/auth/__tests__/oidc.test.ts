import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  gitlabClaims,
  githubClaims,
  startOidcIssuer,
} from '../../../../../test/support/oidc-issuer.ts';
import type { BadTokenKind, OidcIssuer } from '../../../../../test/support/oidc-issuer.ts';
import { AuthError, Authenticator, validateAuthConfig } from '../index.ts';
import type { AuthErrorCode, Principal } from '../index.ts';

const AUD = 'notarize-ledger';
let github: OidcIssuer;
let gitlab: OidcIssuer;
let auth: Authenticator;

function configFor(gh: OidcIssuer, gl: OidcIssuer, extra: Record<string, unknown> = {}) {
  return validateAuthConfig({
    oidc: {
      clockToleranceSec: 30,
      jwksTimeoutMs: 2000,
      ...extra,
      issuers: [
        {
          issuer: gh.url,
          audience: AUD,
          jwksUri: gh.jwksUri,
          rules: [
            {
              match: { repository: 'acme/*', ref: 'refs/heads/main' },
              identity: 'github:{repository}',
              role: 'pipeline',
            },
            {
              match: {
                repository: 'acme-sec/scans',
                event_name: ['schedule', 'workflow_dispatch'],
              },
              identity: 'scanner:{repository}',
              role: 'scanner',
            },
          ],
        },
        {
          // No jwksUri: discovered from the issuer.
          issuer: gl.url,
          audience: [AUD, 'other'],
          claims: ['user_id'],
          rules: [
            {
              match: { project_path: 'group/**', ref_protected: 'true' },
              identity: 'gitlab:{project_path}',
              role: 'qa',
            },
          ],
        },
      ],
    },
  });
}

beforeAll(async () => {
  github = await startOidcIssuer({ path: '/github', defaultAudience: AUD });
  gitlab = await startOidcIssuer({ path: '/gitlab', defaultAudience: AUD });
  auth = new Authenticator(configFor(github, gitlab));
});

afterAll(async () => {
  await github.close();
  await gitlab.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function failure(p: Promise<unknown>): Promise<AuthError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AuthError) return err;
    throw err;
  }
  throw new Error('expected an AuthError');
}

describe('good tokens', () => {
  it('maps a GitHub token (RS256) to identity, role and claims', async () => {
    const claims = githubClaims({ repository: 'acme/widgets' });
    const p: Principal = await auth.authenticate(bearer(await github.mint(claims)));
    expect(p.name).toBe('github:acme/widgets');
    expect(p.role).toBe('pipeline');
    expect(p.auth).toBe('oidc');
    expect(p.claims).toMatchObject({
      iss: github.url,
      sub: 'repo:acme/widgets:ref:refs/heads/main',
      repository: 'acme/widgets',
      repository_id: '123456',
      ref: 'refs/heads/main',
      sha: 'a'.repeat(40),
      workflow_ref: 'acme/widgets/.github/workflows/ci.yml@refs/heads/main',
      job_workflow_ref: 'acme/widgets/.github/workflows/ci.yml@refs/heads/main',
      run_id: '1234567890',
      run_attempt: '1',
      runner_environment: 'github-hosted',
    });
    // Not in the recorded list: token bookkeeping.
    expect(p.claims).not.toHaveProperty('jti');
    expect(p.claims).not.toHaveProperty('exp');
  });

  it('the same issuer also accepts ES256', async () => {
    const token = await github.mint(githubClaims(), { alg: 'ES256' });
    expect((await auth.authenticate(bearer(token))).name).toBe('github:acme/widgets');
  });

  it('the second rule of an issuer', async () => {
    const claims = githubClaims({ repository: 'acme-sec/scans', event_name: 'schedule' });
    const p = await auth.authenticate(bearer(await github.mint(claims)));
    expect([p.name, p.role]).toEqual(['scanner:acme-sec/scans', 'scanner']);
  });

  it('maps a GitLab token (ES256, discovered keys) with its claims', async () => {
    const claims = gitlabClaims({ project_path: 'group/sub/project', user_id: '5' });
    const token = await gitlab.mint(claims, { alg: 'ES256' });
    const p = await auth.authenticate(bearer(token));
    expect([p.name, p.role, p.auth]).toEqual(['gitlab:group/sub/project', 'qa', 'oidc']);
    expect(p.claims).toMatchObject({
      iss: gitlab.url,
      project_path: 'group/sub/project',
      namespace_path: 'group/sub',
      pipeline_id: '777',
      job_id: '4242',
      ref: 'main',
      ref_protected: 'true',
      sha: 'b'.repeat(40),
      user_id: '5', // from the issuer's extra `claims:`
    });
    expect(p.claims).not.toHaveProperty('runner_id');
    expect(gitlab.hits['/.well-known/openid-configuration']).toBe(1);
  });

  it('accepts the second configured audience', async () => {
    const token = await gitlab.mint(gitlabClaims(), { audience: 'other' });
    expect((await auth.authenticate(bearer(token))).role).toBe('qa');
  });

  it('tolerates small clock skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    const justExpired = await github.mint(githubClaims(), { issuedAt: now - 310, expiresIn: 300 });
    await expect(auth.authenticate(bearer(justExpired))).resolves.toBeDefined();
  });

  it('caches the JWKS', async () => {
    const before = github.hits['/jwks'] ?? 0;
    for (let i = 0; i < 5; i++) {
      await auth.authenticate(bearer(await github.mint(githubClaims())));
    }
    expect(github.hits['/jwks'] ?? 0).toBe(before);
    expect(before).toBeLessThanOrEqual(1);
  });

  it('verifies a token the runner endpoint minted', async () => {
    const res = await fetch(`${github.url}/token?api-version=2.0&audience=${AUD}`, {
      headers: { authorization: `Bearer ${github.requestToken}` },
    });
    const { value } = (await res.json()) as { value: string };
    expect((await auth.authenticate(bearer(value))).name).toBe('github:acme/widgets');
    const refused = await fetch(`${github.url}/token?audience=${AUD}`);
    expect(refused.status).toBe(401);
  });
});

describe('bad tokens are refused', () => {
  const now = () => Math.floor(Date.now() / 1000);

  it.each([
    [
      'another issuer',
      { issuer: 'https://token.actions.githubusercontent.com' },
      'AUTH_TOKEN_ISSUER',
    ],
    ['another audience', { audience: 'someone-else' }, 'AUTH_TOKEN_AUDIENCE'],
    ['an audience list without ours', { audience: ['a', 'b'] }, 'AUTH_TOKEN_AUDIENCE'],
    ['an expired token', { issuedAt: now() - 700, expiresIn: 300 }, 'AUTH_TOKEN_EXPIRED'],
    ['a token without exp', { noExpiry: true }, 'AUTH_TOKEN_CLAIMS'],
    ['a token from the future', { notBefore: now() + 600 }, 'AUTH_TOKEN_NOT_YET_VALID'],
    // Issue 14 item 5: a pre-dated or long-lived token is refused (max lifetime, iat not ahead).
    ['a token issued in the future', { issuedAt: now() + 600 }, 'AUTH_TOKEN_NOT_YET_VALID'],
    ['a token valid for a day', { expiresIn: 86_400 }, 'AUTH_TOKEN_LIFETIME'],
  ] as [string, object, AuthErrorCode][])('%s', async (_label, options, code) => {
    const token = await github.mint(githubClaims(), options);
    const err = await failure(auth.authenticate(bearer(token)));
    expect(err.code).toBe(code);
    expect(err.httpStatus).toBe(401);
    expect(err.message).not.toContain(token);
  });

  it('iat within the clock tolerance and a lifetime up to maxTokenLifetimeSec are accepted', async () => {
    const lax = new Authenticator(configFor(github, gitlab, { maxTokenLifetimeSec: 86_400 }));
    const long = await github.mint(githubClaims(), { expiresIn: 86_400 });
    expect((await lax.authenticate(bearer(long))).auth).toBe('oidc');
    const skewed = await github.mint(githubClaims(), { issuedAt: now() + 20 });
    expect((await auth.authenticate(bearer(skewed))).auth).toBe('oidc');
  });

  it('a token of one configured issuer claiming the other', async () => {
    // Signed by GitHub's test key but claiming GitLab's issuer: GitLab's keys must not verify it.
    const token = await github.mint(gitlabClaims(), { issuer: gitlab.url });
    expect((await failure(auth.authenticate(bearer(token)))).code).toBe('AUTH_TOKEN_SIGNATURE');
  });

  it.each([
    ['alg-none', 'AUTH_TOKEN_ALGORITHM'],
    ['hs256', 'AUTH_TOKEN_ALGORITHM'],
    ['hs256-public-key', 'AUTH_TOKEN_ALGORITHM'],
    ['unknown-key', 'AUTH_TOKEN_SIGNATURE'],
    ['wrong-key', 'AUTH_TOKEN_SIGNATURE'],
    ['tampered', 'AUTH_TOKEN_SIGNATURE'],
  ] as [BadTokenKind, AuthErrorCode][])('%s', async (kind, code) => {
    for (const alg of ['RS256', 'ES256'] as const) {
      const token = await github.mintBad(kind, githubClaims(), { alg });
      const err = await failure(auth.authenticate(bearer(token)));
      expect(err.code).toBe(code);
      expect(err.category).toBe('verification');
    }
  });

  it('an algorithm the issuer is not configured for', async () => {
    const rsOnly = new Authenticator(
      validateAuthConfig({
        oidc: {
          issuers: [
            {
              issuer: github.url,
              audience: AUD,
              jwksUri: github.jwksUri,
              algorithms: ['RS256'],
              rules: [{ match: { repository: '**' }, identity: 'x', role: 'qa' }],
            },
          ],
        },
      }),
    );
    await expect(
      rsOnly.authenticate(bearer(await github.mint(githubClaims()))),
    ).resolves.toBeDefined();
    const es = await github.mint(githubClaims(), { alg: 'ES256' });
    expect((await failure(rsOnly.authenticate(bearer(es)))).code).toBe('AUTH_TOKEN_ALGORITHM');
  });

  it.each(['a.b.c', 'eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln'])('malformed JWT %s', async (token) => {
    expect((await failure(auth.authenticate(bearer(token)))).code).toBe('AUTH_TOKEN_MALFORMED');
  });
});

describe('claims not allowed by the rules are refused', () => {
  it.each([
    ['another owner', githubClaims({ repository: 'evil/widgets' })],
    ['a look-alike owner', githubClaims({ repository: 'acme-evil/widgets' })],
    ['a nested path', githubClaims({ repository: 'acme/x/y' })],
    ['another branch', githubClaims({ ref: 'refs/heads/feature' })],
    ['a pull request ref', githubClaims({ ref: 'refs/pull/1/merge' })],
    ['no ref claim', githubClaims({ ref: undefined })],
    [
      'scanner repo, wrong event',
      githubClaims({ repository: 'acme-sec/scans', event_name: 'push' }),
    ],
    ['a non-string claim', githubClaims({ repository: ['acme/widgets'] })],
  ])('GitHub: %s', async (_label, claims) => {
    const err = await failure(auth.authenticate(bearer(await github.mint(claims))));
    expect(err.code).toBe('AUTH_NO_RULE');
    expect(err.category).toBe('forbidden');
    expect(err.httpStatus).toBe(403);
  });

  it.each([
    ['another group', gitlabClaims({ project_path: 'other/project' })],
    ['an unprotected ref', gitlabClaims({ ref_protected: 'false' })],
  ])('GitLab: %s', async (_label, claims) => {
    expect((await failure(auth.authenticate(bearer(await gitlab.mint(claims))))).code).toBe(
      'AUTH_NO_RULE',
    );
  });
});

describe('key sources', () => {
  it('a JWKS file (air-gapped)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'notarize-jwks-'));
    try {
      writeFileSync(join(dir, 'github.json'), JSON.stringify(github.jwks()));
      const config = validateAuthConfig({
        oidc: {
          issuers: [
            {
              issuer: github.url,
              audience: AUD,
              jwksFile: 'github.json',
              rules: [
                { match: { repository: 'acme/*' }, identity: 'github:{repository}', role: 'qa' },
              ],
            },
          ],
        },
      });
      const before = github.hits['/jwks'] ?? 0;
      const offline = new Authenticator(config, { configDir: dir });
      const p = await offline.authenticate(bearer(await github.mint(githubClaims())));
      expect(p.name).toBe('github:acme/widgets');
      expect(github.hits['/jwks'] ?? 0).toBe(before);
      const bad = await github.mintBad('wrong-key', githubClaims());
      expect((await failure(offline.authenticate(bearer(bad)))).code).toBe('AUTH_TOKEN_SIGNATURE');
      expect(() => new Authenticator(config, { configDir: join(dir, 'nope') })).toThrow(
        /JWKS file/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an issuer whose keys cannot be fetched: 503, not a pass', async () => {
    const down = await startOidcIssuer({ defaultAudience: AUD });
    try {
      down.jwksDown = true;
      const fresh = new Authenticator(configFor(down, gitlab));
      const token = await down.mint(githubClaims());
      const err = await failure(fresh.authenticate(bearer(token)));
      expect(err.code).toBe('AUTH_JWKS_UNAVAILABLE');
      expect(err.httpStatus).toBe(503);
      down.jwksDown = false;
      // jose refetches at once after a failed fetch: the next request succeeds.
      expect((await fresh.authenticate(bearer(token))).name).toBe('github:acme/widgets');
    } finally {
      await down.close();
    }
  });

  it('failed discovery fails fast during the cooldown', async () => {
    const down = await startOidcIssuer({ defaultAudience: AUD });
    try {
      down.jwksDown = true;
      const fresh = new Authenticator(configFor(github, down));
      const token = await down.mint(gitlabClaims());
      for (let i = 0; i < 3; i++) {
        expect((await failure(fresh.authenticate(bearer(token)))).code).toBe(
          'AUTH_JWKS_UNAVAILABLE',
        );
      }
      expect(down.hits['/.well-known/openid-configuration']).toBe(1);
    } finally {
      await down.close();
    }
  });

  it('discovery that names another issuer is refused', async () => {
    const other = await startOidcIssuer({ defaultAudience: AUD });
    const liar = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: other.url, jwks_uri: other.jwksUri }));
    });
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    const liarUrl = `http://127.0.0.1:${(liar.address() as AddressInfo).port}`;
    try {
      const fresh = new Authenticator(
        validateAuthConfig({
          oidc: {
            issuers: [
              {
                issuer: liarUrl,
                audience: AUD,
                rules: [{ match: { repository: '**' }, identity: 'x', role: 'qa' }],
              },
            ],
          },
        }),
      );
      const token = await other.mint(githubClaims(), { issuer: liarUrl });
      const err = await failure(fresh.authenticate(bearer(token)));
      expect(err.code).toBe('AUTH_JWKS_UNAVAILABLE');
      expect(err.message).toContain('names issuer');
    } finally {
      liar.closeAllConnections();
      await new Promise((resolve) => liar.close(resolve));
      await other.close();
    }
  });

  it('an issuer that does not answer in time', async () => {
    const hang = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
    try {
      const fresh = new Authenticator(
        validateAuthConfig({
          oidc: {
            jwksTimeoutMs: 300,
            issuers: [
              {
                issuer: url,
                audience: AUD,
                jwksUri: `${url}/jwks`,
                rules: [{ match: { repository: '**' }, identity: 'x', role: 'qa' }],
              },
            ],
          },
        }),
      );
      const token = await github.mint(githubClaims(), { issuer: url });
      const started = Date.now();
      expect((await failure(fresh.authenticate(bearer(token)))).code).toBe('AUTH_JWKS_UNAVAILABLE');
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      hang.closeAllConnections();
      await new Promise((resolve) => hang.close(resolve));
    }
  });
});
