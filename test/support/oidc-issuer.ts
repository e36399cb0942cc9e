/**
 * A local OIDC issuer for tests, on 127.0.0.1 (node:http). It serves what a real one does:
 * `/.well-known/openid-configuration` and a JWKS (`/jwks`), mints jose-signed tokens (RS256 and
 * ES256) with GitHub-like or GitLab-like claims, and mints bad tokens on purpose (wrong issuer,
 * audience, expired, alg none/HS256, unknown or wrong key, tampered signature). It also plays the
 * GitHub runner's token service: `GET /token?audience=…` with `Authorization: Bearer
 * <requestToken>` answers `{"value": <token>}`, the way `ACTIONS_ID_TOKEN_REQUEST_URL` does.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JSONWebKeySet, JWK, JWTPayload } from 'jose';

export type IssuerAlg = 'RS256' | 'ES256';

export type BadTokenKind =
  | 'alg-none'
  | 'hs256'
  /** HS256 with the issuer's RSA public key as the secret: the classic key-confusion attack. */
  | 'hs256-public-key'
  /** Signed by a key that is not in the JWKS, under a kid that is not either. */
  | 'unknown-key'
  /** Signed by a key that is not in the JWKS, under the kid of one that is. */
  | 'wrong-key'
  /** A good token whose payload was changed after signing. */
  | 'tampered';

export interface MintOptions {
  alg?: IssuerAlg;
  /** Default: this issuer. */
  issuer?: string;
  /** Default: `defaultAudience`. */
  audience?: string | string[];
  /** Lifetime in seconds from `issuedAt` (default 300); negative makes an expired token. */
  expiresIn?: number;
  /** Seconds since the epoch (default: now). */
  issuedAt?: number;
  notBefore?: number;
  /** Leave out `exp` altogether. */
  noExpiry?: boolean;
  kid?: string;
}

interface KeyPair {
  alg: IssuerAlg;
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface OidcIssuerOptions {
  /** A path under which the issuer lives (`/github` -> `http://127.0.0.1:port/github`). */
  path?: string;
  defaultAudience?: string;
}

export interface OidcIssuer {
  /** The issuer identifier (`iss`), e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly jwksUri: string;
  readonly defaultAudience: string;
  /** The runner's request token (ACTIONS_ID_TOKEN_REQUEST_TOKEN). */
  readonly requestToken: string;
  /** Claims of tokens the runner endpoint mints (audience from the query). */
  runnerClaims: Record<string, unknown>;
  /** Requests served, by path (discovery, jwks, token), to check caching. */
  readonly hits: Record<string, number>;
  /** While true, /jwks and discovery answer 503. */
  jwksDown: boolean;
  jwks(): JSONWebKeySet;
  mint(claims: Record<string, unknown>, options?: MintOptions): Promise<string>;
  mintBad(
    kind: BadTokenKind,
    claims: Record<string, unknown>,
    options?: MintOptions,
  ): Promise<string>;
  /** Env of a GitHub job whose token service is this issuer. */
  runnerEnv(): Record<string, string>;
  close(): Promise<void>;
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

async function keyPair(alg: IssuerAlg): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `${alg.toLowerCase()}-${randomBytes(4).toString('hex')}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { alg, kid, privateKey, publicJwk };
}

export function githubClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  // Overrides may be odd on purpose (a list, undefined); derived claims use the defaults then.
  const repository =
    typeof overrides.repository === 'string' ? overrides.repository : 'acme/widgets';
  const ref = typeof overrides.ref === 'string' ? overrides.ref : 'refs/heads/main';
  const workflowRef = `${repository}/.github/workflows/ci.yml@${ref}`;
  return {
    sub: `repo:${repository}:ref:${ref}`,
    repository,
    repository_id: '123456',
    repository_owner: repository.split('/')[0],
    repository_owner_id: '4242',
    repository_visibility: 'private',
    ref,
    ref_type: 'branch',
    sha: 'a'.repeat(40),
    workflow: 'CI',
    workflow_ref: workflowRef,
    workflow_sha: 'a'.repeat(40),
    job_workflow_ref: workflowRef,
    job_workflow_sha: 'a'.repeat(40),
    run_id: '1234567890',
    run_number: '17',
    run_attempt: '1',
    event_name: 'push',
    actor: 'octocat',
    actor_id: '1',
    runner_environment: 'github-hosted',
    jti: randomBytes(8).toString('hex'),
    ...overrides,
  };
}

export function gitlabClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const project =
    typeof overrides.project_path === 'string' ? overrides.project_path : 'group/project';
  const ref = typeof overrides.ref === 'string' ? overrides.ref : 'main';
  return {
    sub: `project_path:${project}:ref_type:branch:ref:${ref}`,
    namespace_id: '10',
    namespace_path: project.split('/').slice(0, -1).join('/'),
    project_id: '22',
    project_path: project,
    user_id: '5',
    user_login: 'alice',
    pipeline_id: '777',
    pipeline_source: 'push',
    job_id: '4242',
    ref,
    ref_type: 'branch',
    ref_protected: 'true',
    sha: 'b'.repeat(40),
    runner_id: 9,
    runner_environment: 'gitlab-hosted',
    ci_config_ref_uri: `gitlab.example.com/${project}//.gitlab-ci.yml@refs/heads/${ref}`,
    ci_config_sha: 'b'.repeat(40),
    jti: randomBytes(8).toString('hex'),
    ...overrides,
  };
}

