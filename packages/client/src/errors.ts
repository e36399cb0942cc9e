/**
 * Typed errors of @notarize/client. `category` maps to the CLI's exit code (docs/DEVELOPING.md):
 * 'verification' (20) means the ledger — or something between it and us — served data that does
 * not check out: possible tampering. Those are never retried.
 */
export type LedgerClientErrorCode =
  // the request / configuration
  | 'LOCATION_INVALID'
  | 'ARGUMENT_INVALID'
  | 'STATE_INVALID'
  | 'KEY_INVALID'
  | 'NOT_FOUND'
  | 'BUNDLE_INVALID'
  // the ledger refused
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'READ_ONLY'
  | 'CONFLICT'
  | 'TOO_LARGE'
  | 'REJECTED'
  // the ledger could not be reached / answered
  | 'UNREACHABLE'
  | 'TIMEOUT'
  | 'OVERLOADED'
  | 'SERVER_ERROR'
  | 'BAD_RESPONSE'
  // verification
  | 'CHECKPOINT_SIGNATURE'
  | 'ORIGIN_MISMATCH'
  | 'ROLLBACK'
  | 'FORK'
  | 'CONSISTENCY_FAILED'
  | 'INCLUSION_FAILED'
  | 'ENTRY_MISMATCH'
  | 'ENTRY_MISSING'
  | 'RECEIPT_MISMATCH'
  | 'RECEIPT_INVALID'
  | 'BUNDLE_MISMATCH'
  | 'BLOB_DIGEST_MISMATCH'
  | 'MAP_HEAD_INVALID'
  | 'MAP_PROOF_INVALID'
  | 'INCOMPLETE_ANSWER'
  | 'WITNESS_QUORUM'
  | 'INTERNAL';

export type LedgerClientErrorCategory =
  'input' | 'unavailable' | 'verification' | 'conflict' | 'forbidden' | 'internal';

export class LedgerClientError extends Error {
  readonly code: LedgerClientErrorCode;
  readonly category: LedgerClientErrorCategory;
  /** HTTP status when the error came from a service response. */
  readonly status: number | undefined;
  /** The service's own error code (`{code}` of its JSON error), when there was one. */
  readonly serviceCode: string | undefined;
  /**
   * For FORK: two checkpoint notes of one origin and size with different roots, both validly
   * signed by the log — a proof of a fork, to keep and show.
   */
  forkEvidence: { origin: string; size: number; vkey: string; notes: [string, string] } | undefined;
  constructor(
    code: LedgerClientErrorCode,
    category: LedgerClientErrorCategory,
    message: string,
    options?: { cause?: unknown; status?: number; serviceCode?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LedgerClientError';
    this.code = code;
    this.category = category;
    this.status = options?.status;
    this.serviceCode = options?.serviceCode;
  }
}

/** Shorthand for a failed check: possible tampering, exit code 20. */
export function verificationError(
  code: LedgerClientErrorCode,
  message: string,
  cause?: unknown,
): LedgerClientError {
  return new LedgerClientError(code, 'verification', message, { cause });
}

export function isVerificationError(error: unknown): boolean {
  return error instanceof LedgerClientError && error.category === 'verification';
}

/** Errors of the engine and the shared service code carry categories already; keep them. */
export function asClientError(error: unknown): unknown {
  if (error instanceof LedgerClientError) return error;
  const e = error as { code?: unknown; category?: unknown; message?: string };
  if (typeof e?.code === 'string' && typeof e.category === 'string') {
    const category = e.category as LedgerClientError['category'];
    const code = e.code === 'NOT_FOUND' || e.code === 'ENTRY_NOT_FOUND' ? 'NOT_FOUND' : 'REJECTED';
    const mapped =
      category === 'forbidden' || (e.code as string).startsWith('AUTH_')
        ? new LedgerClientError('FORBIDDEN', 'forbidden', e.message ?? String(e.code), {
            cause: error,
            serviceCode: e.code,
          })
        : new LedgerClientError(
            code,
            category === 'verification' ? 'verification' : category,
            e.message ?? String(e.code),
            {
              cause: error,
              serviceCode: e.code,
            },
          );
    return mapped;
  }
  return error;
}
