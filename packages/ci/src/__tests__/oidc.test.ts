import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { CiError, getOidcToken } from '../index.ts';
import type { CiErrorCode, Env } from '../index.ts';

function jwt(payload: object): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(payload)}.c2lnbmF0dXJl`;
}

const REQUEST_TOKEN = 'request-token-secret';
const TOKEN = jwt({ iss: 'https://token.actions.githubusercontent.com', aud: 'ledger' });

/** A stand-in for the runner's token service: each path misbehaves in its own way. */
let server: Server;
let base: string;
const seen: { url: string; authorization: string | undefined }[] = [];
const open = new Set<ServerResponse>();

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
  if (req.headers.authorization !== `Bearer ${REQUEST_TOKEN}` || url.pathname === '/401') {
    res.writeHead(401).end('{"message":"Unauthorized"}');
    return;
  }
  switch (url.pathname) {
    case '/token':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ count: 1, value: TOKEN }));
      return;
    case '/500':
      res.writeHead(500).end('oops');
      return;
    case '/malformed':
      res.writeHead(200, { 'content-type': 'application/json' }).end(`{"value": "${TOKEN}`);
      return;
    case '/novalue':
      res.writeHead(200).end('{"count":0}');
      return;
    case '/notjwt':
      res.writeHead(200).end('{"value":"hello"}');
      return;
    case '/huge':
      res.writeHead(200).end(JSON.stringify({ value: 'x'.repeat(200_000) }));
      return;
    case '/hang':
      open.add(res); // never answers
      return;
    default:
      res.writeHead(404).end();
  }
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of open) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function githubEnv(path: string, token = REQUEST_TOKEN): Env {
  return {
    GITHUB_ACTIONS: 'true',
    ACTIONS_ID_TOKEN_REQUEST_URL: `${base}${path}?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: token,
  };
}

async function failure(promise: Promise<unknown>): Promise<CiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof CiError) return err;
    throw err;
  }
  throw new Error('expected a CiError');
}

describe('getOidcToken on GitHub', () => {
  it('fetches the token with the audience and the request token', async () => {
    seen.length = 0;
    const token = await getOidcToken({ env: githubEnv('/token'), audience: 'ledger' });
    expect(token).toBe(TOKEN);
    expect(seen).toHaveLength(1);
    const url = new URL(seen[0]?.url ?? '', 'http://x');
    expect(url.searchParams.get('api-version')).toBe('2.0');
    expect(url.searchParams.get('audience')).toBe('ledger');
    expect(seen[0]?.authorization).toBe(`Bearer ${REQUEST_TOKEN}`);
  });

  it('encodes the audience', async () => {
    seen.length = 0;
    await getOidcToken({ env: githubEnv('/token'), audience: 'https://ledger.example/a&b' });
    expect(new URL(seen[0]?.url ?? '', 'http://x').searchParams.get('audience')).toBe(
      'https://ledger.example/a&b',
    );
  });

  it('uses a dispatcher passed in', async () => {
    let dispatched = 0;
    const agent = new Agent().compose((dispatch) => (opts, handler) => {
      dispatched++;
      return dispatch(opts, handler);
    });
    try {
      await getOidcToken({ env: githubEnv('/token'), audience: 'ledger', dispatcher: agent });
    } finally {
      await agent.close();
    }
    expect(dispatched).toBe(1);
  });

  it('explains the missing permission', async () => {
    const err = await failure(
      getOidcToken({ env: { GITHUB_ACTIONS: 'true' }, audience: 'ledger' }),
    );
    expect(err.code).toBe('OIDC_PERMISSION_MISSING');
    expect(err.message).toContain('permissions: id-token: write');
  });

  it.each([
    ['/401', REQUEST_TOKEN, 'OIDC_REQUEST_REFUSED', 'forbidden'],
    ['/token', 'wrong-request-token', 'OIDC_REQUEST_REFUSED', 'forbidden'],
    ['/500', REQUEST_TOKEN, 'OIDC_REQUEST_FAILED', 'unavailable'],
    ['/malformed', REQUEST_TOKEN, 'OIDC_RESPONSE_INVALID', 'unavailable'],
    ['/novalue', REQUEST_TOKEN, 'OIDC_RESPONSE_INVALID', 'unavailable'],
    ['/notjwt', REQUEST_TOKEN, 'OIDC_RESPONSE_INVALID', 'unavailable'],
    ['/huge', REQUEST_TOKEN, 'OIDC_RESPONSE_INVALID', 'unavailable'],
  ] as [string, string, CiErrorCode, string][])(
    '%s (request token %s) -> %s',
    async (path, requestToken, code, category) => {
      const err = await failure(
        getOidcToken({ env: githubEnv(path, requestToken), audience: 'a' }),
      );
      expect(err.code).toBe(code);
      expect(err.category).toBe(category);
      // Neither the request token nor any part of a token leaks into messages.
      expect(err.message).not.toContain(requestToken);
      expect(err.message).not.toContain(TOKEN.split('.')[1]);
    },
  );

  it('times out on a service that does not answer', async () => {
    const started = Date.now();
    const err = await failure(
      getOidcToken({ env: githubEnv('/hang'), audience: 'ledger', timeoutMs: 300 }),
    );
    expect(err.code).toBe('OIDC_TIMEOUT');
    expect(err.category).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('times out even with a dispatcher that has no timeouts', async () => {
    const agent = new Agent({ headersTimeout: 0, bodyTimeout: 0 });
    try {
      const err = await failure(
        getOidcToken({ env: githubEnv('/hang'), audience: 'a', timeoutMs: 300, dispatcher: agent }),
      );
      expect(err.code).toBe('OIDC_TIMEOUT');
    } finally {
      await agent.destroy();
    }
  });

  it('reports a service that is not there', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const err = await failure(
      getOidcToken({
        env: {
          GITHUB_ACTIONS: 'true',
          ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/token?api-version=2.0`,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN,
        },
        audience: 'a',
      }),
    );
    expect(err.code).toBe('OIDC_REQUEST_FAILED');
    expect(err.category).toBe('unavailable');
  });

  it.each(['not a url', 'file:///etc/passwd'])('refuses the request URL %s', async (bad) => {
    const env = { ...githubEnv('/token'), ACTIONS_ID_TOKEN_REQUEST_URL: bad };
    expect((await failure(getOidcToken({ env, audience: 'a' }))).code).toBe('CI_ENV_INVALID');
  });

  it('refuses a bad audience before any request', async () => {
    seen.length = 0;
    for (const audience of ['', 'a b', 'a\nb']) {
      const err = await failure(getOidcToken({ env: githubEnv('/token'), audience }));
      expect(err.code).toBe('OIDC_AUDIENCE_INVALID');
    }
    expect(seen).toHaveLength(0);
  });
});

