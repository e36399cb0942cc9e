/**
 * The append state of the log: the roots of the perfect subtrees ("peaks") that cover [0, size),
 * O(log n) hashes. Appending a leaf merges equal-sized peaks and reports every perfect subtree it
 * completes, so the store can persist all of them and proofs never recompute a subtree.
 * Same semantics as `@notarize/tlog`'s CompactRange, hashing through node:crypto for throughput.
 */
import type { Hash, NodeId } from '@notarize/tlog';
import { nodeHash } from './hashing.ts';

export type NodeSink = (level: number, index: number, hash: Hash) => void;

export class FastCompactRange {
  #size: number;
  /** Peaks left to right; peak i has level `levels[i]`. */
  #peaks: Hash[];
  #levels: number[];

  private constructor(size: number, peaks: Hash[], levels: number[]) {
    this.#size = size;
    this.#peaks = peaks;
    this.#levels = levels;
  }

  static empty(): FastCompactRange {
    return new FastCompactRange(0, [], []);
  }

  /** Restores from the hashes of `peakIds(size)`, left to right. */
  static fromPeaks(size: number, peaks: readonly Hash[]): FastCompactRange {
    const ids = peakIds(size);
    if (ids.length !== peaks.length) {
      throw new RangeError(`a tree of size ${size} has ${ids.length} peaks, got ${peaks.length}`);
    }
    return new FastCompactRange(
      size,
      [...peaks],
      ids.map((id) => id.level),
    );
  }

  get size(): number {
    return this.#size;
  }

  clone(): FastCompactRange {
    return new FastCompactRange(this.#size, [...this.#peaks], [...this.#levels]);
  }

  peaks(): Hash[] {
    return [...this.#peaks];
  }

  /** Appends one leaf hash; `sink` sees the leaf (level 0) and every subtree it completes. */
  append(leaf: Hash, sink?: NodeSink): void {
    let index = this.#size;
    let hash = leaf;
    let level = 0;
    sink?.(0, index, hash);
    // Merge while the last peak has the same height as the new node: the binary carry.
    while (this.#levels.length > 0 && this.#levels[this.#levels.length - 1] === level) {
      const left = this.#peaks.pop() as Hash;
      this.#levels.pop();
      hash = nodeHash(left, hash);
      level += 1;
      index = Math.floor(index / 2);
      sink?.(level, index, hash);
    }
    this.#peaks.push(hash);
    this.#levels.push(level);
    this.#size += 1;
  }

  /** RFC 9162 root: the peaks folded right to left. */
  root(): Hash {
    if (this.#peaks.length === 0) return EMPTY_ROOT;
    let acc = this.#peaks[this.#peaks.length - 1] as Hash;
    for (let i = this.#peaks.length - 2; i >= 0; i--) acc = nodeHash(this.#peaks[i] as Hash, acc);
    return acc;
  }
}

/** SHA-256 of the empty string. */
const EMPTY_ROOT = new Uint8Array(
  Buffer.from('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'hex'),
);

export function emptyRootHash(): Hash {
  return EMPTY_ROOT.slice();
}

/** The perfect subtrees covering [0, size), left to right (largest first). */
export function peakIds(size: number): NodeId[] {
  const out: NodeId[] = [];
  let start = 0;
  for (let level = 52; level >= 0; level--) {
    const width = 2 ** level;
    if (size - start >= width) {
      out.push({ level, index: start / width });
      start += width;
    }
  }
  return out;
}
