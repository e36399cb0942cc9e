/**
 * Checks on an embedded ledger's directory before anything is opened or created in it:
 * - a path that exists but is not a directory (`--ledger file:<a regular file>`) is the caller's
 *   mistake (STORE_UNAVAILABLE, input);
 * - a directory that holds the ledger's key but not its database lost the database: that is
 *   reported (STORE_CORRUPT, verification) and an empty ledger is never created in its place.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { corrupt, LedgerError } from '../errors.ts';
import { KEY_FILE, VKEY_FILE } from '../signing-key.ts';

export interface LedgerDirState {
  /** The directory holds the ledger's key (ledger.key or ledger.vkey). */
  hasKey: boolean;
}

export async function inspectLedgerDir(dir: string, dbFile: string): Promise<LedgerDirState> {
  try {
    if (!(await stat(dir)).isDirectory()) {
      throw new LedgerError(
        'STORE_UNAVAILABLE',
        'input',
        `${dir} is not a directory: a file: ledger names the directory that holds ${dbFile} (file:<dir>)`,
      );
    }
  } catch (error) {
    if (error instanceof LedgerError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { hasKey: false };
    throw new LedgerError(
      'STORE_UNAVAILABLE',
      'input',
      `${dir} cannot be a ledger directory: ${code === 'ENOTDIR' ? 'a part of the path is a file' : (error as Error).message}`,
      { cause: error },
    );
  }
  const hasKey = existsSync(path.join(dir, VKEY_FILE)) || existsSync(path.join(dir, KEY_FILE));
  if (hasKey && !existsSync(path.join(dir, dbFile))) {
    throw corrupt(
      `${dir} holds the ledger's key but no ${dbFile}: the ledger's database was removed; ` +
        'restore it from a backup (notarize ledger restore); no empty ledger is created in its place',
    );
  }
  return { hasKey };
}
