/**
 * Every refusal of an OIDC token, word for word and with the jose error it came from as its
 * cause: the message is what a pipeline's log shows, so it must name the problem and the fix.
 */
import {
  gitlabClaims,
  githubClaims,
  startOidcIssuer,
} from '../../../../../test/support/oidc-issuer.ts';
import type { OidcIssuer } from '../../../../../test/support/oidc-issuer.ts';
import { AuthError, Authenticator, validateAuthConfig } from '../index.ts';

const AUD = 'notarize-ledger';
let github: OidcIssuer;
let gitlab: OidcIssuer;
let auth: Authenticator;

beforeAll(async () => {
  github = await startOidcIssuer({ path: '/github', defaultAudience: AUD });
  gitlab = await startOidcIssuer({ path: '/gitlab', defaultAudience: AUD });
  auth = new Authenticator(
    validateAuthConfig({
      oidc: {
        clockToleranceSec: 30,
        issuers: [
          {
            issuer: github.url,
            audience: AUD,
            jwksUri: github.jwksUri,
            rules: [
              {
                match: { repository: 'acme/*' },
                identity: 'github:{repository}',
                role: 'pipeline',
              },
            ],
          },
          {
            issuer: gitlab.url,
            audience: [AUD, 'other'],
            rules: [
              {
                match: { project_path: 'group/**' },
                identity: 'gitlab:{project_path}',
                role: 'qa',
              },
            ],
          },
        ],
      },
    }),
  );
});

afterAll(async () => {
  await github.close();
  await gitlab.close();
});

async function refusal(token: string): Promise<AuthError> {
  try {
    await auth.authenticate({ authorization: `Bearer ${token}` });
  } catch (err) {
    if (err instanceof AuthError) return err;
    throw err;
  }
  throw new Error('expected an AuthError');
}

const causeOf = (err: AuthError) => (err.cause as Error | undefined)?.constructor.name;
const now = () => Math.floor(Date.now() / 1000);
const noRule = (who: string, issuer: string) =>
  `The token of ${who} from ${issuer} is valid, but no rule of this ledger admits it; ` +
  'ask the ledger admin to add a rule under oidc.issuers[].rules.';

