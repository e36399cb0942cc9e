/**
 * Typed errors of @notarize/ci. `code` is stable (callers and tests switch on it); `category` tells
 * the CLI which exit code to use (docs/DEVELOPING.md): `input` when the environment or an explicit
 * value is wrong, `forbidden` when the CI refused a token, `unavailable` when its token service
 * could not be reached or answered nonsense.
 */
export type CiErrorCode =
  | 'CI_ENV_MISSING'
  | 'CI_ENV_INVALID'
  | 'CI_ENV_AMBIGUOUS'
  | 'CI_OVERRIDE_INVALID'
  | 'OIDC_PERMISSION_MISSING'
  | 'OIDC_TOKEN_MISSING'
  | 'OIDC_AUDIENCE_INVALID'
  | 'OIDC_AUDIENCE_MISMATCH'
  | 'OIDC_UNSUPPORTED_PROVIDER'
  | 'OIDC_REQUEST_REFUSED'
  | 'OIDC_REQUEST_FAILED'
  | 'OIDC_TIMEOUT'
  | 'OIDC_RESPONSE_INVALID';

export type CiErrorCategory = 'input' | 'forbidden' | 'unavailable';

export class CiError extends Error {
  readonly code: CiErrorCode;
  readonly category: CiErrorCategory;
  constructor(
    code: CiErrorCode,
    category: CiErrorCategory,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CiError';
    this.code = code;
    this.category = category;
  }
}
