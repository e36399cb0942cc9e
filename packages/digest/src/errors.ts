/**
 * Typed errors of the digest package. Every failure has a stable `code` and a `category` that the
 * CLI turns into an exit code (input 10, unavailable 11, verification 20).
 */
export type DigestErrorCategory =
  'input' | 'unavailable' | 'verification' | 'conflict' | 'forbidden' | 'internal';

export type DigestErrorCode =
  | 'DIGEST_NOT_FOUND'
  | 'DIGEST_PERMISSION_DENIED'
  | 'DIGEST_SYMLINK'
  | 'DIGEST_SYMLINK_LOOP'
  | 'DIGEST_SPECIAL_FILE'
  | 'DIGEST_EMPTY_DIRECTORY'
  | 'DIGEST_IO'
  | 'DIGEST_BAD_REFERENCE'
  | 'DIGEST_UNKNOWN_TRANSPORT'
  | 'DIGEST_NO_MATCH'
  | 'DIGEST_AMBIGUOUS'
  | 'DIGEST_BAD_LAYOUT'
  | 'DIGEST_BAD_ARCHIVE'
  | 'DIGEST_REGISTRY_NOT_FOUND'
  | 'DIGEST_REGISTRY_AUTH'
  | 'DIGEST_REGISTRY_UNREACHABLE'
  | 'DIGEST_REGISTRY_TLS'
  | 'DIGEST_REGISTRY_TIMEOUT'
  | 'DIGEST_REGISTRY_PROTOCOL'
  | 'DIGEST_MISMATCH';

const CATEGORY: Record<DigestErrorCode, DigestErrorCategory> = {
  DIGEST_NOT_FOUND: 'input',
  DIGEST_PERMISSION_DENIED: 'input',
  DIGEST_SYMLINK: 'input',
  DIGEST_SYMLINK_LOOP: 'input',
  DIGEST_SPECIAL_FILE: 'input',
  DIGEST_EMPTY_DIRECTORY: 'input',
  // An I/O error (EIO, ENOSPC, ...) is the machine's fault, not the user's input.
  DIGEST_IO: 'unavailable',
  DIGEST_BAD_REFERENCE: 'input',
  DIGEST_UNKNOWN_TRANSPORT: 'input',
  DIGEST_NO_MATCH: 'input',
  DIGEST_AMBIGUOUS: 'input',
  DIGEST_BAD_LAYOUT: 'input',
  DIGEST_BAD_ARCHIVE: 'input',
  // The reference names something the registry does not have: the user must change it.
  DIGEST_REGISTRY_NOT_FOUND: 'input',
  DIGEST_REGISTRY_AUTH: 'forbidden',
  DIGEST_REGISTRY_UNREACHABLE: 'unavailable',
  DIGEST_REGISTRY_TLS: 'unavailable',
  DIGEST_REGISTRY_TIMEOUT: 'unavailable',
  DIGEST_REGISTRY_PROTOCOL: 'unavailable',
  // Content whose digest differs from what was asked or announced: possible tampering.
  DIGEST_MISMATCH: 'verification',
};

export class DigestError extends Error {
  readonly code: DigestErrorCode;
  readonly category: DigestErrorCategory;
  /** The subject being digested when the error happened, if known. */
  readonly subject: string | undefined;

  constructor(
    code: DigestErrorCode,
    message: string,
    options?: { cause?: unknown; subject?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DigestError';
    this.code = code;
    this.category = CATEGORY[code];
    this.subject = options?.subject;
  }
}

export function categoryOf(code: DigestErrorCode): DigestErrorCategory {
  return CATEGORY[code];
}
