import { existsSync } from 'node:fs';
import path from 'node:path';
import { LedgerError } from '../errors.ts';
import { DB_FILE } from '../ledger.ts';
import { SqliteStore } from './sqlite-store.ts';

/**
 * Opens the store of an existing embedded ledger directory read-only, for offline checks; a
 * directory without a ledger is the caller's mistake (STORE_UNAVAILABLE, input), never a new store.
 */
export function openLedgerDirReadOnly(dir: string): SqliteStore {
  const dbPath = path.join(dir, DB_FILE);
  if (!existsSync(dbPath)) {
    throw new LedgerError(
      'STORE_UNAVAILABLE',
      'input',
      `${dir} holds no ledger (${DB_FILE} is missing)`,
    );
  }
  return SqliteStore.open({ path: dbPath, readOnly: true });
}
