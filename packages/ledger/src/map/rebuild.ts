/**
 * Rebuilding derived data from the log (`notarize ledger reindex`): every lookup row and every
 * lookup-map row, replayed from the entries. A map head the log contradicts cannot be repaired —
 * it is the ledger's own signed statement — so that is an error, never a silent rewrite.
 */
import { LedgerError } from '../errors.ts';
import { leafHash } from '../hashing.ts';
import { entryKeys, keyId } from '../index-keys.ts';
import type { LedgerStore, LookupRow, MapValueRow } from '../store.ts';
import { decodeStoredEntry } from '../validate-entry.ts';
import { LedgerMap } from './ledger-map.ts';
import { MapReplay } from './map-replay.ts';

export interface Rebuilt {
  rows: number;
  mapRows: number;
  /** The map as of the log's last map head. */
  map: LedgerMap;
}

/** Replaces the lookup and map rows of the log's first `size` entries. Run it exclusively. */
export async function rebuildIndexes(
  store: LedgerStore,
  origin: string,
  size: number,
): Promise<Rebuilt> {
  const replay = new MapReplay(origin);
  const mapRows: MapValueRow[] = [];
  async function* rows(): AsyncGenerator<LookupRow[]> {
    const CHUNK = 8192;
    for (let from = 0; from < size; from += CHUNK) {
      const entries = await store.readEntries(from, Math.min(size, from + CHUNK));
      yield entries.flatMap((bytes, i) => {
        const index = from + i;
        const entry = decodeStoredEntry(bytes, index);
        const replayed = replay.add(index, entry, leafHash(bytes));
        if (replayed && 'message' in replayed) {
          throw new LedgerError('MAP_HEAD_MISMATCH', 'verification', replayed.message);
        }
        if (replayed) mapRows.push(...replayed.rows);
        return [...new Set(entryKeys(entry).map(keyId))].map((k) => ({ keyId: k, index }));
      });
    }
  }
  const count = await store.rebuildLookups(rows());
  await store.rebuildMap(mapRows);
  return { rows: count, mapRows: mapRows.length, map: replay.map };
}

/**
 * The map as of the tree of `size` entries, which must end with a map head (MAP_HEAD_MISSING
 * otherwise: no answer as of it can be proved complete).
 */
export async function mapAsOf(
  store: LedgerStore,
  size: number,
  hasMap: boolean,
  cached: LedgerMap | undefined,
): Promise<LedgerMap> {
  const [bytes] = await store.readEntries(size - 1, size);
  if (decodeStoredEntry(bytes as Uint8Array, size - 1).kind !== 'map-head') {
    throw new LedgerError(
      'MAP_HEAD_MISSING',
      'input',
      `the tree of size ${size} does not end with a map head, so no answer as of it can be ` +
        'proved complete: read as of a size that a receipt or checkpoint reported' +
        (hasMap
          ? ''
          : ' (this ledger was written before the lookup map: `notarize ledger reindex`, or any ' +
            'write, builds it once)'),
    );
  }
  return cached?.version === size - 1 ? cached : LedgerMap.load(store, size - 1);
}
