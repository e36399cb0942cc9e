/**
 * Rollback and fork detection for whoever holds a checkpoint they trusted earlier (clients, the
 * `audit` command, a state file): the current checkpoint must be at least as large and provably
 * extend the trusted one. A store restored from an older copy fails this check.
 */
import { decodeBase64, verifyConsistency } from '@notarize/tlog';
import { LedgerError } from './errors.ts';
import type { Ledger } from './ledger.ts';
import type { SignedCheckpoint } from './types.ts';

export interface TrustedTreeHead {
  size: number;
  /** Base64 root. */
  root: string;
}

function decodeHash(text: string, what: string): Uint8Array {
  const bytes = decodeBase64(text);
  if (!bytes || bytes.length !== 32) {
    throw new LedgerError('ENTRY_INVALID', 'input', `${what} is not a base64 SHA-256 hash`);
  }
  return bytes;
}

/**
 * Checks that `current` (already signature-checked) extends `trusted`, given the consistency
 * proof between them. Throws ROLLBACK_DETECTED (verification) naming what failed.
 */
export function verifyNotRolledBack(
  trusted: TrustedTreeHead,
  current: TrustedTreeHead,
  proof: readonly string[],
): void {
  if (current.size < trusted.size) {
    throw new LedgerError(
      'ROLLBACK_DETECTED',
      'verification',
      `the ledger's checkpoint has ${current.size} entries, fewer than the ${trusted.size} of a ` +
        'checkpoint seen before: the ledger was rolled back or replaced; do not trust it',
    );
  }
  try {
    verifyConsistency(
      trusted.size,
      current.size,
      decodeHash(trusted.root, 'trusted root'),
      decodeHash(current.root, 'current root'),
      proof.map((p, i) => decodeHash(p, `proof[${i}]`)),
    );
  } catch (error) {
    throw new LedgerError(
      'ROLLBACK_DETECTED',
      'verification',
      `the ledger's checkpoint (size ${current.size}) is not consistent with the checkpoint seen ` +
        `before (size ${trusted.size}): the history was rewritten or rolled back (${(error as Error).message})`,
      { cause: error },
    );
  }
}

/** Proves the ledger's newest checkpoint extends `trusted`, and returns it. */
export async function checkLedgerExtends(
  ledger: Ledger,
  trusted: TrustedTreeHead,
): Promise<SignedCheckpoint> {
  const current = ledger.checkpoint();
  if (current.size < trusted.size) verifyNotRolledBack(trusted, current, []);
  const { proof } = await ledger.consistency(trusted.size, current.size);
  verifyNotRolledBack(trusted, current, proof);
  return current;
}
