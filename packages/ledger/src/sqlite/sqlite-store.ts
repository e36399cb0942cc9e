/**
 * The embedded store: one SQLite database (`<dir>/ledger.db`) through node:sqlite, WAL journal,
 * `synchronous=FULL` (a commit returns after the WAL is fsync'd), one transaction per batch.
 * Node hashes are packed into tiles (tile-layout.ts); the right-edge tiles stay in memory so a
 * batch writes each touched tile once without reading it back.
 */
import { backup, DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Hash, NodeId } from '@notarize/tlog';
import { corrupt, LedgerError } from '../errors.ts';
import type {
  AppendBatch,
  IdempotencyRecord,
  LedgerStore,
  LookupRow,
  MapValueRow,
  StoredCheckpoint,
  StoreMeta,
} from '../store.ts';
import { databaseShape, emptyDatabase, openError } from './check-database.ts';
import { CHUNK, prepareStatements, type MultiInsert } from './statements.ts';
import {
  LOOKUP_SEGMENT,
  LOOKUP_SEGMENT_BITS,
  MAP_VALUES_BY_VERSION,
  SCHEMA,
  STORE_FORMAT,
} from './schema.ts';
import {
  HASH_SIZE,
  nodesFromTiles,
  nodeSlot,
  TILE_BYTES,
  tileComplete,
  tileIdRange,
  tileOf,
  TILE_HEIGHT,
  TILE_WIDTH,
} from './tile-layout.ts';

/** Tiles kept in memory for proofs (16 KiB each: at most 16 MiB). */
const TILE_CACHE = 1024;

export interface SqliteStoreOptions {
  /** Path of the database file. */
  path: string;
  /** Open without writing (verify, info on a copy). */
  readOnly?: boolean;
  /**
   * May an empty database (a new or 0-byte file) get the schema? Default: unless `readOnly`.
   * False where a ledger must already exist (its key is there): an empty one is damaged.
   */
  create?: boolean;
  /** SQLite page cache in KiB (default 32 MiB). */
  cacheKiB?: number;
}

/** True for a store written before map_values led with the version (see schema.ts). */
function mapValuesByKey(db: DatabaseSync): boolean {
  const row = db
    .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'map_values'")
    .get() as { sql: string } | undefined;
  return row !== undefined && /PRIMARY KEY \(key, ver\)/.test(row.sql);
}

export class SqliteStore implements LedgerStore {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #insertEntries: MultiInsert;
  readonly #insertLookups: MultiInsert;
  readonly #insertMap: MultiInsert;
  readonly #stmts: Record<string, StatementSync>;
  /** Tiles on the right edge of the tree, as last committed (or being built). */
  #tiles = new Map<number, Uint8Array>();
  #closed = false;
  /** Tiles read, with the log size they cover (Infinity: complete), up to TILE_CACHE. */
  readonly #read = new Map<number, { data: Uint8Array; size: number }>();
  /** The largest log size this store has seen: tiles complete at it stay complete. */
  #sizeSeen = 0;

