/**
 * The PostgreSQL store: the same logical content as the embedded store (entries, node tiles laid
 * out as in sqlite/tile-layout.ts, checkpoints, lookups, idempotency keys) in PostgreSQL, so that
 * several service instances can share one log.
 *
 * Sequencing across instances: `log_state` holds the one committed head (size, root, newest
 * checkpoint). Every append locks that row FOR UPDATE inside its transaction, checks the batch's
 * `start` against it (STORE_CONFLICT otherwise: the engine reloads and retries), writes the batch
 * and moves the head with a compare-and-swap on `size`. Two sequencers therefore never fork the
 * log, and an instance that dies mid-batch leaves nothing (its transaction rolls back); what was
 * acknowledged was committed.
 */
// `pg` is loaded when a PostgreSQL store is opened: the CLI and actions on a file: or https:
// ledger never evaluate the driver (start time).
import type pg from 'pg';
import type { Hash, NodeId } from '@notarize/tlog';
import { decodeBase64 } from '@notarize/tlog';
import { corrupt, LedgerError } from '../errors.ts';
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
} from '../sqlite/tile-layout.ts';
import type {
  AppendBatch,
  IdempotencyRecord,
  LedgerStore,
  LookupRow,
  MapValueRow,
  StoredCheckpoint,
  StoreMeta,
} from '../store.ts';
import { checkSchemaName, DEFAULT_SCHEMA, parsePostgresSpec, redact } from './connection.ts';
import { migrate, SCHEMA_VERSION } from './migrations.ts';
import { storeError } from './pg-errors.ts';
import { insertRows } from './sql-batch.ts';

export interface PostgresStoreOptions {
  /** `postgres://…[?schema=name]` (see connection.ts). */
  url: string;
  /** Overrides the URL's `schema` parameter. */
  schema?: string;
  /** Connections in the pool (default 8). */
  maxConnections?: number;
  /** Open without migrating or writing (verify, reads of a store another process owns). */
  readOnly?: boolean;
  /**
   * Server-side limit on a transaction left idle (e.g. a client stuck on the network), in ms;
   * its locks go with it (default 60,000; 0 disables).
   */
  idleInTransactionTimeoutMs?: number;
}

type Row = Record<string, unknown>;

const num = (v: unknown): number => Number(v as string);
const bytes = (v: unknown): Uint8Array => new Uint8Array(v as Buffer);

/** The root hash a C2SP checkpoint note carries on its third line. */
function noteRoot(note: string): Hash {
  const root = decodeBase64(note.split('\n')[2] ?? '');
  if (!root || root.length !== HASH_SIZE) {
    throw new LedgerError('STORE_CONFLICT', 'internal', 'malformed batch: unreadable checkpoint');
  }
  return root;
}

/** Optional store capability the engine uses when several instances share a log. */
export interface HeadReservation {
  reserveHead(): Promise<void>;
  releaseHead(): Promise<void>;
}

export class PostgresStore implements LedgerStore, HeadReservation {
  /** The URL without its password (messages, logs). */
  readonly location: string;
  readonly schema: string;
  readonly #pool: pg.Pool;
  readonly #s: string;
  /** Right-edge tiles as of log size `#tilesAt`; valid only while no other instance appended. */
  #tiles = new Map<number, Uint8Array>();
  #tilesAt = -1;
  /** An open transaction holding the head row, for the next append (reserveHead). */
  #reserved: pg.PoolClient | undefined;
  #closed = false;

