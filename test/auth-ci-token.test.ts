/**
 * The whole chain a GitHub job goes through: @notarize/ci fetches the job's token from the
 * runner's token service (played by the test issuer), the ledger's Authenticator verifies it.
 */
import { ciContext, ciIdentityName, getOidcToken } from '@notarize/ci';
import { githubClaims, startOidcIssuer } from './support/oidc-issuer.ts';
import type { OidcIssuer } from './support/oidc-issuer.ts';
import { Authenticator, validateAuthConfig } from '@notarize/server/auth';

const AUD = 'notarize-ledger';
let issuer: OidcIssuer;

beforeAll(async () => {
  issuer = await startOidcIssuer();
});

afterAll(async () => {
  await issuer.close();
});

function authenticator(): Authenticator {
  return new Authenticator(
    validateAuthConfig({
      oidc: {
        issuers: [
          {
            issuer: issuer.url,
            audience: AUD,
            rules: [
              {
                match: { repository: 'acme/*', ref: 'refs/heads/main' },
                identity: 'github:{repository}',
                role: 'pipeline',
              },
            ],
          },
        ],
      },
    }),
  );
}

it('a GitHub job token, fetched by @notarize/ci, names the same identity as the CI context', async () => {
  const env = {
    ...issuer.runnerEnv(),
    GITHUB_REPOSITORY: 'acme/widgets',
    GITHUB_RUN_ID: '1234567890',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'build',
  };
  issuer.runnerClaims = githubClaims({ repository: 'acme/widgets' });
  const token = await getOidcToken({ env, audience: AUD });
  const principal = await authenticator().authenticate({ authorization: `Bearer ${token}` });
  const ci = ciContext({ env });
  expect(principal.name).toBe(ciIdentityName(ci));
  expect(principal.claims.run_id).toBe(ci.pipelineId);
  expect(principal.claims.run_attempt).toBe(ci.runAttempt);
});

it('a token fetched for another audience is refused by the ledger', async () => {
  issuer.runnerClaims = githubClaims();
  const token = await getOidcToken({ env: issuer.runnerEnv(), audience: 'someone-else' });
  await expect(
    authenticator().authenticate({ authorization: `Bearer ${token}` }),
  ).rejects.toMatchObject({ code: 'AUTH_TOKEN_AUDIENCE' });
});