  private constructor(options: SqliteStoreOptions) {
    this.path = options.path;
    const readOnly = options.readOnly ?? false;
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(options.path, { readOnly });
      db.exec('PRAGMA busy_timeout = 10000');
      // Look before writing anything: a foreign or damaged file is refused as it is.
      const shape = databaseShape(db, options.path);
      if (shape === 'empty' && (readOnly || options.create === false)) {
        throw emptyDatabase(options.path);
      }
      if (!readOnly) {
        db.exec('PRAGMA journal_mode = WAL');
        // A new database gets all its tables at once, never a part of them.
        db.exec(shape === 'empty' ? `BEGIN IMMEDIATE; ${SCHEMA} COMMIT;` : SCHEMA);
        if (mapValuesByKey(db)) db.exec(`BEGIN IMMEDIATE; ${MAP_VALUES_BY_VERSION} COMMIT;`);
      }
      db.exec('PRAGMA synchronous = FULL');
      db.exec(`PRAGMA cache_size = -${options.cacheKiB ?? 32768}`);
      this.#db = db;
    } catch (error) {
      if (db?.isOpen) db.close();
      throw openError(options.path, error);
    }
    try {
      const prepared = prepareStatements(db);
      this.#insertEntries = prepared.entries;
      this.#insertLookups = prepared.lookups;
      this.#insertMap = prepared.map;
      this.#stmts = prepared.stmts;
    } catch (error) {
      db.close();
      throw openError(options.path, error);
    }
  }

  static open(options: SqliteStoreOptions): SqliteStore {
    return new SqliteStore(options);
  }

  #run<T>(what: string, fn: () => T): T {
    if (this.#closed) throw new LedgerError('LEDGER_CLOSED', 'internal', 'the store is closed');
    try {
      return fn();
    } catch (error) {
      if (error instanceof LedgerError) throw error;
      throw new LedgerError(
        'STORE_UNAVAILABLE',
        'unavailable',
        `ledger database ${this.path}: ${what} failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  async readMeta(): Promise<StoreMeta | undefined> {
    return this.#run('reading metadata', () => {
      const rows = this.#stmts.meta!.all() as { key: string; value: string }[];
      const map = new Map(rows.map((r) => [r.key, r.value]));
      const origin = map.get('origin');
      if (origin === undefined) return undefined;
      const format = Number(map.get('format'));
      if (format !== STORE_FORMAT) {
        throw new LedgerError(
          'STORE_UNAVAILABLE',
          'input',
          `${this.path} has store format ${map.get('format')}; this version reads format ${STORE_FORMAT}`,
        );
      }
      return { origin, format };
    });
  }

  async initialize(meta: StoreMeta, checkpoint: StoredCheckpoint): Promise<void> {
    this.#transaction('initializing', () => {
      this.#stmts.setMeta!.run('origin', meta.origin);
      this.#stmts.setMeta!.run('format', String(meta.format));
      this.#stmts.putCheckpoint!.run(checkpoint.size, checkpoint.note);
    });
  }

  async size(): Promise<number> {
    return this.#run('reading the size', () => this.#size());
  }

  #size(): number {
    const row = this.#stmts.maxIdx!.get() as { m: number | null };
    const size = row.m === null ? 0 : row.m + 1;
    if (size > this.#sizeSeen) this.#sizeSeen = size;
    return size;
  }

  #transaction(what: string, fn: () => void): void {
    this.#run(what, () => {
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        fn();
        this.#db.exec('COMMIT');
      } catch (error) {
        try {
          this.#db.exec('ROLLBACK');
        } catch {
          // The transaction may already be gone (SQLite rolls back on some errors itself).
        }
        throw error;
      }
    });
  }

  #insertMany(insert: MultiInsert, rows: number, fill: (params: unknown[], row: number) => void) {
    let row = 0;
    const params: unknown[] = [];
    for (; row + CHUNK <= rows; row += CHUNK) {
      params.length = 0;
      for (let i = 0; i < CHUNK; i++) fill(params, row + i);
      insert.full.run(...(params as never[]));
    }
    for (; row < rows; row++) {
      params.length = 0;
      fill(params, row);
      insert.one.run(...(params as never[]));
    }
  }

  #tile(id: number): Uint8Array {
    let tile = this.#tiles.get(id);
    if (!tile) {
      const row = this.#stmts.tile!.get(id) as { data: Uint8Array } | undefined;
      tile = new Uint8Array(TILE_BYTES);
      if (row) tile.set(row.data.subarray(0, TILE_BYTES));
      this.#tiles.set(id, tile);
    }
    return tile;
  }

  async appendBatch(batch: AppendBatch): Promise<void> {
    const end = batch.start + batch.entries.length;
    if (batch.checkpoint.size !== end || batch.leafHashes.length !== batch.entries.length) {
      throw new LedgerError('STORE_CONFLICT', 'internal', 'malformed batch: sizes disagree');
    }
    try {
      this.#transaction('appending', () => {
        const current = this.#size();
        if (current !== batch.start) {
          throw new LedgerError(
            'STORE_CONFLICT',
            'conflict',
            `the log has ${current} entries, the batch starts at ${batch.start}: another process appended`,
          );
        }
        const { entries, lookups, start } = batch;
        this.#insertMany(this.#insertEntries, entries.length, (p, i) =>
          p.push(start + i, entries[i]),
        );
        this.#insertMany(this.#insertLookups, lookups.length, (p, i) => {
          const row = lookups[i] as LookupRow;
          p.push(Math.floor(row.index / LOOKUP_SEGMENT), row.keyId, row.index);
        });
        const dirty = new Set<number>();
        for (const node of batch.nodes) {
          const slot = nodeSlot(node.level, node.index);
          this.#tile(slot.tileId).set(node.hash, slot.offset);
          dirty.add(slot.tileId);
        }
        for (const id of dirty) this.#stmts.putTile!.run(id, this.#tiles.get(id) as Uint8Array);
        this.#stmts.putCheckpoint!.run(batch.checkpoint.size, batch.checkpoint.note);
        for (const r of batch.idempotency) {
          this.#stmts.putIdem!.run(r.key, r.first, r.count, r.requestHash);
        }
        const map = batch.mapValues;
        this.#insertMany(this.#insertMap, map.length, (p, i) => {
          const row = map[i] as MapValueRow;
          p.push(row.key, row.version, row.value);
        });
      });
    } catch (error) {
      // The cached tiles may hold this batch's nodes: drop them, they reload from the database.
      this.#tiles.clear();
      throw error;
    }
    if (end > this.#sizeSeen) this.#sizeSeen = end;
    for (const id of [...this.#tiles.keys()]) {
      if (tileComplete(id, end)) this.#tiles.delete(id);
    }
  }

  async readEntries(from: number, to: number): Promise<Uint8Array[]> {
    return this.#run('reading entries', () => {
      const out: Uint8Array[] = [];
      for (const row of this.#stmts.entries!.iterate(from, to) as Iterable<{
        idx: number;
        data: Uint8Array;
      }>) {
        if (row.idx !== from + out.length) throw corrupt(`entry ${from + out.length} is missing`);
        out.push(row.data);
      }
      if (out.length !== Math.max(0, to - from)) {
        throw corrupt(`entry ${from + out.length} is missing`);
      }
      return out;
    });
  }

  /**
   * The tile `id`, holding at least every node of the first `need` leaves. Stored nodes never
   * change (a node is written once its subtree is complete), so a tile read when the log had
   * `size` entries serves every node within `size` from then on: proofs for many entries (a
   * status over thousands of subjects) read the same upper tiles over and over.
   */
  #readTile(id: number, need: number): Uint8Array | undefined {
    const edge = this.#tiles.get(id);
    if (edge) return edge;
    const cached = this.#read.get(id);
    if (cached && cached.size >= need) return cached.data;
    const row = this.#stmts.tile!.get(id) as { data: Uint8Array } | undefined;
    if (row && row.data.length === TILE_BYTES) {
      if (this.#read.size >= TILE_CACHE) this.#read.clear();
      const size = tileComplete(id, this.#sizeSeen) ? Infinity : Math.max(this.#sizeSeen, need);
      this.#read.set(id, { data: row.data, size });
    }
    return row?.data;
  }

  async readNodes(ids: readonly NodeId[]): Promise<Hash[]> {
    return this.#run('reading nodes', () => {
      // Each tile once, covering the deepest node asked of it.
      const slots = ids.map(({ level, index }) => ({
        level,
        index,
        slot: nodeSlot(level, index),
        need: (index + 1) * 2 ** level,
      }));
      const needs = new Map<number, number>();
      for (const { slot, need } of slots) {
        needs.set(slot.tileId, Math.max(need, needs.get(slot.tileId) ?? 0));
      }
      const tiles = new Map<number, Uint8Array | undefined>();
      for (const [id, need] of needs) tiles.set(id, this.#readTile(id, need));
      return slots.map(({ level, index, slot }) => {
        const tile = tiles.get(slot.tileId);
        if (!tile || tile.length !== TILE_BYTES) {
          throw corrupt(`the tile holding node (${level}, ${index}) is missing or truncated`);
        }
        return tile.slice(slot.offset, slot.offset + HASH_SIZE);
      });
    });
  }

  async readLevel(level: number, from: number, to: number): Promise<Hash[]> {
    return this.#run('reading nodes', () => {
      if (to <= from) return [];
      const { first, end } = tileIdRange(level, from, to);
      const rows = this.#stmts.tiles!.all(first, end) as { id: number; data: Uint8Array }[];
      const found = nodesFromTiles(level, from, to, new Map(rows.map((r) => [r.id, r.data])));
      if ('missing' in found) {
        const { level: l, index } = found.missing;
        throw corrupt(`the tile holding node (${l}, ${index}) is missing or truncated`);
      }
      return found.hashes;
    });
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return this.#run('reading the checkpoint', () => {
      return this.#stmts.latest!.get() as StoredCheckpoint | undefined;
    });
  }

  async checkpointAt(size: number): Promise<StoredCheckpoint | undefined> {
    return this.#run('reading a checkpoint', () => {
      return this.#stmts.checkpointAt!.get(size) as StoredCheckpoint | undefined;
    });
  }

  async listCheckpoints(after: number, limit: number): Promise<StoredCheckpoint[]> {
    return this.#run('reading checkpoints', () => {
      return this.#stmts.checkpoints!.all(after, limit) as unknown as StoredCheckpoint[];
    });
  }

  async lookup(keyId: number, before: number): Promise<number[]> {
    if (before <= 0) return [];
    return this.#run('looking up', () => {
      const lastSeg = Math.floor((before - 1) / LOOKUP_SEGMENT);
      const rows = this.#stmts.lookup!.all(lastSeg, keyId, before) as { idx: number }[];
      return rows.map((r) => r.idx);
    });
  }

  async readLookups(from: number, to: number): Promise<LookupRow[]> {
    if (to <= from) return [];
    return this.#run('reading lookups', () => {
      const rows = this.#stmts.lookups!.all(
        from >> LOOKUP_SEGMENT_BITS,
        Math.floor((to - 1) / LOOKUP_SEGMENT),
        from,
        to,
      ) as { key: number; idx: number }[];
      return rows
        .map((r) => ({ keyId: r.key, index: r.idx }))
        .sort((a, b) => a.index - b.index || a.keyId - b.keyId);
    });
  }

  async rebuildLookups(rows: AsyncIterable<readonly LookupRow[]>): Promise<number> {
    // Collect first: the transaction must not span awaits (other appends would interleave).
    const all: LookupRow[] = [];
    for await (const chunk of rows) for (const row of chunk) all.push(row);
    this.#transaction('rebuilding lookups', () => {
      this.#stmts.clearLookups!.run();
      this.#insertMany(this.#insertLookups, all.length, (p, i) => {
        const row = all[i] as LookupRow;
        p.push(Math.floor(row.index / LOOKUP_SEGMENT), row.keyId, row.index);
      });
    });
    return all.length;
  }

  async readMapLeaves(version: number): Promise<{ key: Uint8Array; value: Uint8Array }[]> {
    return this.#run('reading the lookup map', () => {
      // Rows come in version order (the table's order): the last one of each key is its value.
      const newest = new Map<string, { key: Uint8Array; value: Uint8Array }>();
      for (const row of this.#stmts.mapLeaves!.iterate(version) as Iterable<{
        key: Uint8Array;
        value: Uint8Array;
      }>) {
        newest.set(Buffer.from(row.key).toString('latin1'), row);
      }
      return [...newest.values()];
    });
  }

  async readMapChanges(from: number, to: number): Promise<MapValueRow[]> {
    return this.#run('reading the lookup map', () =>
      (
        this.#stmts.mapChanges!.all(from, to) as {
          key: Uint8Array;
          ver: number;
          value: Uint8Array;
        }[]
      ).map((r) => ({ key: r.key, version: r.ver, value: r.value })),
    );
  }

  async rebuildMap(rows: readonly MapValueRow[]): Promise<void> {
    this.#transaction('rebuilding the lookup map', () => {
      this.#stmts.clearMap!.run();
      this.#insertMany(this.#insertMap, rows.length, (p, i) => {
        const row = rows[i] as MapValueRow;
        p.push(row.key, row.version, row.value);
      });
    });
  }

  async idempotency(key: string): Promise<IdempotencyRecord | undefined> {
    return this.#run('reading an idempotency key', () => {
      const row = this.#stmts.idem!.get(key) as
        { key: string; first: number; count: number; hash: Uint8Array } | undefined;
      return row && { key: row.key, first: row.first, count: row.count, requestHash: row.hash };
    });
  }

  async checkStructure(size: number): Promise<string | undefined> {
    return this.#run('checking the database', () => {
      const check = this.#db.prepare('PRAGMA quick_check').all() as Record<string, string>[];
      const first = check[0] ? Object.values(check[0])[0] : 'ok';
      if (first !== 'ok') return `SQLite reports a damaged database: ${first}`;
      const count = (this.#stmts.count!.get() as { n: number }).n;
      if (count !== size)
        return `the entries table holds ${count} rows for a log of ${size} entries`;
      const far = this.#stmts.tooFar!.get(size, TILE_BYTES) as Record<string, number>;
      if (far.checkpoints) return `${far.checkpoints} checkpoint(s) are larger than the log`;
      if (far.lookups) return `${far.lookups} lookup row(s) point past the end of the log`;
      if (far.idempotency) return `${far.idempotency} idempotency record(s) point past the log`;
      if (far.mapRows) return `${far.mapRows} lookup-map row(s) point past the end of the log`;
      if (far.badTiles) return `${far.badTiles} node tile(s) have the wrong length`;
      for (const { id } of this.#stmts.tileIds!.iterate() as Iterable<{ id: number }>) {
        const { tileLevel, tileIndex } = tileOf(id);
        // A tile exists once its first node does.
        if (size < (tileIndex * TILE_WIDTH + 1) * 2 ** (TILE_HEIGHT * tileLevel)) {
          return `node tile (${tileLevel}, ${tileIndex}) lies beyond the log`;
        }
      }
      return undefined;
    });
  }

  /** Online, consistent copy of the database to `path` (SQLite backup API). */
  async backupTo(path: string): Promise<void> {
    if (this.#closed) throw new LedgerError('LEDGER_CLOSED', 'internal', 'the store is closed');
    await backup(this.#db, path);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}