describe('OIDC refusals, word for word', () => {
  it('a token that is not a JWT', async () => {
    const err = await refusal('a.b.c');
    expect([err.code, err.message]).toEqual([
      'AUTH_TOKEN_MALFORMED',
      'The bearer token is not a well-formed JWT.',
    ]);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('a signature that is not base64url', async () => {
    const [header, payload] = (await github.mint(githubClaims())).split('.');
    const err = await refusal(`${header}.${payload}.***`);
    expect([err.code, err.message, causeOf(err)]).toEqual([
      'AUTH_TOKEN_MALFORMED',
      'The token is not a valid JWT (Failed to base64url decode the signature).',
      'JWSInvalid',
    ]);
  });

  it('an issuer the ledger does not know, naming those it does', async () => {
    const err = await refusal(
      await github.mint(githubClaims(), { issuer: 'https://evil.example' }),
    );
    expect([err.code, err.message]).toEqual([
      'AUTH_TOKEN_ISSUER',
      `Tokens from issuer "https://evil.example" are not accepted; this ledger accepts ${github.url}, ${gitlab.url}.`,
    ]);
  });

  it.each(['alg-none', 'hs256'] as const)('algorithm of %s', async (kind) => {
    const err = await refusal(await github.mintBad(kind, githubClaims()));
    const alg = kind === 'alg-none' ? 'none' : 'HS256';
    expect([err.code, err.message]).toEqual([
      'AUTH_TOKEN_ALGORITHM',
      `Token algorithm "${alg}" is not allowed for ${github.url} (allowed: RS256, ES256).`,
    ]);
  });

  it('a signature by another key, or of another payload', async () => {
    for (const kind of ['wrong-key', 'tampered'] as const) {
      const err = await refusal(await github.mintBad(kind, githubClaims()));
      expect([err.code, err.message, causeOf(err)]).toEqual([
        'AUTH_TOKEN_SIGNATURE',
        `The token's signature does not verify against the keys of ${github.url}.`,
        'JWSSignatureVerificationFailed',
      ]);
    }
  });

  it('a key id the issuer does not have', async () => {
    const err = await refusal(await github.mintBad('unknown-key', githubClaims()));
    expect([err.code, err.message, causeOf(err)]).toEqual([
      'AUTH_TOKEN_SIGNATURE',
      `No single key of ${github.url} matches the token's key id; it was not signed by that issuer.`,
      'JWKSNoMatchingKey',
    ]);
  });

  it('another audience, naming every accepted one', async () => {
    const gh = await refusal(await github.mint(githubClaims(), { audience: 'x' }));
    expect([gh.code, gh.message, causeOf(gh)]).toEqual([
      'AUTH_TOKEN_AUDIENCE',
      'The token is not for this ledger: its audience must be notarize-ledger; request the token with that audience.',
      'JWTClaimValidationFailed',
    ]);
    const gl = await refusal(await gitlab.mint(gitlabClaims(), { audience: 'x' }));
    expect(gl.message).toBe(
      'The token is not for this ledger: its audience must be notarize-ledger or other; request the token with that audience.',
    );
  });

  it('expired, not yet valid, without exp', async () => {
    const expired = await refusal(
      await github.mint(githubClaims(), { issuedAt: now() - 700, expiresIn: 300 }),
    );
    expect([expired.code, expired.message, causeOf(expired)]).toEqual([
      'AUTH_TOKEN_EXPIRED',
      'The OIDC token has expired; request a fresh one.',
      'JWTExpired',
    ]);
    const early = await refusal(await github.mint(githubClaims(), { notBefore: now() + 600 }));
    expect([early.code, early.message, causeOf(early)]).toEqual([
      'AUTH_TOKEN_NOT_YET_VALID',
      'The token is not valid yet (nbf); check the clocks.',
      'JWTClaimValidationFailed',
    ]);
    const noExp = await refusal(await github.mint(githubClaims(), { noExpiry: true }));
    expect([noExp.code, noExp.message, causeOf(noExp)]).toEqual([
      'AUTH_TOKEN_CLAIMS',
      'The token\'s "exp" claim is missing.',
      'JWTClaimValidationFailed',
    ]);
  });

  it('issued in the future, by how much, and against which tolerance', async () => {
    const err = await refusal(await github.mint(githubClaims(), { issuedAt: now() + 600 }));
    expect(err.code).toBe('AUTH_TOKEN_NOT_YET_VALID');
    // 599 to 600 s ahead, depending on when the second turns.
    expect(err.message).toMatch(
      /^The token was issued in the future \(iat is (599|600) s ahead of this ledger's clock, tolerance 30 s\); check the clocks\.$/,
    );
  });

  it('issued exactly at the tolerance is accepted', async () => {
    // iat = now + 30 is not beyond the 30 s tolerance; a second may pass while minting.
    const token = await github.mint(githubClaims(), { issuedAt: now() + 30 });
    await expect(auth.authenticate({ authorization: `Bearer ${token}` })).resolves.toMatchObject({
      auth: 'oidc',
    });
  });

  it('valid for too long, saying for how long and the limit', async () => {
    const err = await refusal(await github.mint(githubClaims(), { expiresIn: 86_400 }));
    expect([err.code, err.message]).toEqual([
      'AUTH_TOKEN_LIFETIME',
      'The token is valid for 86400 s; this ledger accepts OIDC tokens valid for at most 7200 s (oidc.maxTokenLifetimeSec).',
    ]);
  });

  it('no rule admits it: named by sub, else repository, else project_path', async () => {
    const bySub = await refusal(await github.mint(githubClaims({ repository: 'evil/x' })));
    expect([bySub.code, bySub.message]).toEqual([
      'AUTH_NO_RULE',
      noRule('repo:evil/x:ref:refs/heads/main', github.url),
    ]);
    const byRepo = await refusal(
      await github.mint(githubClaims({ repository: 'evil/x', sub: undefined })),
    );
    expect(byRepo.message).toBe(noRule('evil/x', github.url));
    const byProject = await refusal(
      await gitlab.mint(gitlabClaims({ project_path: 'other/x', sub: undefined })),
    );
    expect(byProject.message).toBe(noRule('other/x', gitlab.url));
    const nobody = await refusal(
      await gitlab.mint(gitlabClaims({ project_path: undefined, sub: undefined })),
    );
    expect(nobody.message).toBe(noRule('(no sub)', gitlab.url));
  });
});
