/**
 * A DSSE-signed statement is recorded at most once. The check is derived from the log itself: every
 * entry with an envelope has an `envelope:` lookup key (index-keys.ts) whose row is written in the
 * same durable batch as the entry, so the answer survives crashes and a rebuilt index
 * (`reindex`) restores it. The engine runs it inside the sequencer, against the committed log and
 * the batch being built, so two concurrent appends of one envelope cannot both succeed.
 */
import { decodeStoredEntry, type PreparedEntry } from './validate-entry.ts';
import { LedgerError } from './errors.ts';
import { entryKeys, keyId } from './index-keys.ts';
import type { LedgerStore } from './store.ts';

/** The index of an entry < size carrying `key`, if any (key ids are hashes: re-checked). */
async function recordedAt(
  store: LedgerStore,
  key: string,
  size: number,
): Promise<number | undefined> {
  if (size === 0) return undefined;
  for (const index of await store.lookup(keyId(key), size)) {
    const [bytes] = await store.readEntries(index, index + 1);
    if (bytes && entryKeys(decodeStoredEntry(bytes, index)).includes(key)) return index;
  }
  return undefined;
}

/**
 * The error for a request that would record an envelope again — already in the log (below
 * `size`), earlier in this batch (`batch`), or twice in itself — else undefined. Keys of an
 * accepted request are added to `batch` by the caller.
 */
export async function envelopeReplay(
  prepared: readonly PreparedEntry[],
  batch: ReadonlySet<string>,
  store: LedgerStore,
  size: number,
): Promise<LedgerError | undefined> {
  const own = new Set<string>();
  for (const p of prepared) {
    const key = p.envelopeKey;
    if (key === undefined) continue;
    const earlier = batch.has(key) || own.has(key) ? size : await recordedAt(store, key, size);
    if (earlier !== undefined) {
      return new LedgerError(
        'ENVELOPE_REPLAYED',
        'conflict',
        `this DSSE-signed statement is already recorded${earlier < size ? ` (entry ${earlier})` : ''}; ` +
          'a signed statement is recorded once: sign a new one (it carries a new signing time)',
      );
    }
    own.add(key);
  }
  return undefined;
}
