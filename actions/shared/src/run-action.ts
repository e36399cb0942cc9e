/**
 * The one place an action fails its step: any error thrown by the action's body ends here and
 * becomes `core.setFailed` (an `::error::` annotation and exit code 1). Typed errors from the
 * packages carry a stable `code` that is shown, so users can search the docs for it.
 */
import * as core from '@actions/core';
import { isCategorized, printable } from '@notarize/cli';
import { PolicyError } from '@notarize/trust';

const HINTS: Record<string, string> = {
  unavailable: 'The ledger or a host could not be reached; check the `ledger` input and retry.',
  verification:
    'A proof, signature or consistency check failed: the ledger may have been tampered with. Do not release; tell the ledger operator.',
};

export function failureMessage(action: string, error: unknown): string {
  if (isCategorized(error)) {
    const hint = HINTS[error.category];
    return `${action}: ${error.message} [${error.code}]${hint ? ` ${hint}` : ''}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `${action}: unexpected error: ${message} [INTERNAL] Please report it with the job log.`;
}

/** A policy that does not validate: one annotation per problem, pinned to the policy's line. */
function annotatePolicy(error: unknown): void {
  if (!(error instanceof PolicyError)) return;
  // An inline policy (the input's text) has no file to pin the annotations to.
  const file = error.source.startsWith('input ') ? undefined : error.source;
  for (const p of error.problems) {
    core.error(printable(`${p.path ? `${p.path}: ` : ''}${p.message}`), {
      title: 'Invalid gate policy',
      ...(file ? { file } : {}),
      startLine: p.line,
      startColumn: p.column,
    });
  }
}

export async function runAction(action: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (error instanceof Error && error.stack) core.debug(error.stack);
    annotatePolicy(error);
    // @actions/core escapes the command's data; control characters are escaped here.
    core.setFailed(printable(failureMessage(action, error), { multiline: true }));
  }
}
