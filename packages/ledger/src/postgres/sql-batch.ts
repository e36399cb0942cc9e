/**
 * Multi-row INSERTs with numbered placeholders: plain `VALUES (...), (...)` is the one bulk form
 * PostgreSQL, CockroachDB and YugabyteDB all accept, and it keeps a 16k-entry batch at a few
 * round trips instead of one per row.
 */
import type { PoolClient } from 'pg';

/** Rows per statement; PostgreSQL allows 65,535 parameters. */
export const ROWS_PER_INSERT = 1000;

export async function insertRows(
  client: PoolClient,
  head: string,
  width: number,
  rows: number,
  fill: (params: unknown[], row: number) => void,
  tail = '',
): Promise<void> {
  for (let from = 0; from < rows; from += ROWS_PER_INSERT) {
    const n = Math.min(ROWS_PER_INSERT, rows - from);
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (let r = 0; r < n; r++) {
      fill(params, from + r);
      const base = r * width;
      tuples.push(`(${Array.from({ length: width }, (_, c) => `$${base + c + 1}`).join(',')})`);
    }
    await client.query(`${head} VALUES ${tuples.join(',')} ${tail}`, params);
  }
}