  private constructor(options: PostgresStoreOptions, Pool: typeof pg.Pool) {
    const spec = parsePostgresSpec(options.url);
    this.schema = checkSchemaName(options.schema ?? spec.schema ?? DEFAULT_SCHEMA);
    this.location = `${redact(spec.connectionString)} (schema ${this.schema})`;
    this.#s = `"${this.schema}"`;
    const idle = options.idleInTransactionTimeoutMs ?? 60_000;
    this.#pool = new Pool({
      connectionString: spec.connectionString,
      max: options.maxConnections ?? 8,
      ...(idle > 0 ? { idle_in_transaction_session_timeout: idle } : {}),
    });
    // An idle pooled connection that the server drops must not crash the process.
    this.#pool.on('error', () => undefined);
  }

  /** Connects, applies pending schema migrations (unless read-only) and returns the store. */
  static async open(options: PostgresStoreOptions | string): Promise<PostgresStore> {
    const { default: driver } = await import('pg');
    const store = new PostgresStore(
      typeof options === 'string' ? { url: options } : options,
      driver.Pool,
    );
    const readOnly = typeof options === 'string' ? false : (options.readOnly ?? false);
    try {
      if (!readOnly) await migrate(store.#pool, store.schema);
      else await store.#checkVersion();
    } catch (error) {
      await store.#pool.end().catch(() => undefined);
      throw storeError(store.location, 'opening the store', error);
    }
    return store;
  }

  async #checkVersion(): Promise<void> {
    const { rows } = await this.#pool.query(
      `SELECT max(version) AS v FROM ${this.#s}.schema_migrations`,
    );
    const v = num(rows[0]?.v);
    if (v !== SCHEMA_VERSION) {
      throw new LedgerError(
        'STORE_UNAVAILABLE',
        'input',
        `${this.location} has schema version ${v}, this version of notarize uses ${SCHEMA_VERSION}`,
      );
    }
  }

  async #query(what: string, sql: string, params: unknown[] = []): Promise<Row[]> {
    if (this.#closed) throw new LedgerError('LEDGER_CLOSED', 'internal', 'the store is closed');
    try {
      return (await this.#pool.query(sql, params)).rows as Row[];
    } catch (error) {
      throw storeError(this.location, what, error);
    }
  }

  async #transaction<T>(
    what: string,
    fn: (client: pg.PoolClient) => Promise<T>,
    begin = 'BEGIN',
  ): Promise<T> {
    if (this.#closed) throw new LedgerError('LEDGER_CLOSED', 'internal', 'the store is closed');
    // An append after reserveHead() runs in the reserved transaction, which holds the head.
    const reserved = what === 'appending' ? this.#reserved : undefined;
    this.#reserved = reserved ? undefined : this.#reserved;
    let client: pg.PoolClient;
    try {
      client = reserved ?? (await this.#pool.connect());
    } catch (error) {
      throw storeError(this.location, what, error);
    }
    let broken: Error | undefined;
    try {
      if (!reserved) await client.query(begin);
      try {
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw error;
      }
    } catch (error) {
      throw storeError(this.location, what, error);
    } finally {
      // A connection whose ROLLBACK failed is in an unknown state: drop it from the pool.
      client.release(broken);
    }
  }

  /**
   * Locks the log head until this handle's next appendBatch (or releaseHead). The engine calls it
   * after a STORE_CONFLICT, before catching up: other instances then cannot move the head between
   * its reload and its retry, so a busy instance cannot starve it (optimistic retries alone can
   * lose every race against instances that commit back to back).
   */
  async reserveHead(): Promise<void> {
    if (this.#reserved) return;
    if (this.#closed) throw new LedgerError('LEDGER_CLOSED', 'internal', 'the store is closed');
    let client: pg.PoolClient | undefined;
    try {
      client = await this.#pool.connect();
      await client.query('BEGIN');
      await client.query(`SELECT size FROM ${this.#s}.log_state WHERE id = 1 FOR UPDATE`);
    } catch (error) {
      await client?.query('ROLLBACK').catch(() => undefined);
      client?.release(true);
      throw storeError(this.location, 'reserving the log head', error);
    }
    this.#reserved = client;
  }

  /** Gives up a reservation that no append used (e.g. the batch only replayed idempotent keys). */
  async releaseHead(): Promise<void> {
    const client = this.#reserved;
    this.#reserved = undefined;
    if (!client) return;
    let broken: Error | undefined;
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    client.release(broken);
  }

  async readMeta(): Promise<StoreMeta | undefined> {
    const rows = await this.#query('reading metadata', `SELECT key, value FROM ${this.#s}.meta`);
    const map = new Map(rows.map((r) => [r.key as string, r.value as string]));
    const origin = map.get('origin');
    if (origin === undefined) return undefined;
    return { origin, format: Number(map.get('format')) };
  }

  /**
   * Writes the metadata and the size-0 checkpoint. Instances starting together on an empty
   * database may all call this: the first one wins, the others find the same origin and go on.
   */
  async initialize(meta: StoreMeta, checkpoint: StoredCheckpoint): Promise<void> {
    const s = this.#s;
    await this.#transaction('initializing', async (client) => {
      for (const [key, value] of [
        ['origin', meta.origin],
        ['format', String(meta.format)],
      ]) {
        await client.query(
          `INSERT INTO ${s}.meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
          [key, value],
        );
      }
      await client.query(
        `INSERT INTO ${s}.log_state (id, size, root, checkpoint) VALUES (1, $1, $2, $3)
         ON CONFLICT (id) DO NOTHING`,
        [checkpoint.size, noteRoot(checkpoint.note), checkpoint.note],
      );
      await client.query(
        `INSERT INTO ${s}.checkpoints (size, note) VALUES ($1, $2) ON CONFLICT (size) DO NOTHING`,
        [checkpoint.size, checkpoint.note],
      );
      const { rows } = await client.query(`SELECT value FROM ${s}.meta WHERE key = 'origin'`);
      if (rows[0]?.value !== meta.origin) {
        throw new LedgerError(
          'STORE_CONFLICT',
          'conflict',
          `${this.location} already holds the ledger "${rows[0]?.value}", not "${meta.origin}"`,
        );
      }
    });
  }

  async size(): Promise<number> {
    const rows = await this.#query(
      'reading the size',
      `SELECT size FROM ${this.#s}.log_state WHERE id = 1`,
    );
    return rows[0] ? num(rows[0].size) : 0;
  }

  async appendBatch(batch: AppendBatch): Promise<void> {
    const { entries, lookups, start } = batch;
    const end = start + entries.length;
    if (batch.checkpoint.size !== end || batch.leafHashes.length !== entries.length) {
      throw new LedgerError('STORE_CONFLICT', 'internal', 'malformed batch: sizes disagree');
    }
    const root = noteRoot(batch.checkpoint.note);
    const s = this.#s;
    try {
      await this.#transaction('appending', async (client) => {
        const head = await client.query(`SELECT size FROM ${s}.log_state WHERE id = 1 FOR UPDATE`);
        const current = head.rows[0] ? num(head.rows[0].size) : undefined;
        if (current !== start) {
          throw new LedgerError(
            'STORE_CONFLICT',
            'conflict',
            current === undefined
              ? `${this.location} holds no initialized ledger`
              : `the log has ${current} entries, the batch starts at ${start}: another instance appended`,
          );
        }
        if (this.#tilesAt !== start) this.#tiles.clear();
        await insertRows(
          client,
          `INSERT INTO ${s}.entries (idx, data)`,
          2,
          entries.length,
          (p, i) => p.push(start + i, entries[i]),
        );
        await insertRows(
          client,
          `INSERT INTO ${s}.lookup (key, idx)`,
          2,
          lookups.length,
          (p, i) => {
            const row = lookups[i] as LookupRow;
            p.push(row.keyId, row.index);
          },
        );
        await this.#writeTiles(client, batch);
        await client.query(`INSERT INTO ${s}.checkpoints (size, note) VALUES ($1, $2)`, [
          end,
          batch.checkpoint.note,
        ]);
        await insertRows(
          client,
          `INSERT INTO ${s}.idempotency (key, first, count, hash)`,
          4,
          batch.idempotency.length,
          (p, i) => {
            const r = batch.idempotency[i] as IdempotencyRecord;
            p.push(r.key, r.first, r.count, r.requestHash);
          },
        );
        await insertRows(
          client,
          `INSERT INTO ${s}.map_values (key, ver, value)`,
          3,
          batch.mapValues.length,
          (p, i) => {
            const r = batch.mapValues[i] as MapValueRow;
            p.push(r.key, r.version, r.value);
          },
        );
        // Publish the new head: a compare-and-swap, so even a writer that somehow skipped the
        // lock could not move the head from a size it did not start from.
        const moved = await client.query(
          `UPDATE ${s}.log_state SET size = $1, root = $2, checkpoint = $3 WHERE id = 1 AND size = $4`,
          [end, root, batch.checkpoint.note, start],
        );
        if (moved.rowCount !== 1) {
          throw new LedgerError(
            'STORE_CONFLICT',
            'conflict',
            'the log head moved during the batch',
          );
        }
      });
    } catch (error) {
      // The cached tiles may hold this batch's nodes: drop them, they reload from the database.
      this.#tiles.clear();
      this.#tilesAt = -1;
      throw error;
    }
    this.#tilesAt = end;
    for (const id of [...this.#tiles.keys()]) {
      if (tileComplete(id, end)) this.#tiles.delete(id);
    }
  }

  async #writeTiles(client: pg.PoolClient, batch: AppendBatch): Promise<void> {
    const slots = batch.nodes.map((n) => ({ node: n, slot: nodeSlot(n.level, n.index) }));
    const dirty = [...new Set(slots.map((x) => x.slot.tileId))];
    const missing = dirty.filter((id) => !this.#tiles.has(id));
    if (missing.length > 0) {
      const { rows } = await client.query(
        `SELECT id, data FROM ${this.#s}.tiles WHERE id = ANY($1::BIGINT[])`,
        [missing],
      );
      const found = new Map(rows.map((r: Row) => [num(r.id), r.data as Uint8Array]));
      for (const id of missing) {
        const tile = new Uint8Array(TILE_BYTES);
        const stored = found.get(id);
        if (stored) tile.set(stored.subarray(0, TILE_BYTES));
        this.#tiles.set(id, tile);
      }
    }
    for (const { node, slot } of slots) {
      (this.#tiles.get(slot.tileId) as Uint8Array).set(node.hash, slot.offset);
    }
    await insertRows(
      client,
      `INSERT INTO ${this.#s}.tiles (id, data)`,
      2,
      dirty.length,
      (p, i) => p.push(dirty[i], this.#tiles.get(dirty[i] as number)),
      'ON CONFLICT (id) DO UPDATE SET data = excluded.data',
    );
  }

  async readEntries(from: number, to: number): Promise<Uint8Array[]> {
    if (to <= from) return [];
    const rows = await this.#query(
      'reading entries',
      `SELECT idx, data FROM ${this.#s}.entries WHERE idx >= $1 AND idx < $2 ORDER BY idx`,
      [from, to],
    );
    const out: Uint8Array[] = [];
    for (const row of rows) {
      if (num(row.idx) !== from + out.length) break;
      out.push(row.data as Uint8Array);
    }
    if (out.length !== to - from) throw corrupt(`entry ${from + out.length} is missing`);
    return out;
  }

  /** Reads always go to the database: another instance may have appended since our last batch. */
  async readNodes(ids: readonly NodeId[]): Promise<Hash[]> {
    if (ids.length === 0) return [];
    const slots = ids.map(({ level, index }) => ({ level, index, ...nodeSlot(level, index) }));
    const rows = await this.#query(
      'reading nodes',
      `SELECT id, data FROM ${this.#s}.tiles WHERE id = ANY($1::BIGINT[])`,
      [[...new Set(slots.map((x) => x.tileId))]],
    );
    const tiles = new Map(rows.map((r) => [num(r.id), r.data as Uint8Array]));
    return slots.map(({ level, index, tileId: id, offset }) => {
      const tile = tiles.get(id);
      if (!tile || tile.length !== TILE_BYTES) {
        throw corrupt(`the tile holding node (${level}, ${index}) is missing or truncated`);
      }
      return tile.slice(offset, offset + HASH_SIZE);
    });
  }

  async readLevel(level: number, from: number, to: number): Promise<Hash[]> {
    if (to <= from) return [];
    const { first, end } = tileIdRange(level, from, to);
    const rows = await this.#query(
      'reading nodes',
      `SELECT id, data FROM ${this.#s}.tiles WHERE id >= $1 AND id < $2`,
      [first, end],
    );
    const found = nodesFromTiles(
      level,
      from,
      to,
      new Map(rows.map((r) => [num(r.id), r.data as Uint8Array])),
    );
    if ('missing' in found) {
      const { level: l, index } = found.missing;
      throw corrupt(`the tile holding node (${l}, ${index}) is missing or truncated`);
    }
    return found.hashes;
  }

  /** The published head (log_state), i.e. the checkpoint of the newest committed batch. */
  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    const rows = await this.#query(
      'reading the checkpoint',
      `SELECT size, checkpoint FROM ${this.#s}.log_state WHERE id = 1`,
    );
    const row = rows[0];
    return row && { size: num(row.size), note: row.checkpoint as string };
  }

  async checkpointAt(size: number): Promise<StoredCheckpoint | undefined> {
    const rows = await this.#query(
      'reading a checkpoint',
      `SELECT size, note FROM ${this.#s}.checkpoints WHERE size = $1`,
      [size],
    );
    const row = rows[0];
    return row && { size: num(row.size), note: row.note as string };
  }

  async listCheckpoints(after: number, limit: number): Promise<StoredCheckpoint[]> {
    const rows = await this.#query(
      'reading checkpoints',
      `SELECT size, note FROM ${this.#s}.checkpoints WHERE size > $1 ORDER BY size LIMIT $2`,
      [after, limit],
    );
    return rows.map((r) => ({ size: num(r.size), note: r.note as string }));
  }

  async lookup(keyId: number, before: number): Promise<number[]> {
    if (before <= 0) return [];
    const rows = await this.#query(
      'looking up',
      `SELECT idx FROM ${this.#s}.lookup WHERE key = $1 AND idx < $2 ORDER BY idx`,
      [keyId, before],
    );
    return rows.map((r) => num(r.idx));
  }

  async readLookups(from: number, to: number): Promise<LookupRow[]> {
    if (to <= from) return [];
    const rows = await this.#query(
      'reading lookups',
      `SELECT key, idx FROM ${this.#s}.lookup WHERE idx >= $1 AND idx < $2 ORDER BY idx, key`,
      [from, to],
    );
    return rows.map((r) => ({ keyId: num(r.key), index: num(r.idx) }));
  }

  /**
   * Replaces every lookup row with `rows`, in one transaction that holds the log head so no
   * append interleaves. Rows are computed by the caller from the entries it saw: run a reindex
   * while no other instance appends (docs/postgres.md), or rows of entries appended meanwhile
   * are dropped (and `verify` then reports LOOKUP_MISMATCH).
   */
  async rebuildLookups(rows: AsyncIterable<readonly LookupRow[]>): Promise<number> {
    const all: LookupRow[] = [];
    for await (const chunk of rows) for (const row of chunk) all.push(row);
    const s = this.#s;
    await this.#transaction('rebuilding lookups', async (client) => {
      await client.query(`SELECT size FROM ${s}.log_state WHERE id = 1 FOR UPDATE`);
      await client.query(`DELETE FROM ${s}.lookup`);
      await insertRows(client, `INSERT INTO ${s}.lookup (key, idx)`, 2, all.length, (p, i) => {
        const row = all[i] as LookupRow;
        p.push(row.keyId, row.index);
      });
    });
    return all.length;
  }

  async readMapLeaves(version: number): Promise<{ key: Uint8Array; value: Uint8Array }[]> {
    const rows = await this.#query(
      'reading the lookup map',
      `SELECT DISTINCT ON (key) key, value FROM ${this.#s}.map_values
        WHERE ver <= $1 ORDER BY key, ver DESC`,
      [version],
    );
    return rows.map((r) => ({ key: bytes(r.key), value: bytes(r.value) }));
  }

  async readMapChanges(from: number, to: number): Promise<MapValueRow[]> {
    const rows = await this.#query(
      'reading the lookup map',
      `SELECT key, ver, value FROM ${this.#s}.map_values
        WHERE ver > $1 AND ver <= $2 ORDER BY ver, key`,
      [from, to],
    );
    return rows.map((r) => ({ key: bytes(r.key), version: num(r.ver), value: bytes(r.value) }));
  }

  /** Like rebuildLookups: one transaction holding the log head. */
  async rebuildMap(rows: readonly MapValueRow[]): Promise<void> {
    const s = this.#s;
    await this.#transaction('rebuilding the lookup map', async (client) => {
      await client.query(`SELECT size FROM ${s}.log_state WHERE id = 1 FOR UPDATE`);
      await client.query(`DELETE FROM ${s}.map_values`);
      await insertRows(
        client,
        `INSERT INTO ${s}.map_values (key, ver, value)`,
        3,
        rows.length,
        (p, i) => {
          const r = rows[i] as MapValueRow;
          p.push(r.key, r.version, r.value);
        },
      );
    });
  }

  async idempotency(key: string): Promise<IdempotencyRecord | undefined> {
    const rows = await this.#query(
      'reading an idempotency key',
      `SELECT key, first, count, hash FROM ${this.#s}.idempotency WHERE key = $1`,
      [key],
    );
    const row = rows[0];
    return (
      row && {
        key: row.key as string,
        first: num(row.first),
        count: num(row.count),
        requestHash: row.hash as Uint8Array,
      }
    );
  }

  /** Idempotency records with key > `after`, by key (migrations between stores). */
  async listIdempotency(after: string, limit: number): Promise<IdempotencyRecord[]> {
    const rows = await this.#query(
      'reading idempotency keys',
      `SELECT key, first, count, hash FROM ${this.#s}.idempotency WHERE key > $1 ORDER BY key LIMIT $2`,
      [after, limit],
    );
    return rows.map((row) => ({
      key: row.key as string,
      first: num(row.first),
      count: num(row.count),
      requestHash: row.hash as Uint8Array,
    }));
  }

  /**
   * Structural checks on one consistent snapshot (REPEATABLE READ). `size` is the size the
   * verifier read; other instances may have appended since, so the snapshot's head may be larger,
   * never smaller, and every check holds against that head.
   */
  async checkStructure(size: number): Promise<string | undefined> {
    const s = this.#s;
    return this.#transaction(
      'checking the database',
      async (client) => {
        const q = async (sql: string, params: unknown[] = []) =>
          (await client.query(sql, params)).rows as Row[];
        const [state] = await q(
          `SELECT size, root, checkpoint,
                  (SELECT note FROM ${s}.checkpoints WHERE size = ${s}.log_state.size) AS stored
             FROM ${s}.log_state WHERE id = 1`,
        );
        if (!state) return size === 0 ? undefined : 'the log_state row is missing';
        const head = num(state.size);
        if (head < size)
          return `log_state says ${head} entries, fewer than the ${size} read before`;
        if (state.stored !== state.checkpoint) {
          return `the checkpoint published in log_state (size ${head}) is not the one stored for that size`;
        }
        let root: Hash | undefined;
        try {
          root = noteRoot(state.checkpoint as string);
        } catch {
          root = undefined;
        }
        if (!root || Buffer.compare(Buffer.from(root), state.root as Buffer) !== 0) {
          return 'the root in log_state differs from the root of its checkpoint';
        }
        const [f] = (await q(
          `SELECT (SELECT count(*) FROM ${s}.entries) AS entries,
                  (SELECT count(*) FROM ${s}.entries WHERE idx < 0 OR idx >= $1) AS outside,
                  (SELECT count(*) FROM ${s}.checkpoints WHERE size > $1) AS checkpoints,
                  (SELECT count(*) FROM ${s}.lookup WHERE idx >= $1 OR idx < 0) AS lookups,
                  (SELECT count(*) FROM ${s}.idempotency WHERE first + count > $1) AS idempotency,
                  (SELECT count(*) FROM ${s}.map_values WHERE ver >= $1 OR ver < 0) AS map_rows,
                  (SELECT count(*) FROM ${s}.tiles WHERE octet_length(data) <> $2) AS bad_tiles,
                  (SELECT max(version) FROM ${s}.schema_migrations) AS version`,
          [head, TILE_BYTES],
        )) as [Row];
        if (num(f.version) !== SCHEMA_VERSION) {
          return `schema version ${num(f.version)} is not ${SCHEMA_VERSION}`;
        }
        if (num(f.outside)) return `${num(f.outside)} entry row(s) lie outside the log of ${head}`;
        if (num(f.entries) !== head) {
          return `the entries table holds ${num(f.entries)} rows for a log of ${head} entries`;
        }
        if (num(f.checkpoints))
          return `${num(f.checkpoints)} checkpoint(s) are larger than the log`;
        if (num(f.lookups)) return `${num(f.lookups)} lookup row(s) point outside the log`;
        if (num(f.map_rows)) return `${num(f.map_rows)} lookup-map row(s) point outside the log`;
        if (num(f.idempotency)) {
          return `${num(f.idempotency)} idempotency record(s) point past the log`;
        }
        if (num(f.bad_tiles)) return `${num(f.bad_tiles)} node tile(s) have the wrong length`;
        for (const { id } of await q(`SELECT id FROM ${s}.tiles ORDER BY id`)) {
          const { tileLevel, tileIndex } = tileOf(num(id));
          // A tile exists once its first node does.
          if (head < (tileIndex * TILE_WIDTH + 1) * 2 ** (TILE_HEIGHT * tileLevel)) {
            return `node tile (${tileLevel}, ${tileIndex}) lies beyond the log`;
          }
        }
        return undefined;
      },
      'BEGIN ISOLATION LEVEL REPEATABLE READ',
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.releaseHead();
    this.#closed = true;
    await this.#pool.end();
  }
}
