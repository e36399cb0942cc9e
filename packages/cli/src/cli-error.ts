import { type ErrorCategory, exitCodeForCategory, ExitCode } from './exit-codes.ts';

/** A failure the CLI reports to the user: a stable code, a message that says what to do. */
export class CliError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;
  constructor(
    code: string,
    category: ErrorCategory,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
    this.code = code;
    this.category = category;
  }
}

/** What every package's typed errors share (see docs/DEVELOPING.md, Errors). */
export interface CategorizedError {
  code: string;
  category: ErrorCategory;
  message: string;
}

export function isCategorized(error: unknown): error is CategorizedError {
  return (
    error instanceof Error &&
    typeof (error as Partial<CategorizedError>).code === 'string' &&
    typeof (error as Partial<CategorizedError>).category === 'string'
  );
}

export interface ReportedError {
  code: string;
  message: string;
  exitCode: ExitCode;
}

/** Maps any thrown value to what the CLI prints and the exit code it ends with. */
export function describeError(error: unknown): ReportedError {
  if (isCategorized(error)) {
    return {
      code: error.code,
      message: error.message,
      exitCode: exitCodeForCategory(error.category),
    };
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { code: 'INTERNAL', message, exitCode: ExitCode.internal };
}
