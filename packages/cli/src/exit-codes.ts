/**
 * Process exit codes of the `notarize` CLI (docs/cli.md). 1–4 are the trust status codes
 * of a blocking decision; the rest say why the command itself could not do its work.
 */
export const ExitCode = {
  ok: 0,
  untrusted: 1,
  unknown: 2,
  unsupported: 3,
  revoked: 4,
  usage: 10,
  unreachable: 11,
  verification: 20,
  internal: 70,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Every package's typed errors carry a `category`; this is how the CLI turns one into an exit code.
 * `input`: the user's arguments, files or configuration are wrong (10).
 * `unavailable`: a ledger, registry or host could not be reached (11).
 * `verification`: a proof, signature, digest or consistency check failed (20).
 * `conflict` / `forbidden`: the ledger refused the request (10: the request must change).
 * `internal`: a bug (70).
 */
export type ErrorCategory =
  'input' | 'unavailable' | 'verification' | 'conflict' | 'forbidden' | 'internal';

export function exitCodeForCategory(category: ErrorCategory): ExitCode {
  switch (category) {
    case 'input':
    case 'conflict':
    case 'forbidden':
      return ExitCode.usage;
    case 'unavailable':
      return ExitCode.unreachable;
    case 'verification':
      return ExitCode.verification;
    case 'internal':
      return ExitCode.internal;
  }
}
