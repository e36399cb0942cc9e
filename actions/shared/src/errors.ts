/**
 * Errors the actions raise themselves (bad inputs, a missing token). Everything else comes from the
 * packages the CLI uses, with their own `code` and `category`; the action boundary reports both
 * the same way.
 */
export type ActionErrorCode =
  'INPUT_MISSING' | 'INPUT_INVALID' | 'TOKEN_MISSING' | 'GATE_BLOCKED' | 'EVIDENCE_UNAVAILABLE';

export type ActionErrorCategory = 'input' | 'forbidden' | 'verification' | 'internal';

export class ActionError extends Error {
  readonly code: ActionErrorCode;
  readonly category: ActionErrorCategory;
  constructor(
    code: ActionErrorCode,
    category: ActionErrorCategory,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ActionError';
    this.code = code;
    this.category = category;
  }
}
