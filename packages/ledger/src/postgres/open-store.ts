/**
 * Opens a store from a spec: `postgres://…` / `postgresql://…` (PostgreSQL, see connection.ts),
 * or `file:<dir>` / a plain path (the embedded store, `<dir>/ledger.db`).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { LedgerError } from '../errors.ts';
import { SqliteStore } from '../sqlite/sqlite-store.ts';
import type { LedgerStore } from '../store.ts';
import { isPostgresSpec } from './connection.ts';
import { PostgresStore } from './postgres-store.ts';

/** The embedded store's file inside a ledger directory (ledger.ts's DB_FILE). */
const DB_FILE = 'ledger.db';

export type StoreSpec = { kind: 'postgres'; url: string } | { kind: 'file'; dir: string };

export function parseStoreSpec(spec: string, cwd = process.cwd()): StoreSpec {
  if (isPostgresSpec(spec)) return { kind: 'postgres', url: spec };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    throw new LedgerError(
      'STORE_UNAVAILABLE',
      'input',
      `"${spec.split('://')[0]}://" stores are not supported: use file:<dir> or postgres://…`,
    );
  }
  const dir = spec.startsWith('file:') ? spec.slice('file:'.length) : spec;
  if (dir === '') {
    throw new LedgerError('STORE_UNAVAILABLE', 'input', 'file: needs a directory (file:<dir>)');
  }
  return { kind: 'file', dir: path.resolve(cwd, dir) };
}

export interface OpenStoreOptions {
  readOnly?: boolean;
  /** Refuse an embedded directory that holds no ledger yet (sources must exist). */
  mustExist?: boolean;
}

export async function openStore(
  spec: StoreSpec,
  options: OpenStoreOptions = {},
): Promise<LedgerStore> {
  if (spec.kind === 'postgres') {
    return PostgresStore.open({ url: spec.url, readOnly: options.readOnly ?? false });
  }
  const file = path.join(spec.dir, DB_FILE);
  if ((options.mustExist || options.readOnly) && !existsSync(file)) {
    throw new LedgerError(
      'STORE_UNAVAILABLE',
      'input',
      `${spec.dir} holds no ledger (no ${DB_FILE})`,
    );
  }
  if (!options.readOnly) await mkdir(spec.dir, { recursive: true, mode: 0o700 });
  return SqliteStore.open({ path: file, readOnly: options.readOnly ?? false });
}
