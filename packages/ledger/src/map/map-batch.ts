/**
 * How the engine adds the lookup map to a batch: the map-head entry that ends every committed
 * batch, and the map entries of a log written before the map (its first writable open).
 */
import type { Hash } from '@notarize/tlog';
import { buildMapHead, LEDGER_ENTRY_KINDS } from '@notarize/trust';
import type { FastCompactRange } from '../compact-range.ts';
import { leafHash } from '../hashing.ts';
import type { LedgerStore } from '../store.ts';
import { decodeStoredEntry, prepareEntry } from '../validate-entry.ts';
import type { MapEntry, PreparedMap } from './ledger-map.ts';
import { mapInfoOf } from './map-values.ts';

/** Appends the map head for `prepared` (the map over everything before it) to the batch. */
export function appendMapHead(
  origin: string,
  prepared: PreparedMap,
  range: FastCompactRange,
  batch: { entries: Uint8Array[]; leafHashes: Hash[] },
  sink: (level: number, index: number, hash: Hash) => void,
): void {
  const entry = buildMapHead(
    origin,
    { root: prepared.root, size: range.size, keys: prepared.keys },
    new Date().toISOString(),
  );
  const { bytes } = prepareEntry(entry, 'map head', LEDGER_ENTRY_KINDS);
  const leaf = leafHash(bytes);
  range.append(leaf, sink);
  batch.entries.push(bytes);
  batch.leafHashes.push(leaf);
}

/** The map entries of every entry in [0, size) (migrating a log written before the map). */
export async function mapEntriesOf(store: LedgerStore, size: number): Promise<MapEntry[]> {
  const out: MapEntry[] = [];
  const CHUNK = 8192;
  for (let from = 0; from < size; from += CHUNK) {
    const chunk = await store.readEntries(from, Math.min(size, from + CHUNK));
    chunk.forEach((bytes, i) => {
      const index = from + i;
      const entry = decodeStoredEntry(bytes, index);
      if (entry.kind === 'map-head') return;
      out.push({ index, leafHash: leafHash(bytes), info: mapInfoOf(entry) });
    });
  }
  return out;
}
