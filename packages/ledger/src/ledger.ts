/**
 * The ledger engine: validation, sequencing with group commit, signed checkpoints, receipts, and
 * reads with proofs, optionally "as of" an older tree size (docs/formats.md, docs/trust-model.md, docs/architecture.md).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  openCheckpoint,
  planInclusionProof,
  signCheckpoint,
  type Hash,
  type NoteSigner,
  type NoteVerifier,
} from '@notarize/tlog';
import type { LedgerEntry } from '@notarize/trust';
import { FastCompactRange, peakIds } from './compact-range.ts';
import { envelopeReplay } from './envelope-replay.ts';
import { corrupt, LedgerError } from './errors.ts';
import { equalBytes, leafHash, sha256, toBase64 } from './hashing.ts';
import { entryKeys, identityKey, jobKey, keyId, subjectKey, type JobRef } from './index-keys.ts';
import { consistencyProof, inclusionProof, nodeKey, proofFromMap, type NodeMap } from './proofs.ts';
import { Sequencer } from './sequencer.ts';
import { loadLedgerKey } from './signing-key.ts';
import { loadState, newOrigin, toSigned, type State } from './ledger-state.ts';
import { isPostgresSpec } from './postgres/connection.ts';
import { openStore, parseStoreSpec } from './postgres/open-store.ts';
import type { HeadReservation } from './postgres/postgres-store.ts';
import type { LedgerMap } from './map/ledger-map.ts';
import { type MapAnswer, type MapEntry, type PreparedMap } from './map/ledger-map.ts';
import { mapAsOf, rebuildIndexes } from './map/rebuild.ts';
import { appendMapHead, mapEntriesOf } from './map/map-batch.ts';
import { lazyReceipt } from './receipt.ts';
import { STORE_FORMAT } from './sqlite/schema.ts';
import { inspectLedgerDir } from './sqlite/ledger-dir.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import type {
  AppendBatch,
  IdempotencyRecord,
  LedgerStore,
  LookupRow,
  NodeRecord,
} from './store.ts';
import type {
  ConsistencyProof,
  EntryResult,
  LookupResult,
  ProvedEntry,
  ReadContext,
  Receipt,
  SignedCheckpoint,
} from './types.ts';
import { decodeStoredEntry, prepareEntry, type PreparedEntry } from './validate-entry.ts';
import { verifyLedgerStore, type VerifyReport } from './verify-store.ts';
import { acquireWriterLock, type WriterLock } from './writer-lock.ts';

export const DB_FILE = 'ledger.db';
const MAX_IDEMPOTENCY_KEY = 200;
/** Re-sequencing attempts when another instance appended to a shared store first. */
const MAX_CONFLICT_RETRIES = 20;
const DEFAULT_WRITER_WAIT_MS = 30_000;

export interface LedgerOptions {
  /** The ledger directory (created if missing unless `readOnly`). */
  dir: string;
  /** Origin (checkpoint first line, key name) of a new ledger; must match an existing one. */
  origin?: string;
  /** Open for reading only: no key is generated, appends are refused. */
  readOnly?: boolean;
  /** Soft cap on entries per commit (default 16,384). */
  maxBatch?: number;
  /** Group-commit window in ms (default 0: one event-loop turn). */
  batchWindowMs?: number;
  /**
   * Another store instead of `<dir>/ledger.db`: a LedgerStore, or a spec (`postgres://…`,
   * `file:<dir>`) opened by openStore (postgres/open-store.ts). `dir` still holds the key.
   */
  store?: LedgerStore | string;
  /**
   * For a store other instances append to as well (PostgreSQL): catch up with their appends every
   * `followMs` ms, so `checkpoint()` and reads see them (default: 1000 for a `postgres://` spec,
   * else 0 = never; `refresh()` catches up on demand).
   */
  followMs?: number;
  /**
   * How long a writable open of the embedded store waits for another process that holds the
   * directory's writer lock (writer-lock.ts) before it fails with LEDGER_BUSY (default 30,000;
   * 0 refuses at once, as `notarize serve` does).
   */
  writerWaitMs?: number;
}

