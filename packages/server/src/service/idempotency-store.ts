/**
 * Idempotency records on disk (`<data>/idempotency.db`, SQLite): a client retrying after the
 * service crashed or restarted still gets the entries appended the first time. WAL with
 * synchronous=NORMAL: a record survives a process crash (what restarts are); the log itself keeps
 * its own full-sync guarantees. Records older than the TTL are pruned on open.
 */
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';

export interface IdempotencyRecordStore {
  get(id: string): { bodyHash: string; indexes: number[]; created: number } | undefined;
  put(id: string, bodyHash: string, indexes: readonly number[]): void;
  close(): void;
}

export const IDEMPOTENCY_DB = 'idempotency.db';

export class SqliteIdempotencyStore implements IdempotencyRecordStore {
  private readonly db: DatabaseSync;
  private readonly getStmt: StatementSync;
  private readonly putStmt: StatementSync;

  constructor(dataDir: string, ttlMs: number) {
    this.db = new DatabaseSync(path.join(dataDir, IDEMPOTENCY_DB));
    this.db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS records (
        id TEXT PRIMARY KEY, body_hash TEXT NOT NULL, indexes TEXT NOT NULL, created INTEGER NOT NULL
      ) STRICT;
    `);
    this.db.prepare('DELETE FROM records WHERE created < ?').run(Date.now() - ttlMs);
    this.getStmt = this.db.prepare('SELECT body_hash, indexes, created FROM records WHERE id = ?');
    this.putStmt = this.db.prepare(
      'INSERT OR IGNORE INTO records (id, body_hash, indexes, created) VALUES (?, ?, ?, ?)',
    );
  }

  get(id: string) {
    const row = this.getStmt.get(id) as
      { body_hash: string; indexes: string; created: number } | undefined;
    if (!row) return undefined;
    return {
      bodyHash: row.body_hash,
      indexes: JSON.parse(row.indexes) as number[],
      created: row.created,
    };
  }

  put(id: string, bodyHash: string, indexes: readonly number[]): void {
    this.putStmt.run(id, bodyHash, JSON.stringify(indexes), Date.now());
  }

  close(): void {
    this.db.close();
  }
}
