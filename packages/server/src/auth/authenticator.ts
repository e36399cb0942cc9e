/**
 * Authentication of a request from its `Authorization: Bearer <credential>` header: an API key
 * (`nk_…`) or an OIDC token (a JWT). Authorization of what the principal then asks to do.
 */
import { apiKeyId, findApiKey, looksLikeApiKey } from './api-keys.ts';
import type { AuthConfig } from './config.ts';
import { AuthError } from './errors.ts';
import type { JwksOptions } from './jwks.ts';
import { OidcVerifier } from './oidc.ts';
import type { Principal } from './principal.ts';
import { authorize } from './roles.ts';
import type { Action, RoleTable } from './roles.ts';

/** Node's `req.headers`, or a fetch `Headers`. */
export type RequestHeaders = Headers | Readonly<Record<string, string | string[] | undefined>>;

/** Credentials longer than this are refused unread (GitHub's tokens are ~1-2 KiB). */
const MAX_CREDENTIAL = 16 * 1024;

export type AuthenticatorOptions = JwksOptions;

export class Authenticator {
  readonly config: AuthConfig;
  readonly #oidc: OidcVerifier;

  /** `config` is what `validateAuthConfig` returned. Throws AUTH_CONFIG_INVALID (e.g. a bad jwksFile). */
  constructor(config: AuthConfig, options: AuthenticatorOptions = {}) {
    this.config = config;
    this.#oidc = new OidcVerifier(config.oidc, options);
  }

  get roles(): RoleTable {
    return this.config.roles;
  }

  async authenticate(headers: RequestHeaders): Promise<Principal> {
    const credential = bearer(headers);
    if (looksLikeApiKey(credential)) return this.#apiKey(credential);
    if (credential.split('.').length === 3) {
      if (!this.#oidc.enabled) {
        throw new AuthError(
          'AUTH_TOKEN_ISSUER',
          'This ledger accepts no OIDC tokens (no oidc.issuers configured); use an API key.',
        );
      }
      return this.#oidc.verify(credential);
    }
    throw new AuthError(
      'AUTH_MALFORMED',
      'The bearer credential is neither an API key (nk_…) nor a JWT; check NOTARIZE_TOKEN.',
    );
  }

  /** Throws AUTH_FORBIDDEN unless the principal's role (from this config) allows the action. */
  authorize(principal: Principal, action: Action): void {
    authorize(principal, action, this.config.roles);
  }

  #apiKey(key: string): Principal {
    const entry = findApiKey(this.config.apiKeys, key);
    if (entry === undefined) {
      throw new AuthError(
        'AUTH_BAD_API_KEY',
        'The API key is not known to this ledger (mistyped, or removed from its config); ask the ledger admin for a key.',
      );
    }
    return {
      name: entry.identity,
      role: entry.role,
      auth: 'apikey',
      claims: { keyId: apiKeyId(entry.hash) },
    };
  }
}

function header(headers: RequestHeaders, name: string): string | string[] | undefined {
  if (
    typeof (headers as Headers).get === 'function' &&
    typeof (headers as Headers).has === 'function'
  ) {
    return (headers as Headers).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | string[] | undefined>>;
  for (const [k, v] of Object.entries(record)) if (k.toLowerCase() === name) return v;
  return undefined;
}

function bearer(headers: RequestHeaders): string {
  const value = header(headers, 'authorization');
  if (value === undefined || value === '') {
    throw new AuthError(
      'AUTH_MISSING',
      "No credentials: send `Authorization: Bearer <API key or OIDC token>` (NOTARIZE_TOKEN, or the CI's OIDC token).",
    );
  }
  if (Array.isArray(value) || value.length > MAX_CREDENTIAL + 7) {
    throw new AuthError(
      'AUTH_MALFORMED',
      'Send exactly one Authorization header of reasonable size.',
    );
  }
  const m = /^Bearer +(\S+) *$/i.exec(value);
  if (m === null) {
    throw new AuthError(
      'AUTH_MALFORMED',
      'The Authorization header must be `Bearer <credential>`.',
    );
  }
  return m[1] as string;
}
