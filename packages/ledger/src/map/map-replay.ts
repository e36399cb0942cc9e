/**
 * Replays the lookup map from the log, the way a monitor checks it: every entry updates the map,
 * and every map head must carry exactly the root, size and key count the replay computed. A
 * wrong map head is a signed, provable lie by the ledger (docs/formats.md, "Lookup map"); it is
 * reported with its index and both roots. Used by `ledger verify`, reindex, store copies and
 * `notarize audit`.
 */
import { readMapHead, type LedgerEntry } from '@notarize/trust';
import { LedgerMap, type MapEntry } from './ledger-map.ts';
import { mapInfoOf } from './map-values.ts';
import type { MapValueRow } from '../store.ts';

export interface MapHeadMismatch {
  index: number;
  message: string;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export class MapReplay {
  readonly #origin: string;
  #map: LedgerMap;
  #pending: MapEntry[] = [];
  /** Index of the last map head replayed (-1: none yet). */
  lastHead: number;

  /** `from`: resume after a map already replayed (and checked) up to its map head. */
  constructor(origin: string, from?: LedgerMap) {
    this.#origin = origin;
    this.#map = from ?? LedgerMap.empty();
    this.lastHead = from?.version ?? -1;
  }

  get map(): LedgerMap {
    return this.#map;
  }

  /**
   * Feeds entry `index`. At a map head, checks it against the replayed map and returns the rows
   * of that head (or the mismatch); otherwise returns undefined.
   */
  add(
    index: number,
    entry: LedgerEntry,
    leafHash: Uint8Array,
  ): { rows: MapValueRow[] } | MapHeadMismatch | undefined {
    if (entry.kind !== 'map-head') {
      this.#pending.push({ index, leafHash, info: mapInfoOf(entry) });
      return undefined;
    }
    let head;
    try {
      head = readMapHead(entry, this.#origin);
    } catch (error) {
      return { index, message: `entry ${index}: ${(error as Error).message}` };
    }
    const prepared = this.#map.prepare(this.#pending, index);
    this.#pending = [];
    this.lastHead = index;
    const problems: string[] = [];
    if (head.size !== index) problems.push(`it says it covers ${head.size} entries, not ${index}`);
    if (head.keys !== prepared.keys) {
      problems.push(`it counts ${head.keys} keys, the log has ${prepared.keys}`);
    }
    if (hex(head.root) !== hex(prepared.root)) {
      problems.push(`its root is ${hex(head.root)}, the log gives ${hex(prepared.root)}`);
    }
    prepared.adopt();
    if (problems.length > 0) {
      return { index, message: `map head ${index} is wrong: ${problems.join('; ')}` };
    }
    return { rows: prepared.rows };
  }
}
