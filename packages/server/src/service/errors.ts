/**
 * Errors the service answers with: a stable `code` (API.md's table), an HTTP status, a message
 * that says what to do, and the category every package uses. Anything else thrown while handling
 * a request is mapped by `toServiceError` (typed errors of other packages by category; the rest
 * is a 500 whose message holds no internals).
 */
export type ServiceErrorCode =
  | 'BAD_REQUEST'
  | 'SCHEMA_INVALID'
  | 'ENTRY_INVALID'
  | 'AT_OUT_OF_RANGE'
  | 'AT_NOT_PROVABLE'
  | 'DIGEST_MISMATCH'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'READ_ONLY'
  | 'IDENTITY_REVOKED'
  | 'IDENTITY_UNKNOWN'
  | 'SIGNER_MISMATCH'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'REQUEST_TIMEOUT'
  | 'IDEMPOTENCY_CONFLICT'
  | 'ENVELOPE_REPLAYED'
  | 'BLOB_MISSING'
  | 'LENGTH_REQUIRED'
  | 'BODY_TOO_LARGE'
  | 'ENTRY_TOO_LARGE'
  | 'BATCH_TOO_LARGE'
  | 'BLOB_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'TOO_MANY_REQUESTS'
  | 'TOO_MANY_CONNECTIONS'
  | 'OVERLOADED'
  | 'SHUTTING_DOWN'
  | 'CONFIG_INVALID'
  | 'LISTEN_FAILED'
  | 'LEDGER_BUSY'
  | 'INTERNAL';

export type ServiceErrorCategory =
  'input' | 'unavailable' | 'verification' | 'conflict' | 'forbidden' | 'internal';

const STATUS: Record<ServiceErrorCode, number> = {
  BAD_REQUEST: 400,
  SCHEMA_INVALID: 400,
  ENTRY_INVALID: 400,
  AT_OUT_OF_RANGE: 400,
  AT_NOT_PROVABLE: 400,
  DIGEST_MISMATCH: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  READ_ONLY: 403,
  IDENTITY_REVOKED: 403,
  SIGNER_MISMATCH: 403,
  IDENTITY_UNKNOWN: 404,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  IDEMPOTENCY_CONFLICT: 409,
  ENVELOPE_REPLAYED: 409,
  BLOB_MISSING: 409,
  LENGTH_REQUIRED: 411,
  BODY_TOO_LARGE: 413,
  ENTRY_TOO_LARGE: 413,
  BATCH_TOO_LARGE: 413,
  BLOB_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  TOO_MANY_CONNECTIONS: 429,
  OVERLOADED: 503,
  SHUTTING_DOWN: 503,
  CONFIG_INVALID: 500,
  LISTEN_FAILED: 500,
  LEDGER_BUSY: 500,
  INTERNAL: 500,
};

function categoryOf(status: number, code: ServiceErrorCode): ServiceErrorCategory {
  // Start-up refusals: the operator's configuration must change (CLI exit 10).
  if (code === 'CONFIG_INVALID' || code === 'LISTEN_FAILED' || code === 'LEDGER_BUSY')
    return 'input';
  if (status === 401 || status === 403) return 'forbidden';
  if (status === 409) return 'conflict';
  if (status === 429 || status === 503) return 'unavailable';
  if (status >= 500) return 'internal';
  return 'input';
}

export class ServiceError extends Error {
  readonly code: ServiceErrorCode;
  readonly category: ServiceErrorCategory;
  readonly status: number;
  /** Extra response headers (Retry-After, Allow, WWW-Authenticate). */
  readonly headers: Record<string, string>;
  constructor(
    code: ServiceErrorCode,
    message: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ServiceError';
    this.code = code;
    this.status = STATUS[code];
    this.category = categoryOf(this.status, code);
    this.headers = options?.headers ?? {};
  }
}

interface Categorized {
  code: string;
  category: string;
  message: string;
}

function isCategorized(error: unknown): error is Categorized {
  return (
    error instanceof Error &&
    typeof (error as Partial<Categorized>).code === 'string' &&
    typeof (error as Partial<Categorized>).category === 'string'
  );
}

/** Typed errors of the engine, trust and auth packages, by code where it matters, else category. */
export function toServiceError(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  if (isCategorized(error)) {
    const { code, category, message } = error;
    // Auth errors say which status they are (401 bad/missing credential, 403 not allowed, 503
    // issuer keys unreachable).
    const httpStatus = (error as { httpStatus?: unknown }).httpStatus;
    if (code.startsWith('AUTH_') && typeof httpStatus === 'number') {
      if (httpStatus === 401) {
        return new ServiceError('UNAUTHENTICATED', message, {
          cause: error,
          headers: { 'www-authenticate': 'Bearer' },
        });
      }
      if (httpStatus === 403) return new ServiceError('FORBIDDEN', message, { cause: error });
      if (httpStatus === 503) {
        return new ServiceError('OVERLOADED', message, {
          cause: error,
          headers: { 'retry-after': '5' },
        });
      }
    }
    if (code === 'ENTRY_TOO_LARGE' || code === 'TLOG_ENTRY_TOO_LARGE') {
      return new ServiceError('ENTRY_TOO_LARGE', message, { cause: error });
    }
    if (code === 'IDEMPOTENCY_CONFLICT') {
      return new ServiceError('IDEMPOTENCY_CONFLICT', message, { cause: error });
    }
    if (code === 'SIZE_OUT_OF_RANGE')
      return new ServiceError('AT_OUT_OF_RANGE', message, { cause: error });
    if (code === 'ENTRY_NOT_FOUND' || code === 'CHECKPOINT_NOT_FOUND') {
      return new ServiceError('NOT_FOUND', message, { cause: error });
    }
    if (code === 'IDENTITY_REVOKED')
      return new ServiceError('IDENTITY_REVOKED', message, { cause: error });
    if (code === 'ENVELOPE_REPLAYED')
      return new ServiceError('ENVELOPE_REPLAYED', message, { cause: error });
    switch (category) {
      case 'input':
        return new ServiceError('ENTRY_INVALID', message, { cause: error });
      case 'forbidden':
        return /authent|token|credential/i.test(code)
          ? new ServiceError('UNAUTHENTICATED', message, {
              cause: error,
              headers: { 'www-authenticate': 'Bearer' },
            })
          : new ServiceError('FORBIDDEN', message, { cause: error });
      case 'conflict':
        return new ServiceError('IDEMPOTENCY_CONFLICT', message, { cause: error });
      case 'unavailable':
        return new ServiceError('OVERLOADED', `the ledger's store is unavailable: ${message}`, {
          cause: error,
          headers: { 'retry-after': '1' },
        });
      default:
        break;
    }
  }
  return new ServiceError(
    'INTERNAL',
    'the ledger service failed to handle this request; the operator can find the details in its log',
    { cause: error },
  );
}

/**
 * Why a request was refused, for the access log and metrics: the typed cause's code (AUTH_* of
 * the auth package, IDENTITY_REVOKED, …) when there is one, else the response code.
 */
export function refusalReason(error: ServiceError): string {
  const cause = error.cause as { code?: unknown } | undefined;
  return typeof cause?.code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(cause.code)
    ? cause.code
    : error.code;
}
