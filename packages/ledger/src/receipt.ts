/** Receipts: lazily proved ones for fresh appends, and the C2SP tlog-proof text form (docs/formats.md), for offline verification. */
import { decodeBase64, formatTlogProof, type Hash } from '@notarize/tlog';
import { toBase64 } from './hashing.ts';
import { LedgerError } from './errors.ts';
import type { Receipt, SignedCheckpoint } from './types.ts';

/** The receipt as a `c2sp.org/tlog-proof@v1` document (index, proof, signed checkpoint). */
export function receiptToTlogProof(receipt: Receipt): string {
  const proof = receipt.proof.map((p, i) => {
    const hash = decodeBase64(p);
    if (!hash || hash.length !== 32) {
      throw new LedgerError('ENTRY_INVALID', 'input', `receipt proof[${i}] is not a base64 hash`);
    }
    return hash;
  });
  return formatTlogProof({ index: receipt.index, proof, checkpoint: receipt.checkpoint });
}

/**
 * A receipt whose proof is assembled on first access (from the batch's nodes, no reads): the
 * proof is ~20 base64 hashes per entry, the biggest per-entry cost of a commit, and callers that
 * only need the index (or serialize some receipts) should not pay it for all.
 */
export function lazyReceipt(
  index: number,
  checkpoint: SignedCheckpoint,
  prove: () => Hash[],
): Receipt {
  let proof: string[] | undefined;
  const receipt = {
    index,
    size: checkpoint.size,
    root: checkpoint.root,
    checkpoint: checkpoint.note,
  };
  Object.defineProperty(receipt, 'proof', {
    enumerable: true,
    get: () => (proof ??= prove().map(toBase64)),
  });
  return receipt as Receipt;
}
