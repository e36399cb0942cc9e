import { checkCount } from './numbers.ts';

/** The perfect subtree at `level` covering leaves [index * 2^level, (index + 1) * 2^level). */
export interface NodeId {
  level: number;
  index: number;
}

/**
 * The maximal perfect subtrees that cover leaves [lo, hi), left to right (a "compact range").
 * For the ranges that occur in RFC 9162 trees (lo a multiple of a power of two >= hi - lo) the
 * sizes strictly decrease, and the range's MTH is the right fold of their hashes.
 */
export function rangeNodes(lo: number, hi: number): NodeId[] {
  checkCount(lo, 'range start');
  checkCount(hi, 'range end');
  const out: NodeId[] = [];
  while (lo < hi) {
    // Grow the subtree while it stays aligned at `lo` and inside the range.
    let level = 0;
    let width = 1;
    while (lo % (width * 2) === 0 && lo + width * 2 <= hi) {
      width *= 2;
      level++;
    }
    out.push({ level, index: lo / width });
    lo += width;
  }
  return out;
}

/** The perfect subtrees whose hashes (the "peaks") summarize the tree of `size` leaves. */
export function peakNodes(size: number): NodeId[] {
  return rangeNodes(0, size);
}

/** The first leaf and the leaf count covered by a node. */
export function nodeCoverage(id: NodeId): { start: number; count: number } {
  const count = 2 ** id.level;
  return { start: id.index * count, count };
}
