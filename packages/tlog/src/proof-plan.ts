import { TlogError } from './errors.ts';
import { checkHash, nodeHash, type Hash } from './hash.ts';
import { rangeNodes, type NodeId } from './node-id.ts';
import { checkCount, splitPoint } from './numbers.ts';

/**
 * Proof generation from stored perfect-subtree hashes. Every RFC 9162 proof element is the MTH of
 * a leaf range; a range is either one perfect subtree (read from the store) or, on the right
 * border of the tree, a few perfect subtrees that `assemble` folds together. `nodes` is the
 * concatenation of all ranges' subtrees, so a store reads O(log n) hashes in one batch.
 */
export interface ProofPlan {
  nodes: NodeId[];
  assemble(hashes: readonly Hash[]): Hash[];
}

type Range = readonly [lo: number, hi: number];

/** Plan for the RFC 9162 inclusion proof (PATH) of leaf `index` in the tree of `size` leaves. */
export function planInclusionProof(index: number, size: number): ProofPlan {
  checkCount(index, 'leaf index');
  checkCount(size, 'tree size');
  if (size === 0) {
    throw new TlogError('TLOG_EMPTY_TREE', 'the empty tree has no inclusion proofs', {
      category: 'input',
    });
  }
  if (index >= size) {
    throw new TlogError(
      'TLOG_INDEX_OUT_OF_RANGE',
      `leaf index ${index} is not in a tree of size ${size}`,
      { category: 'input' },
    );
  }
  return planFromRanges(inclusionRanges(index, size));
}

/** Plan for the RFC 9162 consistency proof between tree sizes `size1` <= `size2`. */
export function planConsistencyProof(size1: number, size2: number): ProofPlan {
  checkCount(size1, 'old tree size');
  checkCount(size2, 'new tree size');
  if (size1 > size2) {
    throw new TlogError(
      'TLOG_SIZE_ORDER',
      `old tree size ${size1} is larger than new tree size ${size2}`,
      { category: 'input' },
    );
  }
  return planFromRanges(consistencyRanges(size1, size2));
}

/** Ranges of PATH(m, D[0:n]), bottom-up (the order of the proof). */
export function inclusionRanges(m: number, n: number): Range[] {
  const topDown: Range[] = [];
  let lo = 0;
  let hi = n;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (m < lo + k) {
      topDown.push([lo + k, hi]);
      hi = lo + k;
    } else {
      topDown.push([lo, lo + k]);
      lo += k;
    }
  }
  return topDown.reverse();
}

/** Ranges of PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true), bottom-up; empty for m = 0 or m = n. */
export function consistencyRanges(m: number, n: number): Range[] {
  if (m === 0 || m === n) return [];
  const topDown: Range[] = [];
  let lo = 0;
  let hi = n;
  let rel = m; // m relative to lo
  let complete = true; // the RFC's `b`: is the old tree's root the whole current subtree?
  for (;;) {
    if (rel === hi - lo) {
      if (!complete) topDown.push([lo, hi]);
      break;
    }
    const k = splitPoint(hi - lo);
    if (rel <= k) {
      topDown.push([lo + k, hi]);
      hi = lo + k;
    } else {
      topDown.push([lo, lo + k]);
      lo += k;
      rel -= k;
      complete = false;
    }
  }
  return topDown.reverse();
}

function planFromRanges(ranges: readonly Range[]): ProofPlan {
  const groups = ranges.map(([lo, hi]) => rangeNodes(lo, hi));
  const nodes = groups.flat();
  return {
    nodes,
    assemble(hashes: readonly Hash[]): Hash[] {
      if (hashes.length !== nodes.length) {
        throw new TlogError(
          'TLOG_PLAN_HASH_COUNT',
          `proof plan needs ${nodes.length} node hashes in plan order, got ${hashes.length}`,
        );
      }
      hashes.forEach((h, i) => checkHash(h, `hash of node ${describe(nodes[i]!)}`, 'input'));
      const proof: Hash[] = [];
      let at = 0;
      for (const group of groups) {
        // Right fold: MTH of a border range = p1 ⊕ (p2 ⊕ (… ⊕ pk)).
        let acc = hashes[at + group.length - 1]!;
        for (let i = group.length - 2; i >= 0; i--) acc = nodeHash(hashes[at + i]!, acc);
        proof.push(acc);
        at += group.length;
      }
      return proof;
    },
  };
}

function describe(id: NodeId): string {
  return `(level ${id.level}, index ${id.index})`;
}
