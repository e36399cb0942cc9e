/**
 * Where an issuer's keys come from, and what is said when they cannot be had: OpenID discovery
 * (its URL, its request, each way its answer can be unusable), recovery after a failed discovery,
 * a JWKS endpoint that is down, a JWKS file that is not JSON. Every failure is
 * AUTH_JWKS_UNAVAILABLE (or a config error for the file) with a message naming the fix.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitlabClaims, startOidcIssuer } from '../../../../../test/support/oidc-issuer.ts';
import type { OidcIssuer } from '../../../../../test/support/oidc-issuer.ts';
import { AuthError, Authenticator, validateAuthConfig } from '../index.ts';

const AUD = 'notarize-ledger';
let keys: OidcIssuer; // signs the tokens and serves the JWKS the fake discovery documents name

beforeAll(async () => {
  keys = await startOidcIssuer({ defaultAudience: AUD });
});

afterAll(async () => {
  await keys.close();
});

interface Fake {
  url: string;
  requests: IncomingMessage[];
  close(): Promise<void>;
}

/** A loopback server answering every request with `answer`. */
async function fakeServer(answer: (res: ServerResponse, url: string) => void): Promise<Fake> {
  const requests: IncomingMessage[] = [];
  let url = '';
  const server = createServer((req, res) => {
    requests.push(req);
    answer(res, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const json = (res: ServerResponse, body: unknown, status = 200) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

function authFor(issuer: string, oidc: Record<string, unknown> = {}, extra: object = {}) {
  return new Authenticator(
    validateAuthConfig({
      oidc: {
        jwksTimeoutMs: 2000,
        ...oidc,
        issuers: [
          {
            issuer,
            audience: AUD,
            rules: [
              { match: { project_path: '**' }, identity: 'gitlab:{project_path}', role: 'qa' },
            ],
            ...extra,
          },
        ],
      },
    }),
  );
}

async function refusal(auth: Authenticator, issuer: string): Promise<AuthError> {
  const token = await keys.mint(gitlabClaims(), { issuer });
  try {
    await auth.authenticate({ authorization: `Bearer ${token}` });
  } catch (err) {
    if (err instanceof AuthError) return err;
    throw err;
  }
  throw new Error('expected an AuthError');
}

const discoveryFailed = (where: string, why: string) =>
  `OIDC discovery at ${where} failed: ${why}; retry later, or set jwksUri or jwksFile in the config.`;

describe('OpenID discovery', () => {
  it('asks <issuer>/.well-known/openid-configuration for JSON, without the trailing slashes', async () => {
    const fake = await fakeServer((res) => json(res, { message: 'not found' }, 404));
    try {
      const issuer = `${fake.url}/tenant//`;
      const err = await refusal(authFor(issuer), issuer);
      const where = `${fake.url}/tenant/.well-known/openid-configuration`;
      expect([err.code, err.message]).toEqual([
        'AUTH_JWKS_UNAVAILABLE',
        discoveryFailed(where, 'HTTP 404'),
      ]);
      expect(fake.requests.map((r) => [r.url, r.headers.accept])).toEqual([
        ['/tenant/.well-known/openid-configuration', 'application/json'],
      ]);
    } finally {
      await fake.close();
    }
  });

  it('does not follow a redirect', async () => {
    const fake = await fakeServer((res) =>
      res.writeHead(302, { location: `${keys.url}/.well-known/openid-configuration` }).end(),
    );
    try {
      const err = await refusal(authFor(fake.url), fake.url);
      expect([err.code, err.message]).toEqual([
        'AUTH_JWKS_UNAVAILABLE',
        discoveryFailed(`${fake.url}/.well-known/openid-configuration`, 'fetch failed'),
      ]);
      expect((err.cause as Error).name).toBe('TypeError'); // node's realm, not jest's
    } finally {
      await fake.close();
    }
  });

  it('an issuer that is not listening', async () => {
    const fake = await fakeServer(() => undefined);
    await fake.close();
    const err = await refusal(authFor(fake.url), fake.url);
    expect(err.message).toBe(
      discoveryFailed(`${fake.url}/.well-known/openid-configuration`, 'fetch failed'),
    );
    expect((err.cause as Error).name).toBe('TypeError'); // node's realm, not jest's
  });

  it.each([
    ['a null document', null, 'it names issuer undefined'],
    ['no jwks_uri', 'no-jwks', 'no valid jwks_uri'],
    ['a plain-http jwks_uri', 'http://keys.example/jwks', 'its jwks_uri is not https'],
  ])('refuses %s', async (_label, jwksUri, why) => {
    const fake = await fakeServer((res, url) =>
      json(
        res,
        jwksUri === null
          ? null
          : { issuer: url, jwks_uri: jwksUri === 'no-jwks' ? 'not a url' : jwksUri },
      ),
    );
    try {
      const err = await refusal(authFor(fake.url), fake.url);
      expect([err.code, err.message]).toEqual([
        'AUTH_JWKS_UNAVAILABLE',
        discoveryFailed(`${fake.url}/.well-known/openid-configuration`, why),
      ]);
      if (why === 'no valid jwks_uri') expect((err.cause as Error).name).toBe('TypeError'); // node's realm, not jest's
    } finally {
      await fake.close();
    }
  });

  it('takes an https jwks_uri, and then says when its keys cannot be fetched', async () => {
    const closed = await fakeServer(() => undefined);
    await closed.close();
    const httpsKeys = closed.url.replace('http:', 'https:') + '/jwks';
    const fake = await fakeServer((res, url) => json(res, { issuer: url, jwks_uri: httpsKeys }));
    try {
      const err = await refusal(authFor(fake.url), fake.url);
      expect(err.code).toBe('AUTH_JWKS_UNAVAILABLE');
      expect(err.message).toMatch(
        new RegExp(
          `^The signing keys of ${fake.url} could not be fetched \\(.+\\); retry later\\.$`,
        ),
      );
      expect((err.cause as Error).message).toEqual(expect.any(String));
    } finally {
      await fake.close();
    }
  });

  it('discovers again after a failure once the cooldown is over, then keeps the keys', async () => {
    const issuer = await startOidcIssuer({ defaultAudience: AUD });
    try {
      const auth = authFor(issuer.url, { jwksCooldownMs: 0 });
      const token = await issuer.mint(gitlabClaims());
      const bearer = { authorization: `Bearer ${token}` };
      issuer.jwksDown = true;
      await expect(auth.authenticate(bearer)).rejects.toMatchObject({
        code: 'AUTH_JWKS_UNAVAILABLE',
        message: discoveryFailed(`${issuer.url}/.well-known/openid-configuration`, 'HTTP 503'),
      });
      issuer.jwksDown = false;
      for (let i = 0; i < 3; i++) {
        expect((await auth.authenticate(bearer)).name).toBe('gitlab:group/project');
      }
      expect(issuer.hits['/.well-known/openid-configuration']).toBe(2);
    } finally {
      await issuer.close();
    }
  });
});

describe('JWKS sources', () => {
  it('a JWKS endpoint that is down', async () => {
    const issuer = await startOidcIssuer({ defaultAudience: AUD });
    try {
      issuer.jwksDown = true;
      const auth = authFor(issuer.url, {}, { jwksUri: issuer.jwksUri });
      const token = await issuer.mint(gitlabClaims());
      const err = await auth.authenticate({ authorization: `Bearer ${token}` }).catch((e) => e);
      expect(err).toBeInstanceOf(AuthError);
      expect(err).toMatchObject({
        code: 'AUTH_JWKS_UNAVAILABLE',
        message: `The signing keys of ${issuer.url} could not be fetched (Expected 200 OK from the JSON Web Key Set HTTP response); retry later.`,
      });
      expect((err as AuthError).cause).toBeInstanceOf(Error);
    } finally {
      await issuer.close();
    }
  });

  it('a JWKS file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'notarize-jwks-'));
    try {
      writeFileSync(join(dir, 'keys.json'), 'not json');
      const config = validateAuthConfig({
        oidc: {
          issuers: [
            {
              issuer: 'https://issuer.example',
              audience: AUD,
              jwksFile: 'keys.json',
              rules: [{ match: { sub: '**' }, identity: 'x', role: 'qa' }],
            },
          ],
        },
      });
      let err: unknown;
      try {
        new Authenticator(config, { configDir: dir });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AuthError);
      expect((err as AuthError).code).toBe('AUTH_CONFIG_INVALID');
      expect((err as AuthError).message).toMatch(
        new RegExp(
          `^Auth config: the JWKS file ${join(dir, 'keys.json')} of issuer https://issuer.example cannot be used: .+\\. Save the issuer's JWKS \\(its jwks_uri\\) there\\.$`,
        ),
      );
      expect((err as AuthError).cause).toBeInstanceOf(SyntaxError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
