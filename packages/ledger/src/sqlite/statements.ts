/** The embedded store's prepared SQL statements (sqlite-store.ts uses them). */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** Rows per multi-row INSERT: fewer JS->SQLite crossings (measured ~2x on entries). */
export const CHUNK = 64;

export interface MultiInsert {
  full: StatementSync;
  one: StatementSync;
  width: number;
}

/** The store's prepared statements (throws if a table is missing: openError maps that). */
export function prepareStatements(db: DatabaseSync): {
  entries: MultiInsert;
  lookups: MultiInsert;
  map: MultiInsert;
  stmts: Record<string, StatementSync>;
} {
  const multi = (table: string, columns: string): MultiInsert => {
    const width = columns.split(',').length;
    const tuple = `(${Array(width).fill('?').join(',')})`;
    const sql = (n: number) =>
      `INSERT INTO ${table}(${columns}) VALUES ${Array(n).fill(tuple).join(',')}`;
    return { full: db.prepare(sql(CHUNK)), one: db.prepare(sql(1)), width };
  };
  return {
    entries: multi('entries', 'idx,data'),
    lookups: multi('lookup', 'seg,key,idx'),
    map: multi('map_values', 'key,ver,value'),
    stmts: {
      maxIdx: db.prepare('SELECT max(idx) AS m FROM entries'),
      count: db.prepare('SELECT count(*) AS n FROM entries'),
      meta: db.prepare('SELECT key, value FROM meta'),
      setMeta: db.prepare('INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)'),
      entries: db.prepare('SELECT idx, data FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx'),
      tile: db.prepare('SELECT data FROM tiles WHERE id = ?'),
      tiles: db.prepare('SELECT id, data FROM tiles WHERE id >= ? AND id < ? ORDER BY id'),
      putTile: db.prepare('INSERT OR REPLACE INTO tiles(id, data) VALUES (?, ?)'),
      putCheckpoint: db.prepare('INSERT INTO checkpoints(size, note) VALUES (?, ?)'),
      latest: db.prepare('SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1'),
      checkpointAt: db.prepare('SELECT size, note FROM checkpoints WHERE size = ?'),
      checkpoints: db.prepare(
        'SELECT size, note FROM checkpoints WHERE size > ? ORDER BY size LIMIT ?',
      ),
      lookup: db.prepare(
        `WITH RECURSIVE s(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM s WHERE x < ?)
         SELECT l.idx AS idx FROM s JOIN lookup l ON l.seg = s.x AND l.key = ?
         WHERE l.idx < ? ORDER BY l.idx`,
      ),
      lookups: db.prepare(
        'SELECT key, idx FROM lookup WHERE seg >= ? AND seg <= ? AND idx >= ? AND idx < ?',
      ),
      clearLookups: db.prepare('DELETE FROM lookup'),
      mapLeaves: db.prepare('SELECT key, value FROM map_values WHERE ver <= ? ORDER BY ver'),
      mapChanges: db.prepare(
        'SELECT key, ver, value FROM map_values WHERE ver > ? AND ver <= ? ORDER BY ver, key',
      ),
      clearMap: db.prepare('DELETE FROM map_values'),
      idem: db.prepare('SELECT key, first, count, hash FROM idempotency WHERE key = ?'),
      putIdem: db.prepare('INSERT INTO idempotency(key, first, count, hash) VALUES (?, ?, ?, ?)'),
      tooFar: db.prepare(
        `SELECT (SELECT count(*) FROM checkpoints WHERE size > ?1) AS checkpoints,
                (SELECT count(*) FROM lookup WHERE idx >= ?1) AS lookups,
                (SELECT count(*) FROM idempotency WHERE first + count > ?1) AS idempotency,
                (SELECT count(*) FROM map_values WHERE ver >= ?1) AS mapRows,
                (SELECT count(*) FROM tiles WHERE length(data) <> ?2) AS badTiles,
                (SELECT count(*) FROM entries WHERE idx < 0) AS negative`,
      ),
      tileIds: db.prepare('SELECT id FROM tiles ORDER BY id'),
    },
  };
}