describe('getOidcToken on GitLab', () => {
  const gitlabToken = jwt({ iss: 'https://gitlab.com', aud: ['ledger', 'other'] });

  it('reads the default variable', async () => {
    const env = { GITLAB_CI: 'true', NOTARIZE_ID_TOKEN: gitlabToken };
    await expect(getOidcToken({ env, audience: 'ledger' })).resolves.toBe(gitlabToken);
  });

  it('reads a variable named by the user', async () => {
    const env = { GITLAB_CI: 'true', MY_TOKEN: gitlabToken };
    await expect(
      getOidcToken({ env, audience: 'other', gitlabVariable: 'MY_TOKEN' }),
    ).resolves.toBe(gitlabToken);
  });

  it('explains id_tokens when the variable is missing', async () => {
    const err = await failure(getOidcToken({ env: { GITLAB_CI: 'true' }, audience: 'ledger' }));
    expect(err.code).toBe('OIDC_TOKEN_MISSING');
    expect(err.message).toContain('id_tokens: { NOTARIZE_ID_TOKEN: { aud: ledger } }');
  });

  it('refuses a variable that holds no JWT, without echoing it', async () => {
    const env = { GITLAB_CI: 'true', NOTARIZE_ID_TOKEN: 'glpat-secret' };
    const err = await failure(getOidcToken({ env, audience: 'ledger' }));
    expect(err.code).toBe('OIDC_TOKEN_MISSING');
    expect(err.message).not.toContain('glpat-secret');
  });

  it('points out a token minted for another audience', async () => {
    const env = { GITLAB_CI: 'true', NOTARIZE_ID_TOKEN: gitlabToken };
    const err = await failure(getOidcToken({ env, audience: 'elsewhere' }));
    expect(err.code).toBe('OIDC_AUDIENCE_MISMATCH');
  });
});

describe('getOidcToken elsewhere', () => {
  it('refuses a local run', async () => {
    const err = await failure(getOidcToken({ env: {}, audience: 'ledger' }));
    expect(err.code).toBe('OIDC_UNSUPPORTED_PROVIDER');
  });

  it('an explicit provider skips detection', async () => {
    const env = { NOTARIZE_ID_TOKEN: jwt({ aud: 'ledger' }) };
    await expect(getOidcToken({ env, audience: 'ledger', provider: 'gitlab' })).resolves.toBe(
      env.NOTARIZE_ID_TOKEN,
    );
  });
});
