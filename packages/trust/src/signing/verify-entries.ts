/**
 * Fills in `verifiedKeyIds` of log entries before resolution, so `signedBy` rules can see whose
 * signatures hold. A signature by one of the given keys that does not verify, or an envelope that
 * does not sign the entry's statement, throws (category verification): possible tampering is never
 * downgraded to "unsigned".
 */
import type { IndexedEntry } from '../resolve.ts';
import { verifyEntrySignatures } from './dsse.ts';
import type { PublicKey } from './keys.ts';

export async function withVerifiedSignatures(
  entries: readonly IndexedEntry[],
  publicKeys: readonly PublicKey[],
): Promise<IndexedEntry[]> {
  const out: IndexedEntry[] = [];
  for (const item of entries) {
    if (!item.entry.envelope || publicKeys.length === 0) {
      out.push({ ...item, verifiedKeyIds: [] });
      continue;
    }
    try {
      out.push({ ...item, verifiedKeyIds: await verifyEntrySignatures(item.entry, publicKeys) });
    } catch (error) {
      if (error instanceof Error) error.message = `entry ${item.index}: ${error.message}`;
      throw error;
    }
  }
  return out;
}
