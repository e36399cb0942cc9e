/**
 * The engine's in-memory append state (compact range + newest checkpoint) and how it is loaded and
 * checked against the store on open or after another process appended.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { openCheckpoint, type Hash, type NoteVerifier } from '@notarize/tlog';
import { readMapHead } from '@notarize/trust';
import { FastCompactRange, peakIds } from './compact-range.ts';
import { LedgerError } from './errors.ts';
import { equalBytes, toBase64 } from './hashing.ts';
import { LedgerMap } from './map/ledger-map.ts';
import type { LedgerStore } from './store.ts';
import { decodeStoredEntry } from './validate-entry.ts';
import type { SignedCheckpoint } from './types.ts';

export const DEFAULT_ORIGIN_PREFIX = 'notarize.local/';

export interface State {
  range: FastCompactRange;
  checkpoint: SignedCheckpoint;
  rootHash: Hash;
  /** The lookup map as of the newest map head (version -1: the log has none yet). */
  map: LedgerMap;
}

export function toSigned(origin: string, size: number, root: Hash, note: string): SignedCheckpoint {
  return { origin, size, root: toBase64(root), note };
}

/** The origin of a new ledger: the requested one, one left by an interrupted first open, or random. */
export async function newOrigin(dir: string, requested: string | undefined): Promise<string> {
  if (requested !== undefined) return requested;
  // A key left by an interrupted first open names the origin already.
  try {
    const vkey = (await readFile(path.join(dir, 'ledger.vkey'), 'utf8')).trim();
    const name = vkey.split('+')[0];
    if (name) return name;
  } catch {
    // No key yet: a fresh ledger.
  }
  return `${DEFAULT_ORIGIN_PREFIX}${randomBytes(8).toString('hex')}`;
}

/**
 * The lookup map as of the log's last entry, checked against it: a log that has map heads ends
 * with one (every batch does), and the stored values must give exactly its root. `previous` (the
 * map before another instance appended) is caught up instead of reloaded.
 */
async function loadMap(
  store: LedgerStore,
  origin: string,
  size: number,
  previous: LedgerMap | undefined,
): Promise<LedgerMap> {
  if (size === 0) return LedgerMap.empty();
  const [bytes] = await store.readEntries(size - 1, size);
  const last = decodeStoredEntry(bytes as Uint8Array, size - 1);
  if (last.kind !== 'map-head') {
    // A log written before the map: the first writable open appends its first map head.
    if (previous && previous.version >= 0) {
      throw new LedgerError(
        'STORE_CORRUPT',
        'verification',
        `the log's last entry (${size - 1}) is not a map head, but earlier batches had one`,
      );
    }
    return LedgerMap.empty();
  }
  const head = readMapHead(last, origin);
  let map: LedgerMap;
  if (previous && previous.version >= 0 && previous.version < size - 1) {
    await previous.follow(store, size - 1);
    map = previous;
  } else {
    map = await LedgerMap.load(store, size - 1);
  }
  if (map.keys !== head.keys || !equalBytes(map.root(), head.root)) {
    throw new LedgerError(
      'STORE_CORRUPT',
      'verification',
      `the stored lookup map does not give the root of the map head at ${size - 1}: ` +
        'its rows were altered or lost; run `notarize ledger verify`, then `notarize ledger reindex`',
    );
  }
  return map;
}

/** Loads the append state and checks it against the newest signed checkpoint. */
export async function loadState(
  store: LedgerStore,
  origin: string,
  verifier: NoteVerifier,
  previousMap?: LedgerMap,
): Promise<State> {
  let size = await store.size();
  let latest = await store.latestCheckpoint();
  // A store shared by several instances (PostgreSQL) may take a commit between the two reads:
  // read again before calling it corruption.
  for (let tries = 0; latest && latest.size !== size && tries < 10; tries++) {
    size = await store.size();
    latest = await store.latestCheckpoint();
  }
  if (!latest || latest.size !== size) {
    throw new LedgerError(
      'STORE_CORRUPT',
      'verification',
      `the log holds ${size} entries but its newest checkpoint is for ${latest?.size ?? 'no'} entries; ` +
        'run `notarize ledger verify` and restore from a backup',
    );
  }
  let opened;
  try {
    opened = openCheckpoint(latest.note, [verifier], origin);
  } catch (error) {
    throw new LedgerError(
      'STORE_CORRUPT',
      'verification',
      `the newest checkpoint (size ${size}) does not verify: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const range = FastCompactRange.fromPeaks(size, await store.readNodes(peakIds(size)));
  const rootHash = range.root();
  if (opened.checkpoint.size !== size || !equalBytes(rootHash, opened.checkpoint.root)) {
    throw new LedgerError(
      'STORE_CORRUPT',
      'verification',
      `the stored tree (size ${size}) does not match its signed checkpoint; run \`notarize ledger verify\``,
    );
  }
  const map = await loadMap(store, origin, size, previousMap);
  return { range, rootHash, checkpoint: toSigned(origin, size, rootHash, latest.note), map };
}
