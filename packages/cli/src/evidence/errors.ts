/** Typed errors of `notarize evidence`; `category` maps to the exit code (exit-codes.ts). */
import type { ErrorCategory } from '../exit-codes.ts';

export type EvidenceErrorCode =
  /** A file named on the command line does not exist. */
  | 'EVIDENCE_FILE_MISSING'
  /** It exists but is a directory, a device, a socket... */
  | 'EVIDENCE_NOT_A_FILE'
  /** It cannot be read (permissions, I/O error). */
  | 'EVIDENCE_UNREADABLE'
  /** It changed while it was uploaded (size or bytes differ from what was sent). */
  | 'EVIDENCE_CHANGED'
  /** It is larger than the ledger stores per blob. */
  | 'EVIDENCE_TOO_LARGE'
  /** The ledger stored other bytes than the ones sent. */
  | 'EVIDENCE_STORED_MISMATCH'
  /** A verified entry references a blob the ledger does not hold (lost or removed). */
  | 'EVIDENCE_BLOB_MISSING'
  /** The same file was named twice. */
  | 'EVIDENCE_DUPLICATE'
  /** `evidence get` needs --job or --subject, not both. */
  | 'EVIDENCE_QUERY_INVALID'
  /** No job id: neither --job nor a CI job to take it from. */
  | 'EVIDENCE_JOB_MISSING'
  /** The output directory cannot be created or written. */
  | 'EVIDENCE_OUT_UNWRITABLE';

export class EvidenceError extends Error {
  readonly code: EvidenceErrorCode;
  readonly category: ErrorCategory;
  constructor(
    code: EvidenceErrorCode,
    category: ErrorCategory,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EvidenceError';
    this.code = code;
    this.category = category;
  }
}