export interface AppendOptions {
  /** A client-chosen key: a retried request with the same key and content appends nothing. */
  idempotencyKey?: string;
}

export interface ReadOptions {
  /** Read as of this tree size (it must have a checkpoint). */
  at?: number;
}

interface AppendRequest {
  prepared: PreparedEntry[];
  key?: string;
  weight: number;
  resolve(receipts: Receipt[]): void;
  fail(error: unknown): void;
}

function requestHash(leaves: readonly Hash[]): Uint8Array {
  const all = new Uint8Array(leaves.length * 32);
  leaves.forEach((h, i) => all.set(h, i * 32));
  return sha256(all);
}

export class Ledger {
  readonly dir: string;
  readonly origin: string;
  /** The ledger's public key (C2SP vkey) that clients pin. */
  readonly vkey: string;
  readonly #store: LedgerStore;
  readonly #signer: NoteSigner | undefined;
  readonly #verifier: NoteVerifier;
  readonly #sequencer: Sequencer<AppendRequest>;
  #state: State;
  #closed = false;
  #closing = false;
  #follow: ReturnType<typeof setInterval> | undefined;
  /** The map as of an older size, kept for repeated time-travel reads. */
  #mapAt: LedgerMap | undefined;
  #writerLock: WriterLock | undefined;

