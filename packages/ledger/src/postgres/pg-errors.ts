/**
 * Mapping of database failures to the ledger's typed errors. SQLSTATE classes are the same in
 * PostgreSQL, CockroachDB and YugabyteDB for what matters here.
 */
import { LedgerError } from '../errors.ts';

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Serialization failure / deadlock (a retry may succeed); with `ddl`, also the catalog
 * collisions of concurrent CREATE ... IF NOT EXISTS (unique_violation, duplicate_object/table).
 */
export function isRetryable(error: unknown, ddl = false): boolean {
  const code = sqlState(error);
  if (code === '40001' || code === '40P01') return true;
  return ddl && (code === '23505' || code === '42P07' || code === '42710' || code === '42P06');
}

export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === '23505';
}

/** Wraps anything that is not already a LedgerError as STORE_UNAVAILABLE. */
export function storeError(where: string, what: string, error: unknown): LedgerError {
  if (error instanceof LedgerError) return error;
  if (isRetryable(error) || isUniqueViolation(error)) {
    return new LedgerError(
      'STORE_CONFLICT',
      'conflict',
      `${where}: ${what} collided with another writer (${(error as Error).message}); retry`,
      { cause: error },
    );
  }
  return new LedgerError(
    'STORE_UNAVAILABLE',
    'unavailable',
    `${where}: ${what} failed: ${(error as Error).message}; check that the database is reachable`,
    { cause: error },
  );
}
