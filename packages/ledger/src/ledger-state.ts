/**
 * The engine's in-memory append state (compact range + newest checkpoint) and how it is loaded and
 * checked against the store on open or after another process appended.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { openCheckpoint, type Hash, type NoteVerifier } from '@notarize/tlog';
import { FastCompactRange, peakIds } from './compact-range.ts';
import { LedgerError } from './errors.ts';
import { equalBytes, toBase64 } from './hashing.ts';
import type { LedgerStore } from './store.ts';
import type { SignedCheckpoint } from './types.ts';

export const DEFAULT_ORIGIN_PREFIX = 'notarize.local/';

export interface State {
  range: FastCompactRange;
  checkpoint: SignedCheckpoint;
  rootHash: Hash;
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

/** Loads the append state and checks it against the newest signed checkpoint. */
export async function loadState(
  store: LedgerStore,
  origin: string,
  verifier: NoteVerifier,
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
  return { range, rootHash, checkpoint: toSigned(origin, size, rootHash, latest.note) };
}
