/**
 * Typed errors of @notarize/ledger. `code` is stable (callers and tests switch on it); `category`
 * tells the CLI and the service which exit code or HTTP status to use (docs/DEVELOPING.md).
 */
export type LedgerErrorCode =
  | 'ENTRY_INVALID'
  | 'ENTRY_NOT_CANONICAL'
  | 'ENTRY_TOO_LARGE'
  | 'ENTRY_NOT_FOUND'
  | 'SIZE_OUT_OF_RANGE'
  | 'CHECKPOINT_NOT_FOUND'
  | 'IDEMPOTENCY_CONFLICT'
  | 'ENVELOPE_REPLAYED'
  | 'ORIGIN_MISMATCH'
  | 'KEY_INVALID'
  | 'LEDGER_CLOSED'
  | 'STORE_UNAVAILABLE'
  | 'STORE_CONFLICT'
  | 'STORE_CORRUPT'
  | 'ROLLBACK_DETECTED'
  | 'VERIFY_FAILED'
  | 'BACKUP_FAILED'
  | 'RESTORE_REFUSED'
  | 'MAP_HEAD_MISSING'
  | 'MAP_HEAD_MISMATCH'
  | 'LEDGER_BUSY';

export type LedgerErrorCategory =
  'input' | 'unavailable' | 'verification' | 'conflict' | 'forbidden' | 'internal';

export class LedgerError extends Error {
  readonly code: LedgerErrorCode;
  readonly category: LedgerErrorCategory;
  constructor(
    code: LedgerErrorCode,
    category: LedgerErrorCategory,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LedgerError';
    this.code = code;
    this.category = category;
  }
}

/** Shorthand for the verification failures `verify` and read paths report. */
export function corrupt(message: string, cause?: unknown): LedgerError {
  return new LedgerError('STORE_CORRUPT', 'verification', message, { cause });
}