export async function startOidcIssuer(options: OidcIssuerOptions = {}): Promise<OidcIssuer> {
  const prefix = (options.path ?? '').replace(/\/+$/, '');
  const keys = { RS256: await keyPair('RS256'), ES256: await keyPair('ES256') };
  const strangers = { RS256: await keyPair('RS256'), ES256: await keyPair('ES256') };
  const requestToken = randomBytes(16).toString('hex');
  const hits: Record<string, number> = {};
  let url = '';

  const issuer: OidcIssuer = {
    get url() {
      return url;
    },
    get jwksUri() {
      return `${url}/jwks`;
    },
    defaultAudience: options.defaultAudience ?? 'notarize-ledger',
    requestToken,
    runnerClaims: githubClaims(),
    hits,
    jwksDown: false,
    jwks: () => ({ keys: Object.values(keys).map((k) => k.publicJwk) }),
    async mint(claims, o = {}) {
      const alg = o.alg ?? 'RS256';
      return sign(claims, o, keys[alg].privateKey, o.kid ?? keys[alg].kid, alg);
    },
    async mintBad(kind, claims, o = {}) {
      const alg = o.alg ?? 'RS256';
      switch (kind) {
        case 'alg-none':
          return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload(claims, o))}.`;
        case 'hs256':
          return sign(claims, o, randomBytes(32), keys.RS256.kid, 'HS256');
        case 'hs256-public-key':
          return sign(
            claims,
            o,
            Buffer.from(JSON.stringify(keys.RS256.publicJwk)),
            keys.RS256.kid,
            'HS256',
          );
        case 'unknown-key':
          return sign(claims, o, strangers[alg].privateKey, strangers[alg].kid, alg);
        case 'wrong-key':
          return sign(claims, o, strangers[alg].privateKey, keys[alg].kid, alg);
        case 'tampered': {
          const [h, , s] = (await issuer.mint(claims, o)).split('.');
          return `${h}.${b64({ ...payload(claims, o), repository: 'evil/repo', project_path: 'evil/repo' })}.${s}`;
        }
      }
    },
    runnerEnv: () => ({
      GITHUB_ACTIONS: 'true',
      ACTIONS_ID_TOKEN_REQUEST_URL: `${url}/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken,
    }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };

  function payload(claims: Record<string, unknown>, o: MintOptions): JWTPayload {
    const iat = o.issuedAt ?? Math.floor(Date.now() / 1000);
    const p: JWTPayload = {
      iss: o.issuer ?? url,
      aud: o.audience ?? issuer.defaultAudience,
      iat,
      ...claims,
    };
    if (!o.noExpiry) p.exp = iat + (o.expiresIn ?? 300);
    if (o.notBefore !== undefined) p.nbf = o.notBefore;
    return p;
  }

  function sign(
    claims: Record<string, unknown>,
    o: MintOptions,
    key: CryptoKey | Uint8Array,
    kid: string,
    alg: string,
  ): Promise<string> {
    return new SignJWT(payload(claims, o)).setProtectedHeader({ alg, kid, typ: 'JWT' }).sign(key);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = u.pathname.startsWith(prefix) ? u.pathname.slice(prefix.length) : u.pathname;
    hits[path] = (hits[path] ?? 0) + 1;
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method !== 'GET') return json(405, { message: 'GET only' });
    switch (path) {
      case '/.well-known/openid-configuration':
        if (issuer.jwksDown) return json(503, { message: 'down' });
        return json(200, {
          issuer: url,
          jwks_uri: issuer.jwksUri,
          subject_types_supported: ['public'],
          response_types_supported: ['id_token'],
          id_token_signing_alg_values_supported: ['RS256', 'ES256'],
          claims_supported: Object.keys(githubClaims()),
        });
      case '/jwks':
        if (issuer.jwksDown) return json(503, { message: 'down' });
        return json(200, issuer.jwks());
      case '/token': {
        if (req.headers.authorization !== `Bearer ${requestToken}`) {
          return json(401, { message: 'Bad credentials' });
        }
        const audience = u.searchParams.get('audience') ?? issuer.defaultAudience;
        return json(200, { count: 1, value: await issuer.mint(issuer.runnerClaims, { audience }) });
      }
      default:
        return json(404, { message: 'not found' });
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${prefix}`;
  return issuer;
}
