/**
 * What a database file holds before the embedded store uses it, so that a damaged or foreign
 * file is reported (STORE_CORRUPT, a verification failure) instead of failing later with a
 * stack, and never gets our schema written into it:
 * - not an SQLite database at all (SQLITE_NOTADB), or corrupt (SQLITE_CORRUPT);
 * - a database with tables but no `meta` table: another program's file;
 * - an empty database (a 0-byte file, or one without tables) where a ledger must already exist:
 *   read-only, or beside the ledger's key (see ledger.ts).
 */
import type { DatabaseSync } from 'node:sqlite';
import { corrupt, LedgerError } from '../errors.ts';

/** SQLite primary result codes that mean the file is damaged or not a database. */
const SQLITE_CORRUPT = 11;
const SQLITE_NOTADB = 26;

export type DatabaseShape = 'empty' | 'ledger';

/** 'empty' (no tables), 'ledger' (has our `meta` table); throws for anything else. */
export function databaseShape(db: DatabaseSync, file: string): DatabaseShape {
  const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
    name: string;
  }[];
  if (rows.length === 0) return 'empty';
  if (rows.some((r) => r.name === 'meta')) return 'ledger';
  const names = rows.map((r) => r.name).slice(0, 5);
  throw corrupt(
    `${file} is not a notarize ledger database (it holds the tables ${names.join(', ')}): ` +
      'it was replaced or this is the wrong directory; restore the ledger from a backup',
  );
}

/** The error for an empty database that must already be a ledger. */
export function emptyDatabase(file: string): LedgerError {
  return corrupt(
    `${file} is empty (no ledger tables): the ledger's database was truncated or replaced; ` +
      'restore it from a backup (notarize ledger restore)',
  );
}

/** Maps an error of opening or preparing the database to a typed one. */
export function openError(file: string, error: unknown): LedgerError {
  if (error instanceof LedgerError) return error;
  const errcode = (error as { errcode?: unknown }).errcode;
  const primary = typeof errcode === 'number' ? errcode & 0xff : undefined;
  if (primary === SQLITE_NOTADB || primary === SQLITE_CORRUPT) {
    return corrupt(
      `${file} is not a usable SQLite database (${(error as Error).message}): the ledger's ` +
        'database was damaged or replaced; restore it from a backup',
      error,
    );
  }
  if (/no such table/i.test((error as Error).message ?? '')) {
    return corrupt(
      `${file} lacks tables of the ledger (${(error as Error).message}): the database was ` +
        'damaged; restore it from a backup',
      error,
    );
  }
  return new LedgerError(
    'STORE_UNAVAILABLE',
    'unavailable',
    `cannot open the ledger database ${file}: ${(error as Error).message}`,
    { cause: error },
  );
}