  private constructor(
    dir: string,
    origin: string,
    store: LedgerStore,
    key: { vkey: string; signer?: NoteSigner; verifier: NoteVerifier },
    state: State,
    options: LedgerOptions,
  ) {
    this.dir = dir;
    this.origin = origin;
    this.vkey = key.vkey;
    this.#store = store;
    this.#signer = key.signer;
    this.#verifier = key.verifier;
    this.#state = state;
    this.#sequencer = new Sequencer((batch) => this.#commit(batch), {
      maxWeight: options.maxBatch ?? 16384,
      windowMs: options.batchWindowMs ?? 0,
    });
    const followMs =
      options.followMs ??
      (typeof options.store === 'string' && isPostgresSpec(options.store) ? 1000 : 0);
    if (followMs > 0) {
      // A failed catch-up (database briefly away) is retried on the next tick; reads report
      // their own errors.
      this.#follow = setInterval(() => void this.refresh().catch(() => undefined), followMs);
      this.#follow.unref();
    }
  }

  /** Opens (creating if needed) the ledger in `options.dir`. */
  static async open(options: LedgerOptions): Promise<Ledger> {
    const dir = path.resolve(options.dir);
    const readOnly = options.readOnly ?? false;
    // The embedded store: where the ledger's key is, a ledger must exist (ledger-dir.ts).
    const embedded = options.store === undefined;
    const { hasKey } = embedded ? await inspectLedgerDir(dir, DB_FILE) : { hasKey: false };
    if (!readOnly) await mkdir(dir, { recursive: true, mode: 0o700 });
    else if (embedded && !existsSync(path.join(dir, DB_FILE))) {
      throw new LedgerError('STORE_UNAVAILABLE', 'input', `${dir} holds no ledger (no ${DB_FILE})`);
    }
    const lock =
      embedded && !readOnly
        ? await acquireWriterLock(dir, options.writerWaitMs ?? DEFAULT_WRITER_WAIT_MS)
        : undefined;
    try {
      const ledger = await Ledger.#openLocked(dir, readOnly, hasKey, options);
      ledger.#writerLock = lock;
      return ledger;
    } catch (error) {
      lock?.release();
      throw error;
    }
  }

  static async #openLocked(
    dir: string,
    readOnly: boolean,
    hasKey: boolean,
    options: LedgerOptions,
  ): Promise<Ledger> {
    const store =
      typeof options.store === 'string'
        ? await openStore(parseStoreSpec(options.store), { readOnly })
        : (options.store ??
          SqliteStore.open({ path: path.join(dir, DB_FILE), readOnly, create: !hasKey }));
    try {
      let meta = await store.readMeta();
      if (!meta && readOnly) {
        throw new LedgerError('STORE_UNAVAILABLE', 'input', `${dir} holds no ledger`);
      }
      if (!meta && hasKey) {
        throw corrupt(
          `${path.join(dir, DB_FILE)} holds no ledger but ${dir} holds the ledger's key: the ` +
            'database was emptied or replaced; restore it from a backup (notarize ledger restore)',
        );
      }
      const origin = meta?.origin ?? (await newOrigin(dir, options.origin));
      if (options.origin !== undefined && options.origin !== origin) {
        throw new LedgerError(
          'ORIGIN_MISMATCH',
          'input',
          `the ledger in ${dir} has origin "${origin}", not "${options.origin}"`,
        );
      }
      // A key is only ever created with a new ledger: an existing one whose key is missing fails.
      const key = await loadLedgerKey(dir, origin, { create: !readOnly && !meta });
      if (!meta) {
        const root = FastCompactRange.empty().root();
        const note = signCheckpoint(
          { origin, size: 0, root, extensions: [] },
          needSigner(key.signer),
        );
        meta = { origin, format: STORE_FORMAT };
        await store.initialize(meta, { size: 0, note });
      }
      if (!readOnly && !key.signer) {
        throw new LedgerError(
          'KEY_INVALID',
          'input',
          `${dir} has no private key (ledger.key); appends need it — restore it or open read-only`,
        );
      }
      const state = await loadState(store, origin, key.verifier);
      const ledger = new Ledger(dir, origin, store, key, state, options);
      if (!readOnly && state.map.version < 0 && state.checkpoint.size > 0) {
        await ledger.#migrateMap();
      }
      return ledger;
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  /** The newest signed checkpoint. */
  checkpoint(): SignedCheckpoint {
    return this.#state.checkpoint;
  }

  get size(): number {
    return this.#state.checkpoint.size;
  }

  /**
   * Validates and appends entries; resolves once they are durable and in a signed checkpoint,
   * with one receipt per entry. Invalid input rejects the whole call (category 'input') and
   * leaves the log unchanged.
   */
  append(entry: LedgerEntry | Uint8Array, options?: AppendOptions): Promise<Receipt>;
  append(
    entries: readonly (LedgerEntry | Uint8Array)[],
    options?: AppendOptions,
  ): Promise<Receipt[]>;
  async append(
    input: LedgerEntry | Uint8Array | readonly (LedgerEntry | Uint8Array)[],
    options: AppendOptions = {},
  ): Promise<Receipt | Receipt[]> {
    const single = !Array.isArray(input);
    const list = (single ? [input] : input) as readonly (LedgerEntry | Uint8Array)[];
    this.#checkWritable();
    const key = options.idempotencyKey;
    if (key !== undefined && (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY)) {
      throw new LedgerError(
        'ENTRY_INVALID',
        'input',
        `an idempotency key has 1 to ${MAX_IDEMPOTENCY_KEY} characters`,
      );
    }
    const prepared = list.map((e, i) => prepareEntry(e, single ? 'entry' : `entries[${i}]`));
    if (prepared.length === 0) return [];
    const receipts = await new Promise<Receipt[]>((resolve, reject) => {
      this.#sequencer.submit({
        prepared,
        key,
        weight: prepared.length,
        resolve,
        fail: reject,
      });
    });
    return single ? (receipts[0] as Receipt) : receipts;
  }

  #checkWritable(): void {
    if (this.#closing) throw new LedgerError('LEDGER_CLOSED', 'internal', 'the ledger is closed');
    if (!this.#signer) {
      throw new LedgerError('KEY_INVALID', 'forbidden', 'the ledger is open read-only');
    }
  }

  async #commit(batch: AppendRequest[]): Promise<void> {
    const head = this.#store as LedgerStore & Partial<HeadReservation>;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.#commitOnce(batch);
          return;
        } catch (error) {
          const conflict =
            error instanceof LedgerError &&
            error.code === 'STORE_CONFLICT' &&
            error.category === 'conflict';
          if (!conflict || attempt >= MAX_CONFLICT_RETRIES) throw error;
          // Another process appended to the same store (several instances on one PostgreSQL
          // log): hold the head where the store can (so the retry cannot lose the race again),
          // catch up and sequence after it.
          await head.reserveHead?.();
          this.#state = await loadState(this.#store, this.origin, this.#verifier, this.#state.map);
        }
      }
    } finally {
      // No-op when the append used the reservation.
      await head.releaseHead?.();
    }
  }

  async #commitOnce(batch: AppendRequest[]): Promise<void> {
    const state = this.#state;
    const range = state.range.clone();
    const start = range.size;
    const nodes: NodeRecord[] = [];
    const sink = (level: number, index: number, hash: Hash) => {
      nodes.push({ level, index, hash });
    };
    // The receipts' proofs need the old peaks and this batch's nodes; the map is built on the
    // first proof read, so appends whose receipts are not read in full do not pay for it.
    const peaks = state.range.peaks();
    let nodeMap: NodeMap | undefined;
    const batchNodes = (): NodeMap => {
      if (nodeMap) return nodeMap;
      const map: NodeMap = new Map();
      peakIds(start).forEach((id, i) => map.set(nodeKey(id.level, id.index), peaks[i] as Hash));
      for (const n of nodes) map.set(nodeKey(n.level, n.index), n.hash);
      return (nodeMap = map);
    };
    const entries: Uint8Array[] = [];
    const leafHashes: Hash[] = [];
    const lookups: LookupRow[] = [];
    const mapEntries: MapEntry[] = [];
    const idempotency: IdempotencyRecord[] = [];
    const batchKeys = new Map<string, IdempotencyRecord>();
    const batchEnvelopes = new Set<string>();
    /** Per request: where its entries are (new or earlier), or the error it gets. */
    const outcomes: ({ first: number; count: number; fresh: boolean } | Error)[] = [];

    for (const request of batch) {
      const leaves = request.prepared.map((p) => leafHash(p.bytes));
      const hash = request.key === undefined ? undefined : requestHash(leaves);
      if (request.key !== undefined && hash) {
        const earlier = batchKeys.get(request.key) ?? (await this.#store.idempotency(request.key));
        if (earlier) {
          outcomes.push(
            equalBytes(earlier.requestHash, hash)
              ? { first: earlier.first, count: earlier.count, fresh: false }
              : new LedgerError(
                  'IDEMPOTENCY_CONFLICT',
                  'conflict',
                  `idempotency key "${request.key}" was used for a different request; use a new key`,
                ),
          );
          continue;
        }
      }
      const replay = await envelopeReplay(
        request.prepared,
        batchEnvelopes,
        this.#store,
        state.checkpoint.size,
      );
      if (replay) {
        outcomes.push(replay);
        continue;
      }
      for (const p of request.prepared) if (p.envelopeKey) batchEnvelopes.add(p.envelopeKey);
      const first = range.size;
      request.prepared.forEach((p, i) => {
        const index = range.size;
        const leaf = leaves[i] as Hash;
        range.append(leaf, sink);
        entries.push(p.bytes);
        leafHashes.push(leaf);
        mapEntries.push({ index, leafHash: leaf, info: p.info });
        for (const k of p.keyIds) lookups.push({ keyId: k, index });
      });
      if (request.key !== undefined && hash) {
        const record = { key: request.key, first, count: leaves.length, requestHash: hash };
        batchKeys.set(request.key, record);
        idempotency.push(record);
      }
      outcomes.push({ first, count: leaves.length, fresh: true });
    }

    let next = state;
    if (entries.length > 0) {
      const prepared = state.map.prepare(mapEntries, range.size);
      appendMapHead(this.origin, prepared, range, { entries, leafHashes }, sink);
      next = await this.#write(
        { start, entries, leafHashes, nodes, lookups, idempotency, mapValues: prepared.rows },
        range,
        prepared,
      );
    }

    const { checkpoint } = next;
    for (let r = 0; r < batch.length; r++) {
      const request = batch[r] as AppendRequest;
      const outcome = outcomes[r] as (typeof outcomes)[number];
      if (outcome instanceof Error) {
        request.fail(outcome);
        continue;
      }
      try {
        const receipts: Receipt[] = [];
        for (let index = outcome.first; index < outcome.first + outcome.count; index++) {
          receipts.push(
            outcome.fresh
              ? lazyReceipt(index, checkpoint, () =>
                  proofFromMap(planInclusionProof(index, checkpoint.size), batchNodes()),
                )
              : {
                  index,
                  size: checkpoint.size,
                  root: checkpoint.root,
                  checkpoint: checkpoint.note,
                  proof: (await inclusionProof(this.#store, index, checkpoint.size)).map(toBase64),
                },
          );
        }
        request.resolve(receipts);
      } catch (error) {
        request.fail(error);
      }
    }
  }

  /** Signs the checkpoint of `range`, stores the batch, and adopts the new state. */
  async #write(
    batch: Omit<AppendBatch, 'checkpoint'>,
    range: FastCompactRange,
    prepared: PreparedMap,
  ): Promise<State> {
    const rootHash = range.root();
    const note = signCheckpoint(
      { origin: this.origin, size: range.size, root: rootHash, extensions: [] },
      needSigner(this.#signer),
    );
    await this.#store.appendBatch({ ...batch, checkpoint: { size: range.size, note } });
    prepared.adopt();
    const next: State = {
      range,
      rootHash,
      checkpoint: toSigned(this.origin, range.size, rootHash, note),
      map: this.#state.map,
    };
    this.#state = next;
    return next;
  }

  /**
   * A log written before the lookup map: builds the map from every entry and appends the first
   * map head, so reads from now on can be proved complete. Runs once, on a writable open.
   */
  async #migrateMap(): Promise<void> {
    await this.#sequencer.exclusive(async () => {
      const state = this.#state;
      const size = state.checkpoint.size;
      const mapEntries = await mapEntriesOf(this.#store, size);
      const range = state.range.clone();
      const nodes: NodeRecord[] = [];
      const sink = (level: number, index: number, hash: Hash) => {
        nodes.push({ level, index, hash });
      };
      const prepared = state.map.prepare(mapEntries, size);
      const batch = { entries: [] as Uint8Array[], leafHashes: [] as Hash[] };
      appendMapHead(this.origin, prepared, range, batch, sink);
      await this.#write(
        { start: size, ...batch, nodes, lookups: [], idempotency: [], mapValues: prepared.rows },
        range,
        prepared,
      );
    });
  }

  /**
   * The lookup map's answer for `lookupKeys` as of the tree of `size` entries (default: the
   * newest): a batch proof against the root in the map head that is the tree's last entry, and
   * each key's value. Sizes that do not end with a map head cannot be answered completely.
   */
  async mapAnswer(
    lookupKeys: readonly string[],
    size = this.size,
  ): Promise<MapAnswer & { head: number }> {
    this.#checkOpen();
    const state = this.#state;
    if (size === state.checkpoint.size && state.map.version === size - 1) {
      return { ...state.map.answer(lookupKeys), head: size - 1 };
    }
    if (!Number.isSafeInteger(size) || size < 1 || size > state.checkpoint.size) {
      throw new LedgerError(
        'SIZE_OUT_OF_RANGE',
        'input',
        `size ${size} is not between 1 and the log's size ${state.checkpoint.size}`,
      );
    }
    this.#mapAt = await mapAsOf(this.#store, size, state.map.version >= 0, this.#mapAt);
    return { ...this.#mapAt.answer(lookupKeys), head: size - 1 };
  }

  /**
   * Catches up with entries other instances appended to a shared store (PostgreSQL); returns the
   * newest checkpoint. Runs between commits.
   */
  async refresh(): Promise<SignedCheckpoint> {
    this.#checkOpen();
    return this.#sequencer.exclusive(async () => {
      const latest = await this.#store.latestCheckpoint();
      if (!this.#closed && latest && latest.size > this.#state.checkpoint.size) {
        this.#state = await loadState(this.#store, this.origin, this.#verifier, this.#state.map);
      }
      return this.#state.checkpoint;
    });
  }

  /** Waits until every append submitted so far has been committed (or failed). */
  async flush(): Promise<void> {
    await this.#sequencer.exclusive(async () => undefined);
  }

  async #context(at: number | undefined): Promise<ReadContext & { rootHash?: Hash }> {
    this.#checkOpen();
    const latest = this.#state.checkpoint;
    if (at === undefined || at === latest.size) return { checkpoint: latest };
    if (!Number.isSafeInteger(at) || at < 0 || at > latest.size) {
      throw new LedgerError(
        'SIZE_OUT_OF_RANGE',
        'input',
        `size ${at} is not between 0 and the log's size ${latest.size}`,
      );
    }
    const stored = await this.#store.checkpointAt(at);
    if (!stored) {
      const after = (await this.#store.listCheckpoints(at, 1))[0]?.size;
      throw new LedgerError(
        'CHECKPOINT_NOT_FOUND',
        'input',
        `the ledger has no checkpoint of size ${at} (there is one per committed batch; ` +
          `the next is ${after ?? latest.size}): read "as of" a size a receipt or an earlier read reported`,
      );
    }
    const { checkpoint } = openCheckpoint(stored.note, [this.#verifier], this.origin);
    const signed = toSigned(this.origin, at, checkpoint.root, stored.note);
    const proof = await consistencyProof(this.#store, at, latest.size);
    return {
      checkpoint: signed,
      consistency: { size1: at, size2: latest.size, proof: proof.map(toBase64), latest },
    };
  }

  #checkOpen(): void {
    if (this.#closed) throw new LedgerError('LEDGER_CLOSED', 'internal', 'the ledger is closed');
  }

  async #prove(index: number, size: number, bytes: Uint8Array): Promise<ProvedEntry> {
    const proof = await inclusionProof(this.#store, index, size);
    return {
      index,
      entry: decodeStoredEntry(bytes, index),
      leafHash: toBase64(leafHash(bytes)),
      proof: proof.map(toBase64),
    };
  }

  /** The entry at `index` with its inclusion proof. */
  async entry(index: number, options: ReadOptions = {}): Promise<EntryResult> {
    const context = await this.#context(options.at);
    const size = context.checkpoint.size;
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
      throw new LedgerError(
        'ENTRY_NOT_FOUND',
        'input',
        `no entry ${index}: the log ${options.at === undefined ? 'has' : `had at size ${size}`} ${size} entries`,
      );
    }
    const [bytes] = await this.#store.readEntries(index, index + 1);
    return { ...context, entry: await this.#prove(index, size, bytes as Uint8Array) };
  }

  /** Raw canonical bytes of entries [from, to) (no proofs; for tiles and exports). */
  async entryBytes(from: number, to: number): Promise<Uint8Array[]> {
    this.#checkOpen();
    const size = this.#state.checkpoint.size;
    if (from < 0 || to > size || from > to) {
      throw new LedgerError(
        'SIZE_OUT_OF_RANGE',
        'input',
        `range [${from}, ${to}) is outside [0, ${size})`,
      );
    }
    return this.#store.readEntries(from, to);
  }

  async #lookup(key: string, options: ReadOptions): Promise<LookupResult> {
    const context = await this.#context(options.at);
    const size = context.checkpoint.size;
    const indexes = await this.#store.lookup(keyId(key), size);
    const entries: ProvedEntry[] = [];
    for (const index of indexes) {
      const [bytes] = await this.#store.readEntries(index, index + 1);
      const proved = await this.#prove(index, size, bytes as Uint8Array);
      // Key ids are 53-bit hashes: keep only true matches.
      if (entryKeys(proved.entry).includes(key)) entries.push(proved);
    }
    return { ...context, entries };
  }

  /** Entries whose statement names the digest (`sha256:<hex>`), oldest first, with proofs. */
  bySubject(digest: string, options: ReadOptions = {}): Promise<LookupResult> {
    return this.#lookup(subjectKey(digest), options);
  }

  /** Entries whose predicate's CI context names the job. */
  byJob(job: JobRef, options: ReadOptions = {}): Promise<LookupResult> {
    return this.#lookup(jobKey(job), options);
  }

  /** Entries appended by the identity. */
  byIdentity(name: string, options: ReadOptions = {}): Promise<LookupResult> {
    return this.#lookup(identityKey(name), options);
  }

  /** The signed checkpoint of exactly `size` entries. */
  async checkpointAt(size: number): Promise<SignedCheckpoint> {
    return (await this.#context(size)).checkpoint;
  }

  /** RFC 9162 consistency proof between two sizes (default: to the newest checkpoint). */
  async consistency(size1: number, size2 = this.size): Promise<ConsistencyProof> {
    this.#checkOpen();
    const latest = this.size;
    if (!(size1 >= 0 && size1 <= size2 && size2 <= latest) || !Number.isSafeInteger(size1)) {
      throw new LedgerError(
        'SIZE_OUT_OF_RANGE',
        'input',
        `a consistency proof needs 0 <= size1 <= size2 <= ${latest}; got ${size1}, ${size2}`,
      );
    }
    const proof = await consistencyProof(this.#store, size1, size2);
    return { size1, size2, proof: proof.map(toBase64) };
  }

  /** RFC 9162 inclusion proof of `index` in the tree of `size` (default: newest). */
  async inclusion(index: number, size = this.size): Promise<string[]> {
    this.#checkOpen();
    if (!(index >= 0 && index < size && size <= this.size)) {
      throw new LedgerError('SIZE_OUT_OF_RANGE', 'input', `no leaf ${index} in a tree of ${size}`);
    }
    return (await inclusionProof(this.#store, index, size)).map(toBase64);
  }

  /**
   * Rebuilds the lookup index and the lookup-map rows from the log. Returns the number of lookup
   * rows written. A map head that the log contradicts cannot be repaired: that is an error.
   */
  async reindex(): Promise<{ entries: number; rows: number; mapRows: number }> {
    this.#checkWritable();
    return this.#sequencer.exclusive(async () => {
      const size = this.size;
      const rebuilt = await rebuildIndexes(this.#store, this.origin, size);
      this.#state = { ...this.#state, map: rebuilt.map };
      return { entries: size, rows: rebuilt.rows, mapRows: rebuilt.mapRows };
    });
  }

  /** Full verification of the store (see verify-store.ts), between commits. */
  async verify(): Promise<VerifyReport> {
    this.#checkOpen();
    return this.#sequencer.exclusive(() =>
      verifyLedgerStore(this.#store, { origin: this.origin, verifier: this.#verifier }),
    );
  }

  /** The underlying store (for backup and the service). */
  get store(): LedgerStore {
    return this.#store;
  }

  /** Commits what was submitted, then closes the store; appends after this call are refused. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearInterval(this.#follow);
    await this.flush();
    this.#closed = true;
    try {
      await this.#store.close();
    } finally {
      this.#writerLock?.release();
    }
  }
}

function needSigner(signer: NoteSigner | undefined): NoteSigner {
  if (!signer) throw new LedgerError('KEY_INVALID', 'forbidden', 'the ledger is open read-only');
  return signer;
}
