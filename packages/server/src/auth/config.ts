/**
 * The auth sections of the ledger service's config file (YAML, parsed elsewhere): `roles`,
 * `identities`, `apiKeys`, `oidc`. The *Input types are what a user writes; `AuthConfig` is what
 * `validateAuthConfig` returns: checked, with defaults filled in and role references resolved.
 * See README.md beside this file for an example.
 */
import type { AssertableStatus } from '@notarize/trust';
import type { RoleDefinition, RoleTable } from './roles.ts';

/** Asymmetric JWS algorithms only: `none` and HS* (shared secrets) are never accepted. */
export type JwsAlgorithm =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519';

export const JWS_ALGORITHMS: readonly JwsAlgorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

/** GitHub signs with RS256; GitLab with RS256; ES256 for issuers that use P-256 keys. */
export const DEFAULT_ALGORITHMS: readonly JwsAlgorithm[] = ['RS256', 'ES256'];

export interface RoleInput {
  assert?: AssertableStatus[];
  evidence?: boolean;
  read?: boolean;
  admin?: boolean;
}

export interface IdentityConfig {
  role: string;
  description?: string;
}

export interface ApiKeyInput {
  /** `sha256:<64 hex>` of the key (see `hashApiKey`); the key itself is never stored. */
  hash: string;
  identity: string;
  /** Defaults to the role of `identities[identity]`. */
  role?: string;
  description?: string;
}

/** A claim's value (exact, or a glob: `*` within a path segment, `**` across, `?` one char). */
export type ClaimMatch = string | string[];

export interface OidcRule {
  /** Every listed claim must match; at least one claim is required. */
  match: Record<string, ClaimMatch>;
  /** Identity name template: `{claim}` is replaced by the claim's value. */
  identity: string;
  role: string;
}

export interface OidcIssuerInput {
  issuer: string;
  audience: string | string[];
  /** Where the issuer's keys are; default: discovered from `<issuer>/.well-known/openid-configuration`. */
  jwksUri?: string;
  /** A JWKS file for air-gapped services (relative to the config file's directory). */
  jwksFile?: string;
  algorithms?: JwsAlgorithm[];
  /** Extra claims to record in `Principal.claims`, besides the built-in list. */
  claims?: string[];
  rules: OidcRule[];
}

export interface OidcInput {
  issuers: OidcIssuerInput[];
  /** Clock skew tolerated on exp, nbf and iat, seconds (default 60, at most 300). */
  clockToleranceSec?: number;
  /**
   * Longest accepted token lifetime (`exp - iat`), seconds (default 7200: a GitLab ID token lives
   * as long as its job's timeout, 1 h by default, plus a little; at most 604800).
   */
  maxTokenLifetimeSec?: number;
  /** Bound on one JWKS or discovery fetch, ms (default 5000). */
  jwksTimeoutMs?: number;
  /** A JWKS is refetched for an unknown key id at most this often, ms (default 30000). */
  jwksCooldownMs?: number;
  /** A fetched JWKS is used for at most this long, ms (default 600000). */
  jwksCacheMaxAgeMs?: number;
}

export interface AuthConfigInput {
  roles?: Record<string, RoleInput>;
  identities?: Record<string, IdentityConfig>;
  apiKeys?: ApiKeyInput[];
  oidc?: OidcInput;
}

export interface ApiKeyConfig {
  hash: string;
  identity: string;
  role: string;
  description?: string;
}

export interface OidcIssuerConfig {
  issuer: string;
  audience: string[];
  jwksUri?: string;
  jwksFile?: string;
  algorithms: JwsAlgorithm[];
  claims: string[];
  rules: OidcRule[];
}

export interface OidcConfig {
  issuers: OidcIssuerConfig[];
  clockToleranceSec: number;
  maxTokenLifetimeSec: number;
  jwksTimeoutMs: number;
  jwksCooldownMs: number;
  jwksCacheMaxAgeMs: number;
}

export interface AuthConfig {
  /** Built-in roles merged with the configured ones. */
  roles: RoleTable;
  identities: Record<string, IdentityConfig>;
  apiKeys: ApiKeyConfig[];
  oidc: OidcConfig;
}

export type { RoleDefinition };
