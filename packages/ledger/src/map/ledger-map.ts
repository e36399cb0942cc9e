/**
 * The engine's lookup map (docs/formats.md, "Lookup map"): an in-memory sparse Merkle tree over
 * every lookup key, with the values as of the newest map head. Values are stored per map head
 * (`MapValueRow`, version = the map head's log index) in the same transaction as the entries they
 * derive from; the tree is rebuilt from them on open and kept current by each commit.
 *
 * A commit works on a copy (`prepare`) and adopts it only once the store has committed, so a
 * failed commit leaves the map as it was.
 */
import { hash } from 'node:crypto';
import {
  decodeValue,
  encodeValue,
  MAP_KEY_DOMAIN,
  MapError,
  SparseMerkleMap,
  valueHash,
  valueHashLatin1,
  type MapValue,
  type Sha256,
} from '@notarize/map';
import type { LedgerStore, MapValueRow } from '../store.ts';
import {
  applyEntry,
  finishValue,
  workingValue,
  type MapInfo,
  type WorkingValue,
} from './map-values.ts';

const SCRATCH = Buffer.alloc(4096);

/**
 * node:crypto SHA-256 over parts, one-shot over a scratch buffer (the engine hashes on its hot
 * path; `crypto.hash` copies its input synchronously).
 */
export const nodeSha256: Sha256 = (parts) => {
  let length = 0;
  for (const p of parts) length += p.length;
  if (length > SCRATCH.length) return hash('sha256', Buffer.concat(parts), 'buffer');
  let at = 0;
  for (const p of parts) {
    SCRATCH.set(p, at);
    at += p.length;
  }
  return hash('sha256', SCRATCH.subarray(0, length), 'buffer');
};
// The tree's hot path: latin1 ('binary') output is its in-memory form and costs no Buffer
// (measured ~2x faster per hash than 'buffer' output).
nodeSha256.latin1 = (bytes) => hash('sha256', bytes, 'binary');

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
  /** The value per asked lookup key, or undefined where the key is absent. */
  values: (MapValue | undefined)[];
}

export class LedgerMap {
  #tree: SparseMerkleMap;
  /** Current value per key (decoded: appends update values, answers encode them). */
  #values: Map<string, MapValue>;
  /** Index of the map head the state is as of (-1: none yet). */
  #version: number;

  private constructor(tree: SparseMerkleMap, values: Map<string, MapValue>, version: number) {
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
  static async load(
    store: Pick<LedgerStore, 'readMapLeaves'>,
    version: number,
  ): Promise<LedgerMap> {
    const values = new Map<string, MapValue>();
    const leaves: [Uint8Array, Uint8Array][] = [];
    if (version >= 0) {
      for (const row of await store.readMapLeaves(version)) {
        values.set(keyText(row.key), decodeValue(row.value));
        leaves.push([row.key, valueHash(row.value, nodeSha256)]);
      }
    }
    return new LedgerMap(SparseMerkleMap.fromLeaves(leaves, nodeSha256), values, version);
  }

  /** Applies rows another instance committed (versions in (this.version, version]). */
  async follow(store: LedgerStore, version: number): Promise<void> {
    if (version <= this.#version) return;
    for (const row of await store.readMapChanges(this.#version, version)) {
      this.#values.set(keyText(row.key), decodeValue(row.value));
      this.#tree.set(row.key, valueHash(row.value, nodeSha256));
    }
    this.#version = version;
  }

  /**
   * mapKey() of @notarize/map as latin1 text, in one native call: node:crypto hashes a string
   * as its UTF-8 bytes, which is what a map key is defined over (a lone surrogate, which UTF-8
   * cannot carry, is refused as mapKey() refuses it).
   */
  #mapKey(lookupKey: string): string {
    if (!lookupKey.isWellFormed()) {
      throw new MapError('MAP_INPUT_INVALID', 'a lookup key must be a well-formed Unicode string');
    }
    return hash('sha256', MAP_KEY_DOMAIN + lookupKey, 'binary');
  }

  /** The map after `entries`, for a map head at `headIndex`, without changing this one. */
  prepare(entries: readonly MapEntry[], headIndex: number): PreparedMap {
    const changed = new Map<string, WorkingValue>();
    for (const { index, leafHash, info } of entries) {
      for (const lookupKey of info.keys) {
        const k = this.#mapKey(lookupKey);
        let value = changed.get(k);
        if (!value) {
          value = workingValue(this.#values.get(k));
          changed.set(k, value);
        }
        applyEntry(value, lookupKey, index, leafHash, info);
      }
    }
    const tree = this.#tree.clone();
    const rows: MapValueRow[] = [];
    const finished = new Map<string, MapValue>();
    for (const [k, working] of changed) {
      const value = finishValue(working);
      const encoded = encodeValue(value);
      finished.set(k, value);
      tree.setLatin1(k, valueHashLatin1(encoded, nodeSha256));
      rows.push({ key: keyBytes(k), version: headIndex, value: encoded });
    }
    const root = tree.root();
    return {
      root,
      keys: tree.size,
      rows,
      adopt: () => {
        for (const [k, v] of finished) this.#values.set(k, v);
        this.#tree = tree;
        this.#version = headIndex;
      },
    };
  }

  /** A batch proof and the values of `lookupKeys` in this map. */
  answer(lookupKeys: readonly string[]): MapAnswer {
    const keys = lookupKeys.map((k) => this.#mapKey(k));
    return {
      proof: this.#tree.prove(keys.map(keyBytes)),
      values: keys.map((k) => this.#values.get(k)),
    };
  }
}
