/**
 * A small log for witness tests: leaves in memory, checkpoints signed with a real note key, and
 * consistency proofs by the recursive RFC 9162 §2.1.4.1 definition (independent of the
 * proof planner the ledger uses).
 */
import {
  generateNoteKey,
  leafHash,
  noteSignerFromSkey,
  rootFromLeafHashes,
  signCheckpoint,
  type Hash,
} from '@notarize/tlog';

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** SUBPROOF(m, D[n], b) of RFC 9162. */
function subproof(m: number, leaves: readonly Hash[], b: boolean): Hash[] {
  const n = leaves.length;
  if (m === n) return b ? [] : [rootFromLeafHashes(leaves)];
  const k = largestPowerOfTwoBelow(n);
  if (m <= k) return [...subproof(m, leaves.slice(0, k), b), rootFromLeafHashes(leaves.slice(k))];
  return [...subproof(m - k, leaves.slice(k), false), rootFromLeafHashes(leaves.slice(0, k))];
}

export class TestLog {
  readonly origin: string;
  readonly vkey: string;
  readonly skey: string;
  readonly leaves: Hash[] = [];

  constructor(origin: string, skey?: string) {
    this.origin = origin;
    const key = skey ? { skey, vkey: '' } : generateNoteKey(origin);
    this.skey = key.skey;
    this.vkey = key.vkey;
  }

  grow(to: number, seed = 'x'): this {
    while (this.leaves.length < to) {
      this.leaves.push(leafHash(new TextEncoder().encode(`${seed}-${this.leaves.length}`)));
    }
    return this;
  }

  root(size = this.leaves.length): Hash {
    return rootFromLeafHashes(this.leaves.slice(0, size));
  }

  checkpoint(size = this.leaves.length, skey = this.skey): string {
    return signCheckpoint(
      { origin: this.origin, size, root: this.root(size), extensions: [] },
      noteSignerFromSkey(skey),
    );
  }

  consistency(from: number, to = this.leaves.length): Hash[] {
    if (from === 0 || from === to) return [];
    return subproof(from, this.leaves.slice(0, to), true);
  }
}
