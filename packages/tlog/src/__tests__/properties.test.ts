// Exhaustive properties for every tree size 1..70: planned + assembled proofs verify against the
// recursive RFC 9162 definition (rootFromLeafHashes), and every single-element change to a proof
// (bit flip, drop, duplicate, swap, extra hash) is rejected. The node store holds only the nodes
// completed at each size, so a plan that asks for a not-yet-perfect subtree fails the test.
import { CompactRange } from '../compact-range.ts';
import { leafHash, nodeHash, rootFromLeafHashes, type Hash } from '../hash.ts';
import { peakNodes, rangeNodes, type NodeId } from '../node-id.ts';
import { planConsistencyProof, planInclusionProof } from '../proof-plan.ts';
import {
  consistencyProofLength,
  inclusionProofLength,
  verifyConsistency,
  verifyInclusion,
} from '../verify.ts';
import { codeOf, flipBit, NodeStore, toHex } from './helpers.ts';

const MAX = 70;
// The mutation run (stryker/parts.ts) checks sizes 1..33 only: every proof shape up to a
// 32-leaf perfect tree plus one, at a tenth of the cost per mutant; `npm test` checks 1..70.
const PROPERTY_MAX = propertyMaxSize(process.env.TLOG_PROPERTY_MAX_SIZE);

function propertyMaxSize(value: string | undefined): number {
  if (value === undefined) return MAX;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX) {
    throw new Error(`TLOG_PROPERTY_MAX_SIZE must be an integer from 1 to ${MAX}, got "${value}"`);
  }
  return n;
}
const leaves: Hash[] = Array.from({ length: MAX }, (_, i) =>
  leafHash(new TextEncoder().encode(`leaf ${i}`)),
);
const roots: Hash[] = [rootFromLeafHashes([])];
for (let n = 1; n <= MAX; n++) roots.push(rootFromLeafHashes(leaves.slice(0, n)));

/** All proofs derived from `proof` by changing exactly one element or the length by one. */
function mutations(proof: readonly Hash[], extra: Hash): [string, Hash[]][] {
  const out: [string, Hash[]][] = [];
  proof.forEach((_, i) => {
    const flipped = proof.slice();
    flipped[i] = flipBit(proof[i]!, (i * 37) % 256);
    out.push([`flip ${i}`, flipped]);
    const replaced = proof.slice();
    replaced[i] = extra;
    out.push([`replace ${i}`, replaced]);
    out.push([`drop ${i}`, [...proof.slice(0, i), ...proof.slice(i + 1)]]);
    out.push([`duplicate ${i}`, [...proof.slice(0, i + 1), ...proof.slice(i)]]);
    if (i + 1 < proof.length && toHex(proof[i]!) !== toHex(proof[i + 1]!)) {
      const swapped = proof.slice();
      swapped[i] = proof[i + 1]!;
      swapped[i + 1] = proof[i]!;
      out.push([`swap ${i}`, swapped]);
    }
  });
  out.push(['append', [...proof, extra]]);
  out.push(['prepend', [extra, ...proof]]);
  return out;
}

function rejects(fn: () => void): boolean {
  try {
    fn();
    return false;
  } catch {
    return true;
  }
}

