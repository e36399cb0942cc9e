export { API_KEY_PREFIX, generateApiKey, hashApiKey } from './api-keys.ts';
export type { GeneratedApiKey } from './api-keys.ts';
export { Authenticator } from './authenticator.ts';
export type { AuthenticatorOptions, RequestHeaders } from './authenticator.ts';
export { RECORDED_CLAIMS } from './claims.ts';
export { DEFAULT_ALGORITHMS, JWS_ALGORITHMS } from './config.ts';
export type {
  ApiKeyConfig,
  ApiKeyInput,
  AuthConfig,
  AuthConfigInput,
  ClaimMatch,
  IdentityConfig,
  JwsAlgorithm,
  OidcConfig,
  OidcInput,
  OidcIssuerConfig,
  OidcIssuerInput,
  OidcRule,
  RoleInput,
} from './config.ts';
export { AuthError } from './errors.ts';
export type { AuthErrorCategory, AuthErrorCode } from './errors.ts';
export { localPrincipal } from './local.ts';
export type { Principal, PrincipalAuth } from './principal.ts';
export { ACTIONS, BUILTIN_ROLES, allows, authorize, isAction } from './roles.ts';
export type { Action, RoleDefinition, RoleTable } from './roles.ts';
export { validateAuthConfig } from './validate-config.ts';
