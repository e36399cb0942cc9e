/**
 * What `notarize audit --resume FILE` remembers between runs, so a monitor reads only what was
 * appended since: the tree's frontier (its perfect subtrees) at the size it audited, and the
 * lookup map it replayed (its values per map head), in a SQLite file of the monitor's own — never
 * the ledger's rows, which is what the monitor checks. A resumed audit re-derives the map from
 * these values and must reach the roots it proved before.
 */
import { DatabaseSync } from 'node:sqlite';
import { LedgerMap, newestPerKey, type MapValueRow } from '@notarize/ledger';
import { LedgerClientError } from './errors.ts';

export interface AuditFrontier {
  origin: string;
  /** Entries audited. */
  size: number;
  /** Perfect subtrees of the tree of `size`, largest first (base64 hash, leaf count). */
  stack: { hash: string; size: number }[];
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS map_values (
  key BLOB NOT NULL, ver INTEGER NOT NULL, value BLOB NOT NULL, PRIMARY KEY (key, ver)
) STRICT, WITHOUT ROWID;
`;

export class AuditMemory {
  readonly #db: DatabaseSync;
  readonly #file: string;

  private constructor(file: string, db: DatabaseSync) {
    this.#file = file;
    this.#db = db;
  }

  static open(file: string): AuditMemory {
    try {
      const db = new DatabaseSync(file);
      db.exec(SCHEMA);
      return new AuditMemory(file, db);
    } catch (error) {
      throw new LedgerClientError(
        'STATE_INVALID',
        'input',
        `cannot use ${file} as the audit's memory: ${(error as Error).message}; remove it for a full audit`,
        { cause: error },
      );
    }
  }

  /** The frontier and map of the last audit, or undefined before the first. */
  async load(origin: string): Promise<{ frontier: AuditFrontier; map: LedgerMap } | undefined> {
    const row = this.#db.prepare("SELECT value FROM meta WHERE key = 'frontier'").get() as
      { value: string } | undefined;
    if (!row) return undefined;
    const frontier = JSON.parse(row.value) as AuditFrontier & { mapHead: number };
    if (frontier.origin !== origin) {
      throw new LedgerClientError(
        'STATE_INVALID',
        'input',
        `${this.#file} remembers the ledger "${frontier.origin}", not "${origin}"`,
      );
    }
    const map =
      frontier.mapHead >= 0 ? await LedgerMap.load(this, frontier.mapHead) : LedgerMap.empty();
    return { frontier, map };
  }

  /** Records an audit: the new map rows and the frontier, atomically. */
  save(frontier: AuditFrontier, mapHead: number, rows: readonly MapValueRow[]): void {
    const insert = this.#db.prepare('INSERT INTO map_values (key, ver, value) VALUES (?, ?, ?)');
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      for (const r of rows) insert.run(r.key, r.version, r.value);
      this.#db
        .prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('frontier', ?)")
        .run(JSON.stringify({ ...frontier, mapHead }));
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  /** LedgerMap.load's one read: the newest value of every key with version <= `version`. */
  async readMapLeaves(version: number): Promise<{ key: Uint8Array; value: Uint8Array }[]> {
    const rows = this.#db
      .prepare('SELECT key, value FROM map_values WHERE ver <= ? ORDER BY key, ver DESC')
      .iterate(version) as Iterable<{ key: Uint8Array; value: Uint8Array }>;
    return newestPerKey(rows);
  }

  close(): void {
    this.#db.close();
  }
}