describe(`exhaustive proofs for sizes 1..${PROPERTY_MAX}`, () => {
  const extra = leafHash(new TextEncoder().encode('not in the tree'));
  const sizes = Array.from({ length: PROPERTY_MAX }, (_, i) => i + 1);

  /** A store holding exactly the nodes completed by appending the first n leaves. */
  function storeAt(n: number): NodeStore {
    const store = new NodeStore();
    const range = CompactRange.empty();
    for (let i = 0; i < n; i++) range.append(leaves[i]!, store.put);
    expect(range.size).toBe(n);
    expect(toHex(range.root())).toBe(toHex(roots[n]!));
    return store;
  }

  it.each(sizes)('size %i: every inclusion and consistency proof', (n) => {
    const store = storeAt(n);
    const failures: string[] = [];
    for (let i = 0; i < n; i++) {
      const plan = planInclusionProof(i, n);
      const proof = store.run(plan);
      expect(proof.length).toBe(inclusionProofLength(i, n));
      verifyInclusion(leaves[i]!, i, n, proof, roots[n]!);
      for (const [what, bad] of mutations(proof, extra)) {
        if (!rejects(() => verifyInclusion(leaves[i]!, i, n, bad, roots[n]!))) {
          failures.push(`inclusion ${i}/${n} ${what}`);
        }
      }
      if (i + 1 < n && !rejects(() => verifyInclusion(leaves[i]!, i + 1, n, proof, roots[n]!))) {
        failures.push(`inclusion ${i}/${n} accepted for index ${i + 1}`);
      }
    }
    for (let m = 0; m <= n; m++) {
      const proof = store.run(planConsistencyProof(m, n));
      expect(proof.length).toBe(consistencyProofLength(m, n));
      verifyConsistency(m, n, roots[m]!, roots[n]!, proof);
      for (const [what, bad] of mutations(proof, extra)) {
        if (!rejects(() => verifyConsistency(m, n, roots[m]!, roots[n]!, bad))) {
          failures.push(`consistency ${m}->${n} ${what}`);
        }
      }
      if (m > 0 && m < n) {
        if (!rejects(() => verifyConsistency(m, n, roots[m - 1]!, roots[n]!, proof))) {
          failures.push(`consistency ${m}->${n} accepted a wrong old root`);
        }
        if (!rejects(() => verifyConsistency(m, n, roots[m]!, roots[n - 1]!, proof))) {
          failures.push(`consistency ${m}->${n} accepted a wrong new root`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('CompactRange', () => {
  it('emits every perfect subtree exactly once, bottom-up, with the right hash', () => {
    const seen: NodeId[] = [];
    const range = CompactRange.empty();
    const hashes = new Map<string, Hash>();
    for (let i = 0; i < 64; i++) {
      const emitted: NodeId[] = [];
      range.append(leaves[i]!, (id, h) => {
        emitted.push(id);
        hashes.set(`${id.level}/${id.index}`, h);
      });
      // Bottom-up: levels 0, 1, 2, ... and each node ends exactly at leaf i.
      emitted.forEach((id, k) => {
        expect(id.level).toBe(k);
        expect((id.index + 1) * 2 ** id.level).toBe(i + 1);
      });
      seen.push(...emitted);
    }
    expect(seen.length).toBe(127); // a 64-leaf perfect tree has 127 nodes
    for (const id of seen) {
      const start = id.index * 2 ** id.level;
      const want = rootFromLeafHashes(leaves.slice(start, start + 2 ** id.level));
      expect(toHex(hashes.get(`${id.level}/${id.index}`)!)).toBe(toHex(want));
    }
  });

  it('round-trips through fromPeaks and clones independently', () => {
    const range = CompactRange.empty();
    for (let n = 1; n <= 40; n++) {
      range.append(leaves[n - 1]!);
      const restored = CompactRange.fromPeaks(n, range.peaks());
      expect(toHex(restored.root())).toBe(toHex(roots[n]!));
      expect(range.peaks().length).toBe(peakNodes(n).length);
    }
    const a = CompactRange.fromPeaks(40, range.peaks());
    const b = a.clone();
    b.append(leaves[40]!);
    expect(a.size).toBe(40);
    expect(toHex(a.root())).toBe(toHex(roots[40]!));
    expect(toHex(b.root())).toBe(toHex(roots[41]!));
  });

  it('peaks are the hashes of peakNodes(size)', () => {
    const range = CompactRange.empty();
    for (let n = 1; n <= 33; n++) {
      range.append(leaves[n - 1]!);
      const want = peakNodes(n).map((id) => {
        const start = id.index * 2 ** id.level;
        return toHex(rootFromLeafHashes(leaves.slice(start, start + 2 ** id.level)));
      });
      expect(range.peaks().map(toHex)).toEqual(want);
    }
  });

  it('refuses peaks that do not fit the size', () => {
    expect(codeOf(() => CompactRange.fromPeaks(3, [leaves[0]!]))).toBe('TLOG_PEAKS_INVALID');
    expect(codeOf(() => CompactRange.fromPeaks(1, [new Uint8Array(31)]))).toBe(
      'TLOG_BAD_HASH_SIZE',
    );
    expect(codeOf(() => CompactRange.fromPeaks(-1, []))).toBe('TLOG_BAD_NUMBER');
  });
});

describe('plans for large trees', () => {
  it('stay O(log n) and inside the tree near 2^53', () => {
    const size = Number.MAX_SAFE_INTEGER; // 2^53 - 1
    for (const index of [0, 1, 2 ** 52, size - 2, size - 1]) {
      const plan = planInclusionProof(index, size);
      expect(plan.nodes.length).toBeLessThanOrEqual(2 * 53);
      expect(inclusionProofLength(index, size)).toBeLessThanOrEqual(53);
      for (const id of plan.nodes) expect((id.index + 1) * 2 ** id.level).toBeLessThanOrEqual(size);
    }
    for (const size1 of [1, 2 ** 40 + 3, size - 1]) {
      const plan = planConsistencyProof(size1, size);
      expect(plan.nodes.length).toBeLessThanOrEqual(2 * 53);
      for (const id of plan.nodes) expect((id.index + 1) * 2 ** id.level).toBeLessThanOrEqual(size);
    }
    expect(peakNodes(size).length).toBe(53);
  });

  it('verifies a proof built by hand for a tree of 2^40 + 1 leaves', () => {
    // Leaf 2^40 is alone on the right; its proof is the single left subtree root.
    const left = nodeHash(leaves[0]!, leaves[1]!); // any 32-byte value stands in for MTH(D[0:2^40])
    const size = 2 ** 40 + 1;
    const root = nodeHash(left, leaves[2]!);
    expect(inclusionProofLength(2 ** 40, size)).toBe(1);
    expect(() => verifyInclusion(leaves[2]!, 2 ** 40, size, [left], root)).not.toThrow();
    expect(codeOf(() => verifyInclusion(leaves[2]!, 2 ** 40 - 1, size, [left], root))).toBe(
      'TLOG_PROOF_LENGTH',
    );
  });

  it('rangeNodes splits arbitrary ranges into aligned perfect subtrees', () => {
    for (let lo = 0; lo < 40; lo++) {
      for (let hi = lo; hi < 40; hi++) {
        let at = lo;
        for (const id of rangeNodes(lo, hi)) {
          const w = 2 ** id.level;
          expect(id.index * w).toBe(at);
          at += w;
        }
        expect(at).toBe(hi);
      }
    }
  });
});

describe('argument checks', () => {
  it('names what is wrong', () => {
    expect(codeOf(() => planInclusionProof(0, 0))).toBe('TLOG_EMPTY_TREE');
    expect(codeOf(() => planInclusionProof(5, 5))).toBe('TLOG_INDEX_OUT_OF_RANGE');
    expect(codeOf(() => planInclusionProof(-1, 5))).toBe('TLOG_BAD_NUMBER');
    expect(codeOf(() => planInclusionProof(0.5, 5))).toBe('TLOG_BAD_NUMBER');
    expect(codeOf(() => planInclusionProof(0, 2 ** 53))).toBe('TLOG_BAD_NUMBER');
    expect(codeOf(() => planConsistencyProof(6, 5))).toBe('TLOG_SIZE_ORDER');
    expect(planConsistencyProof(0, 5).nodes).toEqual([]);
    expect(planConsistencyProof(5, 5).nodes).toEqual([]);
    const plan = planInclusionProof(3, 7);
    expect(codeOf(() => plan.assemble([]))).toBe('TLOG_PLAN_HASH_COUNT');
    expect(codeOf(() => plan.assemble(plan.nodes.map(() => new Uint8Array(16))))).toBe(
      'TLOG_BAD_HASH_SIZE',
    );
    const short = [leaves[0]!, new Uint8Array(31), leaves[1]!];
    expect(codeOf(() => verifyInclusion(leaves[0]!, 0, 5, short, roots[5]!))).toBe(
      'TLOG_BAD_HASH_SIZE',
    );
  });

  it('checks the exact proof length before walking the proof', () => {
    const store = new NodeStore();
    const range = CompactRange.empty();
    for (let i = 0; i < 8; i++) range.append(leaves[i]!, store.put);
    const proof = store.run(planInclusionProof(2, 8));
    const long = () => verifyInclusion(leaves[2]!, 2, 8, [...proof, leaves[0]!], roots[8]!);
    expect(long).toThrow(/must have exactly 3 hashes, got 4/);
    const short = () => verifyInclusion(leaves[2]!, 2, 8, proof.slice(0, 2), roots[8]!);
    expect(short).toThrow(/must have exactly 3 hashes, got 2/);
    const c = store.run(planConsistencyProof(3, 8));
    const cLong = () => verifyConsistency(3, 8, roots[3]!, roots[8]!, [...c, leaves[0]!]);
    expect(cLong).toThrow(new RegExp(`must have exactly ${c.length} hashes, got ${c.length + 1}`));
  });

  it('classifies caller mistakes as input and failed checks as verification', () => {
    const category = (fn: () => void) => {
      try {
        fn();
      } catch (e) {
        return (e as { category: string }).category;
      }
      return 'none';
    };
    expect(category(() => planInclusionProof(-1, 3))).toBe('input');
    expect(category(() => verifyInclusion(leaves[0]!, 0, 3, [], roots[3]!))).toBe('verification');
    expect(
      category(() => verifyConsistency(1, 3, roots[1]!, roots[2]!, [leaves[1]!, leaves[2]!])),
    ).toBe('verification');
  });
});
