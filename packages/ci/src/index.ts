export type { CiContext, CiOverrides, CiProvider, Env } from './context.ts';
export { CI_PROVIDERS } from './context.ts';
export { ciContext, ciIdentityName, detectProvider, isCi } from './detect.ts';
export type { CiContextOptions } from './detect.ts';
export { CiError } from './errors.ts';
export type { CiErrorCategory, CiErrorCode } from './errors.ts';
export { DEFAULT_GITLAB_TOKEN_VARIABLE, DEFAULT_OIDC_TIMEOUT_MS, getOidcToken } from './oidc.ts';
export type { OidcTokenOptions } from './oidc.ts';
