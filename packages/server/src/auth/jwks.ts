/**
 * Where an issuer's signing keys come from: a JWKS file (air-gapped), a JWKS URL, or the URL that
 * the issuer's OpenID discovery document names. Remote sets are cached by jose (cacheMaxAge),
 * refetched for an unknown `kid` at most once per cooldown, and each fetch is time-bounded.
 * A key set that cannot be had is AUTH_JWKS_UNAVAILABLE (503: retry later), never a pass.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { createLocalJWKSet, createRemoteJWKSet, errors } from 'jose';
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import type { OidcConfig, OidcIssuerConfig } from './config.ts';
import { AuthError } from './errors.ts';
import { isLoopbackHttp } from './names.ts';

export interface JwksOptions {
  /** Base for relative `jwksFile` paths (the config file's directory). */
  configDir?: string;
}

export function keySource(
  issuer: OidcIssuerConfig,
  oidc: OidcConfig,
  options: JwksOptions,
): JWTVerifyGetKey {
  if (issuer.jwksFile !== undefined) return localKeys(issuer, options);
  const remoteOptions = {
    timeoutDuration: oidc.jwksTimeoutMs,
    cooldownDuration: oidc.jwksCooldownMs,
    cacheMaxAge: oidc.jwksCacheMaxAgeMs,
  };
  if (issuer.jwksUri !== undefined) {
    return guard(createRemoteJWKSet(new URL(issuer.jwksUri), remoteOptions), issuer.issuer);
  }
  return discovered(issuer.issuer, oidc, remoteOptions);
}

function localKeys(issuer: OidcIssuerConfig, options: JwksOptions): JWTVerifyGetKey {
  const file = issuer.jwksFile as string;
  const path = isAbsolute(file) ? file : resolve(options.configDir ?? process.cwd(), file);
  try {
    return createLocalJWKSet(JSON.parse(readFileSync(path, 'utf8')) as JSONWebKeySet);
  } catch (cause) {
    throw new AuthError(
      'AUTH_CONFIG_INVALID',
      `Auth config: the JWKS file ${path} of issuer ${issuer.issuer} cannot be used: ${(cause as Error).message}. ` +
        `Save the issuer's JWKS (its jwks_uri) there.`,
      { cause },
    );
  }
}

/** Turns fetch failures into AUTH_JWKS_UNAVAILABLE; a missing key id stays a token problem. */
function guard(getKey: JWTVerifyGetKey, issuer: string): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await getKey(header, token);
    } catch (err) {
      if (
        err instanceof errors.JWKSNoMatchingKey ||
        err instanceof errors.JWKSMultipleMatchingKeys
      ) {
        throw err;
      }
      if (err instanceof AuthError) throw err;
      throw new AuthError(
        'AUTH_JWKS_UNAVAILABLE',
        `The signing keys of ${issuer} could not be fetched (${(err as Error).message}); retry later.`,
        { cause: err },
      );
    }
  };
}

interface RemoteOptions {
  timeoutDuration: number;
  cooldownDuration: number;
  cacheMaxAge: number;
}

/** OpenID Connect Discovery 1.0: `<issuer>/.well-known/openid-configuration` -> `jwks_uri`. */
function discovered(issuer: string, oidc: OidcConfig, remote: RemoteOptions): JWTVerifyGetKey {
  let keys: JWTVerifyGetKey | undefined;
  let pending: Promise<JWTVerifyGetKey> | undefined;
  let failedAt = -Infinity;
  let lastError: AuthError | undefined;
  const load = async (): Promise<JWTVerifyGetKey> => {
    const jwksUri = await discover(issuer, oidc.jwksTimeoutMs);
    return guard(createRemoteJWKSet(jwksUri, remote), issuer);
  };
  return async (header, token) => {
    if (keys === undefined) {
      // After a failed discovery, fail fast for a cooldown instead of fetching per request.
      if (lastError !== undefined && performance.now() - failedAt < oidc.jwksCooldownMs) {
        throw lastError;
      }
      pending ??= load().finally(() => {
        pending = undefined;
      });
      try {
        keys = await pending;
      } catch (err) {
        failedAt = performance.now();
        lastError =
          err instanceof AuthError
            ? err
            : new AuthError('AUTH_JWKS_UNAVAILABLE', `Discovery of ${issuer} failed.`, {
                cause: err,
              });
        throw lastError;
      }
    }
    return keys(header, token);
  };
}

async function discover(issuer: string, timeoutMs: number): Promise<URL> {
  const where = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const unavailable = (why: string, cause?: unknown): AuthError =>
    new AuthError(
      'AUTH_JWKS_UNAVAILABLE',
      `OIDC discovery at ${where} failed: ${why}; retry later, or set jwksUri or jwksFile in the config.`,
      { cause },
    );
  let doc: { issuer?: unknown; jwks_uri?: unknown };
  try {
    const res = await fetch(where, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json' },
      redirect: 'error',
    });
    if (res.status !== 200) throw unavailable(`HTTP ${res.status}`);
    doc = (await res.json()) as typeof doc;
  } catch (err) {
    if (err instanceof AuthError) throw err;
    throw unavailable((err as Error).message, err);
  }
  // Discovery §4.3: the document's issuer must be the one we asked; else it speaks for another.
  if (doc?.issuer !== issuer) throw unavailable(`it names issuer ${JSON.stringify(doc?.issuer)}`);
  let jwksUri: URL;
  try {
    jwksUri = new URL(String(doc.jwks_uri));
  } catch (cause) {
    throw unavailable('no valid jwks_uri', cause);
  }
  if (jwksUri.protocol !== 'https:' && !isLoopbackHttp(jwksUri)) {
    throw unavailable('its jwks_uri is not https');
  }
  return jwksUri;
}
