/**
 * The CI job's OIDC token, which the ledger service verifies to learn who is writing.
 *
 * GitHub: the runner offers a token service at ACTIONS_ID_TOKEN_REQUEST_URL (present only when the
 * job has `permissions: id-token: write`); we call it ourselves instead of `core.getIDToken` so
 * the source is injectable (`@github/local-action` cannot do getIDToken) and bounded in time.
 * GitLab: the token was minted before the job started, into the variable that `id_tokens:` names.
 *
 * Tokens are never logged nor put into error messages.
 */
import { Agent, request } from 'undici';
import type { Dispatcher } from 'undici';
import type { CiProvider, Env } from './context.ts';
import { detectProvider } from './detect.ts';
import { CiError } from './errors.ts';
import { hasControl } from './env.ts';

export const DEFAULT_GITLAB_TOKEN_VARIABLE = 'NOTARIZE_ID_TOKEN';
export const DEFAULT_OIDC_TIMEOUT_MS = 10_000;
/** A token response is a few KiB; anything far larger is not one. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface OidcTokenOptions {
  env: Env;
  /** The audience the ledger service expects (its `oidc.issuers[].audience`). */
  audience: string;
  /** Skips detection. */
  provider?: CiProvider;
  /** GitLab: the variable that `id_tokens:` fills (default NOTARIZE_ID_TOKEN). */
  gitlabVariable?: string;
  /** GitHub: the HTTP client to use; without one, an Agent with `timeoutMs` timeouts is made. */
  dispatcher?: Dispatcher;
  timeoutMs?: number;
}

export async function getOidcToken(options: OidcTokenOptions): Promise<string> {
  const { audience } = options;
  if (
    typeof audience !== 'string' ||
    audience === '' ||
    /\s/.test(audience) ||
    hasControl(audience)
  ) {
    throw new CiError(
      'OIDC_AUDIENCE_INVALID',
      'input',
      'The OIDC audience must be a non-empty string without spaces (the ledger service config names it).',
    );
  }
  const provider = options.provider ?? detectProvider(options.env);
  switch (provider) {
    case 'github':
      return githubToken(options);
    case 'gitlab':
      return gitlabToken(options);
    case 'local':
      throw new CiError(
        'OIDC_UNSUPPORTED_PROVIDER',
        'input',
        'No OIDC token outside GitHub Actions or GitLab CI; use an API key (NOTARIZE_TOKEN) instead.',
      );
  }
}

function githubToken(options: OidcTokenOptions): Promise<string> {
  const base = options.env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const bearer = options.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!base || !bearer) {
    throw new CiError(
      'OIDC_PERMISSION_MISSING',
      'forbidden',
      'GitHub did not offer an OIDC token to this job (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN unset): ' +
        'add `permissions: id-token: write` to the workflow or job.',
    );
  }
  let url: URL;
  try {
    url = new URL(base);
  } catch (cause) {
    throw new CiError('CI_ENV_INVALID', 'input', 'ACTIONS_ID_TOKEN_REQUEST_URL is not a URL.', {
      cause,
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CiError(
      'CI_ENV_INVALID',
      'input',
      'ACTIONS_ID_TOKEN_REQUEST_URL is not an http(s) URL.',
    );
  }
  // The runner's URL already carries `?api-version=…`; setting the parameter keeps it.
  url.searchParams.set('audience', options.audience);
  return fetchToken(url, bearer, options);
}

async function fetchToken(url: URL, bearer: string, options: OidcTokenOptions): Promise<string> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_OIDC_TIMEOUT_MS;
  const own =
    options.dispatcher === undefined
      ? new Agent({ connectTimeout: timeoutMs, headersTimeout: timeoutMs, bodyTimeout: timeoutMs })
      : undefined;
  const where = `the GitHub OIDC token service (${url.origin})`;
  try {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: 'GET',
        headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' },
        dispatcher: options.dispatcher ?? own,
        // Bounds the whole exchange, also when a caller's dispatcher has no timeouts.
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw transportError(cause, where, timeoutMs);
    }
    let body: string;
    try {
      body = await readCapped(res.body);
    } catch (cause) {
      if (cause instanceof CiError) throw cause;
      throw transportError(cause, where, timeoutMs);
    }
    if (res.statusCode === 401 || res.statusCode === 403) {
      throw new CiError(
        'OIDC_REQUEST_REFUSED',
        'forbidden',
        `${where} refused the request (HTTP ${res.statusCode}): the job's request token is not ` +
          'valid; check `permissions: id-token: write` and that the step runs inside the job.',
      );
    }
    if (res.statusCode !== 200) {
      throw new CiError(
        'OIDC_REQUEST_FAILED',
        'unavailable',
        `${where} answered HTTP ${res.statusCode}; retry the job.`,
      );
    }
    return parseTokenResponse(body, where);
  } finally {
    await own?.close();
  }
}

