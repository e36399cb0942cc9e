/**
 * Every failure of this package is a TlogError with a stable `code`. The category says who is at
 * fault: `input` for a malformed argument the caller controls (a negative size, a bad key string),
 * `verification` for data that failed a check (a proof, a note, a checkpoint, a bundle), so a CLI
 * can exit with "rejected" rather than "usage error" when a log misbehaves.
 */
export type TlogErrorCode =
  | 'TLOG_BAD_NUMBER'
  | 'TLOG_BAD_HASH_SIZE'
  | 'TLOG_INDEX_OUT_OF_RANGE'
  | 'TLOG_EMPTY_TREE'
  | 'TLOG_SIZE_ORDER'
  | 'TLOG_PROOF_LENGTH'
  | 'TLOG_ROOT_MISMATCH'
  | 'TLOG_PLAN_HASH_COUNT'
  | 'TLOG_PEAKS_INVALID'
  | 'TLOG_KEY_MALFORMED'
  | 'TLOG_NOTE_MALFORMED'
  | 'TLOG_NOTE_BAD_SIGNATURE'
  | 'TLOG_NOTE_UNVERIFIED'
  | 'TLOG_CHECKPOINT_MALFORMED'
  | 'TLOG_ORIGIN_MISMATCH'
  | 'TLOG_TILE_PATH_MALFORMED'
  | 'TLOG_ENTRY_TOO_LARGE'
  | 'TLOG_ENTRY_BUNDLE_MALFORMED'
  | 'TLOG_RECEIPT_MALFORMED';

export type TlogErrorCategory = 'verification' | 'input';

const defaultCategory: Record<TlogErrorCode, TlogErrorCategory> = {
  TLOG_BAD_NUMBER: 'input',
  TLOG_BAD_HASH_SIZE: 'verification',
  TLOG_INDEX_OUT_OF_RANGE: 'verification',
  TLOG_EMPTY_TREE: 'verification',
  TLOG_SIZE_ORDER: 'verification',
  TLOG_PROOF_LENGTH: 'verification',
  TLOG_ROOT_MISMATCH: 'verification',
  TLOG_PLAN_HASH_COUNT: 'input',
  TLOG_PEAKS_INVALID: 'input',
  TLOG_KEY_MALFORMED: 'input',
  TLOG_NOTE_MALFORMED: 'verification',
  TLOG_NOTE_BAD_SIGNATURE: 'verification',
  TLOG_NOTE_UNVERIFIED: 'verification',
  TLOG_CHECKPOINT_MALFORMED: 'verification',
  TLOG_ORIGIN_MISMATCH: 'verification',
  TLOG_TILE_PATH_MALFORMED: 'input',
  TLOG_ENTRY_TOO_LARGE: 'input',
  TLOG_ENTRY_BUNDLE_MALFORMED: 'verification',
  TLOG_RECEIPT_MALFORMED: 'verification',
};

export class TlogError extends Error {
  readonly code: TlogErrorCode;
  readonly category: TlogErrorCategory;
  constructor(
    code: TlogErrorCode,
    message: string,
    options?: { category?: TlogErrorCategory; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TlogError';
    this.code = code;
    this.category = options?.category ?? defaultCategory[code];
  }
}
