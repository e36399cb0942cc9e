/**
 * Typed errors of @notarize/trust. `code` is stable (tests and callers switch on it); `category`
 * tells the CLI which exit code to use (docs/DEVELOPING.md): `input` for a bad policy, key or
 * statement, `verification` for a signature or payload that does not check out.
 */
export type TrustErrorCode =
  | 'STATUS_INVALID'
  | 'DIGEST_INVALID'
  | 'STATEMENT_INVALID'
  | 'ENTRY_UNSUPPORTED'
  | 'KEY_INVALID'
  | 'KEY_UNSUPPORTED'
  | 'ENVELOPE_INVALID'
  | 'SIGNATURE_INVALID'
  | 'PAYLOAD_MISMATCH'
  | 'DURATION_INVALID';

export type TrustErrorCategory = 'input' | 'verification' | 'internal';

export class TrustError extends Error {
  readonly code: TrustErrorCode;
  readonly category: TrustErrorCategory;
  constructor(
    code: TrustErrorCode,
    category: TrustErrorCategory,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TrustError';
    this.code = code;
    this.category = category;
  }
}