function transportError(cause: unknown, where: string, timeoutMs: number): CiError {
  const code = (cause as { code?: unknown }).code;
  const name = (cause as { name?: unknown }).name;
  if (
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return new CiError(
      'OIDC_TIMEOUT',
      'unavailable',
      `${where} did not answer within ${timeoutMs} ms; retry the job.`,
      { cause },
    );
  }
  return new CiError(
    'OIDC_REQUEST_FAILED',
    'unavailable',
    `Could not reach ${where}: ${(cause as Error).message ?? String(cause)}.`,
    { cause },
  );
}

async function readCapped(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_RESPONSE_BYTES) {
      body.destroy();
      throw new CiError(
        'OIDC_RESPONSE_INVALID',
        'unavailable',
        `The OIDC token response is larger than ${MAX_RESPONSE_BYTES} bytes; it is not a token.`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function parseTokenResponse(body: string, where: string): string {
  let value: unknown;
  try {
    value = (JSON.parse(body) as { value?: unknown } | null)?.value;
  } catch (cause) {
    // The body is not echoed: it may hold a token.
    throw new CiError('OIDC_RESPONSE_INVALID', 'unavailable', `${where} did not answer JSON.`, {
      cause,
    });
  }
  if (typeof value !== 'string' || !JWT.test(value)) {
    throw new CiError(
      'OIDC_RESPONSE_INVALID',
      'unavailable',
      `${where} answered JSON without a JWT in "value".`,
    );
  }
  return value;
}

function gitlabToken(options: OidcTokenOptions): string {
  const variable = options.gitlabVariable ?? DEFAULT_GITLAB_TOKEN_VARIABLE;
  const token = options.env[variable];
  const howTo =
    `add to the job \`id_tokens: { ${variable}: { aud: ${options.audience} } }\`` +
    (options.gitlabVariable === undefined ? '' : ' (or name the variable that holds the token)');
  if (token === undefined || token === '') {
    throw new CiError('OIDC_TOKEN_MISSING', 'input', `No OIDC token in ${variable}: ${howTo}.`);
  }
  if (!JWT.test(token)) {
    throw new CiError('OIDC_TOKEN_MISSING', 'input', `${variable} does not hold a JWT: ${howTo}.`);
  }
  // Checked here only to give a clear message early; the ledger service verifies it for real.
  const aud = unverifiedAudience(token);
  if (aud !== undefined && !aud.includes(options.audience)) {
    throw new CiError(
      'OIDC_AUDIENCE_MISMATCH',
      'input',
      `The token in ${variable} is for another audience than "${options.audience}": ${howTo}.`,
    );
  }
  return token;
}

function unverifiedAudience(token: string): string[] | undefined {
  try {
    const payload = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    );
    const aud: unknown = (payload as { aud?: unknown }).aud;
    if (typeof aud === 'string') return [aud];
    if (Array.isArray(aud)) return aud.filter((a): a is string => typeof a === 'string');
    return undefined;
  } catch {
    return undefined;
  }
}
