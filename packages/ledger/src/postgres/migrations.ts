/**
 * Versioned schema migrations of the PostgreSQL store, applied when a store opens.
 *
 * Concurrent starts are safe without advisory locks (CockroachDB has none): the bookkeeping
 * tables are created with IF NOT EXISTS (retried, because two sessions creating the same table at
 * once can still collide in PostgreSQL's catalog), then every migration runs inside one
 * transaction that holds `migration_lock`'s single row FOR UPDATE; a second starter waits on that
 * row and then finds the versions already recorded in `schema_migrations`.
 *
 * Only SQL that PostgreSQL, CockroachDB and YugabyteDB all accept (docs/postgres.md): BIGINT,
 * BYTEA, TEXT, plain primary keys and indexes, no sequences, triggers or partial indexes.
 */
import type { Pool, PoolClient } from 'pg';
import { LedgerError } from '../errors.ts';
import { isRetryable } from './pg-errors.ts';

export interface Migration {
  version: number;
  name: string;
  /** Statements, run one by one; `s` is the quoted schema name. */
  statements(s: string): string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'log tables',
    statements: (s) => [
      `CREATE TABLE IF NOT EXISTS ${s}.meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
      // The coordination row: the one committed head of the log. Every append locks it FOR
      // UPDATE and moves it with a compare-and-swap on `size`.
      `CREATE TABLE IF NOT EXISTS ${s}.log_state (
         id INT PRIMARY KEY CHECK (id = 1),
         size BIGINT NOT NULL,
         root BYTEA NOT NULL,
         checkpoint TEXT NOT NULL
       )`,
      `CREATE TABLE IF NOT EXISTS ${s}.entries (idx BIGINT PRIMARY KEY, data BYTEA NOT NULL)`,
      // Node hashes packed as in the embedded store (sqlite/tile-layout.ts): one row per tile.
      `CREATE TABLE IF NOT EXISTS ${s}.tiles (id BIGINT PRIMARY KEY, data BYTEA NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${s}.checkpoints (size BIGINT PRIMARY KEY, note TEXT NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${s}.lookup (
         key BIGINT NOT NULL, idx BIGINT NOT NULL, PRIMARY KEY (key, idx)
       )`,
      `CREATE INDEX IF NOT EXISTS lookup_by_idx ON ${s}.lookup (idx)`,
      `CREATE TABLE IF NOT EXISTS ${s}.idempotency (
         key TEXT PRIMARY KEY, first BIGINT NOT NULL, count BIGINT NOT NULL, hash BYTEA NOT NULL
       )`,
    ],
  },
  {
    version: 2,
    name: 'lookup map values',
    statements: (s) => [
      // One row per map key and map head (ver = the map head's log index); see docs/formats.md.
      `CREATE TABLE IF NOT EXISTS ${s}.map_values (
         key BYTEA NOT NULL, ver BIGINT NOT NULL, value BYTEA NOT NULL, PRIMARY KEY (key, ver)
       )`,
      `CREATE INDEX IF NOT EXISTS map_values_by_ver ON ${s}.map_values (ver)`,
    ],
  },
];

export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

const BOOTSTRAP_TRIES = 5;

async function bootstrap(client: PoolClient, s: string, schema: string): Promise<void> {
  const statements = [
    ...(schema === 'public' ? [] : [`CREATE SCHEMA IF NOT EXISTS ${s}`]),
    `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
       version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL
     )`,
    `CREATE TABLE IF NOT EXISTS ${s}.migration_lock (id INT PRIMARY KEY)`,
    `INSERT INTO ${s}.migration_lock (id) VALUES (1) ON CONFLICT DO NOTHING`,
  ];
  for (const sql of statements) {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(sql);
        break;
      } catch (error) {
        // Concurrent CREATE ... IF NOT EXISTS can fail on the catalog's unique index: the other
        // session created it, so the retry finds it.
        if (attempt >= BOOTSTRAP_TRIES || !isRetryable(error, true)) throw error;
        await new Promise((r) => setTimeout(r, 20 * attempt));
      }
    }
  }
}

/** Applies the missing migrations; returns the versions applied by this call. */
export async function migrate(pool: Pool, schema: string): Promise<number[]> {
  const s = `"${schema}"`;
  const client = await pool.connect();
  try {
    await bootstrap(client, s, schema);
    await client.query('BEGIN');
    try {
      await client.query(`SELECT id FROM ${s}.migration_lock WHERE id = 1 FOR UPDATE`);
      const done = await client.query<{ version: string }>(
        `SELECT version FROM ${s}.schema_migrations`,
      );
      const applied = new Set(done.rows.map((r) => Number(r.version)));
      const newer = [...applied].filter((v) => v > SCHEMA_VERSION);
      if (newer.length > 0) {
        throw new LedgerError(
          'STORE_UNAVAILABLE',
          'input',
          `the database schema "${schema}" is at version ${Math.max(...newer)}, newer than this ` +
            `version of notarize understands (${SCHEMA_VERSION}): upgrade notarize`,
        );
      }
      const ran: number[] = [];
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        for (const sql of m.statements(s)) await client.query(sql);
        await client.query(
          `INSERT INTO ${s}.schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
          [m.version, m.name, new Date().toISOString()],
        );
        ran.push(m.version);
      }
      await client.query('COMMIT');
      return ran;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    client.release();
  }
}
