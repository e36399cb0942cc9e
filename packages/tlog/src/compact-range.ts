import { TlogError } from './errors.ts';
import { checkHash, emptyRoot, nodeHash, type Hash } from './hash.ts';
import { peakNodes, type NodeId } from './node-id.ts';
import { checkCount } from './numbers.ts';

/**
 * The compact range [0, size): one hash per set bit of `size` (the peaks, largest subtree first).
 * Appending merges equal-sized peaks like a binary counter, so state and work are O(log n).
 */
export class CompactRange {
  #size: number;
  #peaks: Hash[];

  private constructor(size: number, peaks: Hash[]) {
    this.#size = size;
    this.#peaks = peaks;
  }

  static empty(): CompactRange {
    return new CompactRange(0, []);
  }

  /** Restores from the perfect-subtree hashes of `peakNodes(size)` (left to right). */
  static fromPeaks(size: number, peaks: readonly Hash[]): CompactRange {
    checkCount(size, 'tree size');
    const expected = peakNodes(size).length;
    if (peaks.length !== expected) {
      throw new TlogError(
        'TLOG_PEAKS_INVALID',
        `a tree of size ${size} has ${expected} peaks, got ${peaks.length}`,
      );
    }
    peaks.forEach((h, i) => checkHash(h, `peak ${i}`, 'input'));
    return new CompactRange(
      size,
      peaks.map((h) => h.slice()),
    );
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Appends one leaf hash; calls `onNode` for every perfect subtree it completes, the leaf itself
   * (level 0) included, bottom-up, so a store can persist all perfect nodes.
   */
  append(leafHash: Hash, onNode?: (id: NodeId, hash: Hash) => void): void {
    checkHash(leafHash, 'leaf hash', 'input');
    if (this.#size >= Number.MAX_SAFE_INTEGER) {
      throw new TlogError('TLOG_BAD_NUMBER', 'tree size would exceed 2^53 - 1');
    }
    let hash: Hash = leafHash.slice();
    let index = this.#size;
    let level = 0;
    onNode?.({ level, index }, hash);
    // Each trailing 1 bit of the size is a peak of the same height as `hash`: merge them.
    let s = this.#size;
    while (s % 2 === 1) {
      hash = nodeHash(this.#peaks.pop()!, hash);
      s = (s - 1) / 2;
      index = Math.floor(index / 2);
      level++;
      onNode?.({ level, index }, hash);
    }
    this.#peaks.push(hash);
    this.#size++;
  }

  /** The RFC 9162 root of [0, size): the right fold of the peaks. */
  root(): Hash {
    const n = this.#peaks.length;
    if (n === 0) return emptyRoot();
    let acc = this.#peaks[n - 1]!;
    for (let i = n - 2; i >= 0; i--) acc = nodeHash(this.#peaks[i]!, acc);
    return acc;
  }

  /** Copies of the peak hashes, in `peakNodes(size)` order. */
  peaks(): Hash[] {
    return this.#peaks.map((h) => h.slice());
  }

  clone(): CompactRange {
    return new CompactRange(this.#size, this.peaks());
  }
}
