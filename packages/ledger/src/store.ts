/**
 * The storage interface of the ledger. The embedded SQLite store implements it now; a PostgreSQL
 * store will next. Everything is async and batch-shaped so a networked database fits: one
 * `appendBatch` is one transaction, reads take ranges or lists.
 *
 * The log (entries) is the source of truth. Nodes, checkpoints and lookup rows are derived and are
 * written in the same transaction as the entries they derive from, so a crash never leaves them
 * disagreeing. `verify` recomputes all of them from the entries.
 */
import type { Hash, NodeId } from '@notarize/tlog';

export interface NodeRecord {
  level: number;
  index: number;
  hash: Hash;
}

/** One lookup row: the entry at `index` has the key whose 53-bit id is `keyId` (index-keys.ts). */
export interface LookupRow {
  keyId: number;
  index: number;
}

/**
 * One lookup-map value as of a map head: `version` is the map head's log index, `key` the 32-byte
 * map key, `value` the canonical value bytes (docs/formats.md, "Lookup map").
 */
export interface MapValueRow {
  key: Uint8Array;
  version: number;
  value: Uint8Array;
}

export interface IdempotencyRecord {
  key: string;
  /** Index of the first entry the request appended, and how many. */
  first: number;
  count: number;
  /** SHA-256 over the request's leaf hashes: a replay with other content is a conflict. */
  requestHash: Uint8Array;
}

export interface StoredCheckpoint {
  size: number;
  /** The signed note (C2SP tlog-checkpoint body + signature lines). */
  note: string;
}

export interface AppendBatch {
  /** Index of the first entry; must equal the store's current size (optimistic concurrency). */
  start: number;
  entries: readonly Uint8Array[];
  leafHashes: readonly Hash[];
  /** Every perfect subtree the batch completes, leaves (level 0) included. */
  nodes: readonly NodeRecord[];
  lookups: readonly LookupRow[];
  /** The checkpoint of size start + entries.length. */
  checkpoint: StoredCheckpoint;
  idempotency: readonly IdempotencyRecord[];
  /** The lookup-map values the batch's map head changed. */
  mapValues: readonly MapValueRow[];
}

export interface StoreMeta {
  origin: string;
  /** Store format version. */
  format: number;
}

export interface LedgerStore {
  /** The store's metadata, or undefined for a new store. */
  readMeta(): Promise<StoreMeta | undefined>;
  /** Writes the metadata and the first (size 0) checkpoint of a new store. */
  initialize(meta: StoreMeta, checkpoint: StoredCheckpoint): Promise<void>;
  /** Number of entries. */
  size(): Promise<number>;
  /** Appends atomically and durably; throws STORE_CONFLICT when `start` is not the current size. */
  appendBatch(batch: AppendBatch): Promise<void>;
  /** Entries [from, to). */
  readEntries(from: number, to: number): Promise<Uint8Array[]>;
  /** Hashes of stored perfect subtrees, in the order asked; throws STORE_CORRUPT if one is missing. */
  readNodes(ids: readonly NodeId[]): Promise<Hash[]>;
  /** Hashes of the stored nodes [from, to) at one level (bulk reads for verify). */
  readLevel(level: number, from: number, to: number): Promise<Hash[]>;
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  checkpointAt(size: number): Promise<StoredCheckpoint | undefined>;
  /** Checkpoints with size > after, ascending, at most `limit`. */
  listCheckpoints(after: number, limit: number): Promise<StoredCheckpoint[]>;
  /** Entry indexes < before that carry `keyId`, ascending. */
  lookup(keyId: number, before: number): Promise<number[]>;
  /** Lookup rows of entries [from, to), sorted by index then keyId (for verify). */
  readLookups(from: number, to: number): Promise<LookupRow[]>;
  /** Replaces all lookup rows with the ones `rows` yields, atomically. */
  rebuildLookups(rows: AsyncIterable<readonly LookupRow[]>): Promise<number>;
  idempotency(key: string): Promise<IdempotencyRecord | undefined>;
  /** The newest value of every map key with version <= `version`. */
  readMapLeaves(version: number): Promise<{ key: Uint8Array; value: Uint8Array }[]>;
  /** Map rows with from < version <= to, ascending by version (what other instances added). */
  readMapChanges(from: number, to: number): Promise<MapValueRow[]>;
  /** Replaces every map row with `rows`, atomically (reindex). */
  rebuildMap(rows: readonly MapValueRow[]): Promise<void>;
  /** Store-specific structural checks (e.g. rows beyond `size`); returns the first problem found. */
  checkStructure(size: number): Promise<string | undefined>;
  close(): Promise<void>;
}
