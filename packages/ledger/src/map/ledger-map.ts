/**
 * The engine's lookup map (docs/formats.md, "Lookup map"): an in-memory sparse Merkle tree over
 * every lookup key, with the values as of the newest map head. Values are stored per map head
 * (`MapValueRow`, version = the map head's log index) in the same transaction as the entries they
 * derive from; the tree is rebuilt from them on open and kept current by each commit.
 *
 * A commit works on a copy (`prepare`) and adopts it only once the store has committed, so a
 * failed commit leaves the map as it was.
 */
import { createHash } from 'node:crypto';
import {
  decodeValue,
  encodeValue,
  mapKey,
  SparseMerkleMap,
  valueHash,
  type MapValue,
  type Sha256,
} from '@notarize/map';
import type { LedgerStore, MapValueRow } from '../store.ts';
import { emptyValue, nextValue, type MapInfo } from './map-values.ts';

/** node:crypto SHA-256 over parts: the engine hashes on its hot path. */
export const nodeSha256: Sha256 = (parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** Map keys as strings (latin1 of the 32 bytes) for JS Maps. */
const keyText = (key: Uint8Array): string => Buffer.from(key).toString('latin1');
const keyBytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));

export interface MapEntry {
  index: number;
  leafHash: Uint8Array;
  info: MapInfo;
}

export interface PreparedMap {
  root: Uint8Array;
  keys: number;
  /** The rows to store with the batch (version = the map head's index). */
  rows: MapValueRow[];
  /** Adopts the prepared state; call only after the store committed. */
  adopt(): void;
}

export interface MapAnswer {
  proof: Uint8Array;
  /** Canonical value bytes per asked lookup key, or undefined where the key is absent. */
  values: (Uint8Array | undefined)[];
}

export class LedgerMap {
  #tree: SparseMerkleMap;
  /** Current value bytes per key. */
  #values: Map<string, Uint8Array>;
  /** Index of the map head the state is as of (-1: none yet). */
  #version: number;
  readonly #keyCache = new Map<string, Uint8Array>();

  private constructor(tree: SparseMerkleMap, values: Map<string, Uint8Array>, version: number) {
    this.#tree = tree;
    this.#values = values;
    this.#version = version;
  }

  get version(): number {
    return this.#version;
  }

  get keys(): number {
    return this.#tree.size;
  }

  root(): Uint8Array {
    return this.#tree.root();
  }

  static empty(): LedgerMap {
    return new LedgerMap(new SparseMerkleMap(nodeSha256), new Map(), -1);
  }

  /** The map as of the map head at `version` (its log index), from the stored rows. */
  static async load(store: LedgerStore, version: number): Promise<LedgerMap> {
    const values = new Map<string, Uint8Array>();
    const leaves: [Uint8Array, Uint8Array][] = [];
    if (version >= 0) {
      for (const row of await store.readMapLeaves(version)) {
        values.set(keyText(row.key), row.value);
        leaves.push([row.key, valueHash(row.value, nodeSha256)]);
      }
    }
    return new LedgerMap(SparseMerkleMap.fromLeaves(leaves, nodeSha256), values, version);
  }

  /** Applies rows another instance committed (versions in (this.version, version]). */
  async follow(store: LedgerStore, version: number): Promise<void> {
    if (version <= this.#version) return;
    for (const row of await store.readMapChanges(this.#version, version)) {
      this.#values.set(keyText(row.key), row.value);
      this.#tree.set(row.key, valueHash(row.value, nodeSha256));
    }
    this.#version = version;
  }

  #mapKey(lookupKey: string): Uint8Array {
    let key = this.#keyCache.get(lookupKey);
    if (!key) {
      key = mapKey(lookupKey, nodeSha256);
      if (this.#keyCache.size > 100_000) this.#keyCache.clear();
      this.#keyCache.set(lookupKey, key);
    }
    return key;
  }

  /** The map after `entries`, for a map head at `headIndex`, without changing this one. */
  prepare(entries: readonly MapEntry[], headIndex: number): PreparedMap {
    const changed = new Map<string, MapValue>();
    for (const { index, leafHash, info } of entries) {
      for (const lookupKey of info.keys) {
        const k = keyText(this.#mapKey(lookupKey));
        const stored = this.#values.get(k);
        const current = changed.get(k) ?? (stored ? decodeValue(stored) : emptyValue());
        changed.set(k, nextValue(current, lookupKey, index, leafHash, info, nodeSha256));
      }
    }
    const tree = this.#tree.clone();
    const rows: MapValueRow[] = [];
    const bytes = new Map<string, Uint8Array>();
    for (const [k, value] of changed) {
      const encoded = encodeValue(value);
      const key = keyBytes(k);
      bytes.set(k, encoded);
      tree.set(key, valueHash(encoded, nodeSha256));
      rows.push({ key, version: headIndex, value: encoded });
    }
    const root = tree.root();
    return {
      root,
      keys: tree.size,
      rows,
      adopt: () => {
        for (const [k, v] of bytes) this.#values.set(k, v);
        this.#tree = tree;
        this.#version = headIndex;
      },
    };
  }

  /** A batch proof and the values of `lookupKeys` in this map. */
  answer(lookupKeys: readonly string[]): MapAnswer {
    const keys = lookupKeys.map((k) => this.#mapKey(k));
    return {
      proof: this.#tree.prove(keys),
      values: keys.map((k) => this.#values.get(keyText(k))),
    };
  }

  /** The decoded value of one lookup key (undefined: no entry has the key). */
  value(lookupKey: string): MapValue | undefined {
    const bytes = this.#values.get(keyText(this.#mapKey(lookupKey)));
    return bytes && decodeValue(bytes);
  }
}
