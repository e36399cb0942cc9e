/**
 * Typed errors of the ledger's authentication and authorization. `code` is stable; `category`
 * follows docs/DEVELOPING.md and `httpStatus` is what the service answers:
 * - `verification` (401): no credential, or one that does not verify (key, token, signature...);
 * - `forbidden` (403): a verified caller that is not allowed (no OIDC rule, role lacks the right);
 * - `unavailable` (503): the issuer's keys could not be fetched, so nothing can be verified now;
 * - `input` (500 at run time, but reported at start-up): the auth configuration is wrong.
 * Messages never contain a credential.
 */
export type AuthErrorCode =
  | 'AUTH_MISSING'
  | 'AUTH_MALFORMED'
  | 'AUTH_BAD_API_KEY'
  | 'AUTH_TOKEN_MALFORMED'
  | 'AUTH_TOKEN_EXPIRED'
  | 'AUTH_TOKEN_NOT_YET_VALID'
  | 'AUTH_TOKEN_LIFETIME'
  | 'AUTH_TOKEN_CLAIMS'
  | 'AUTH_TOKEN_ISSUER'
  | 'AUTH_TOKEN_AUDIENCE'
  | 'AUTH_TOKEN_ALGORITHM'
  | 'AUTH_TOKEN_SIGNATURE'
  | 'AUTH_NO_RULE'
  | 'AUTH_UNKNOWN_IDENTITY'
  | 'AUTH_FORBIDDEN'
  | 'AUTH_JWKS_UNAVAILABLE'
  | 'AUTH_CONFIG_INVALID';

export type AuthErrorCategory = 'verification' | 'forbidden' | 'unavailable' | 'input';

const CATEGORY: Record<AuthErrorCode, AuthErrorCategory> = {
  AUTH_MISSING: 'verification',
  AUTH_MALFORMED: 'verification',
  AUTH_BAD_API_KEY: 'verification',
  AUTH_TOKEN_MALFORMED: 'verification',
  AUTH_TOKEN_EXPIRED: 'verification',
  AUTH_TOKEN_NOT_YET_VALID: 'verification',
  AUTH_TOKEN_LIFETIME: 'verification',
  AUTH_TOKEN_CLAIMS: 'verification',
  AUTH_TOKEN_ISSUER: 'verification',
  AUTH_TOKEN_AUDIENCE: 'verification',
  AUTH_TOKEN_ALGORITHM: 'verification',
  AUTH_TOKEN_SIGNATURE: 'verification',
  AUTH_NO_RULE: 'forbidden',
  AUTH_UNKNOWN_IDENTITY: 'forbidden',
  AUTH_FORBIDDEN: 'forbidden',
  AUTH_JWKS_UNAVAILABLE: 'unavailable',
  AUTH_CONFIG_INVALID: 'input',
};

const HTTP_STATUS: Record<AuthErrorCategory, 401 | 403 | 503 | 500> = {
  verification: 401,
  forbidden: 403,
  unavailable: 503,
  input: 500,
};

export class AuthError extends Error {
  readonly code: AuthErrorCode;
  readonly category: AuthErrorCategory;
  readonly httpStatus: 401 | 403 | 503 | 500;
  constructor(code: AuthErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthError';
    this.code = code;
    this.category = CATEGORY[code];
    this.httpStatus = HTTP_STATUS[this.category];
  }
}
