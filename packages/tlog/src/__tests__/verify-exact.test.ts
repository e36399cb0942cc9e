// Direct accept/refuse tests for two checks of verify.ts that other tests reach only in passing:
// - proofs must have exactly the length the tree shape implies (RFC 9162; a verifier that
//   tolerates extra or missing elements can be led to accept a forged history), checked before
//   any element is looked at, with a message that names the expected and the received length;
// - a consistency "proof" between two trees of the same size is no proof at all: it must be
//   empty and the two roots must be equal, or the log forked.
import { leafHash, rootFromLeafHashes, type Hash } from '../hash.ts';
import { planConsistencyProof, planInclusionProof, type ProofPlan } from '../proof-plan.ts';
import { nodeCoverage } from '../node-id.ts';
import { TlogError } from '../errors.ts';
import {
  consistencyProofLength,
  inclusionProofLength,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from '../verify.ts';
import { codeOf } from './helpers.ts';

const leaves: Hash[] = Array.from({ length: 16 }, (_, i) =>
  leafHash(new TextEncoder().encode(`exact ${i}`)),
);
const other: Hash[] = leaves.map((_, i) => leafHash(new TextEncoder().encode(`other ${i}`)));
const root = (n: number, from = leaves) => rootFromLeafHashes(from.slice(0, n));
const run = (plan: ProofPlan): Hash[] =>
  plan.assemble(
    plan.nodes.map((id) => {
      const { start, count } = nodeCoverage(id);
      return rootFromLeafHashes(leaves.slice(start, start + count));
    }),
  );
const extra = leafHash(new TextEncoder().encode('extra'));

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof TlogError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a TlogError, nothing was thrown');
}

describe('exact inclusion proof length', () => {
  // [index, size, exact length] worked out by hand from the tree shapes.
  const CASES: [number, number, number][] = [
    [0, 1, 0],
    [0, 2, 1],
    [1, 2, 1],
    [2, 3, 1],
    [0, 3, 2],
    [0, 7, 3],
    [6, 7, 2],
    [4, 7, 3],
    [5, 8, 3],
    [12, 13, 2],
    [0, 16, 4],
  ];

  it.each(CASES)('leaf %i of size %i: exactly %i hashes', (index, size, length) => {
    expect(inclusionProofLength(index, size)).toBe(length);
    const proof = run(planInclusionProof(index, size));
    expect(proof).toHaveLength(length);
    expect(() => verifyInclusion(leaves[index]!, index, size, proof, root(size))).not.toThrow();
    expect(rootFromInclusionProof(leaves[index]!, index, size, proof)).toEqual(root(size));
  });

  it.each(CASES)('leaf %i of size %i: one hash more or less is refused', (index, size, length) => {
    const proof = run(planInclusionProof(index, size));
    const tooLong = refusal(() =>
      verifyInclusion(leaves[index]!, index, size, [...proof, extra], root(size)),
    );
    expect(tooLong).toEqual({
      code: 'TLOG_PROOF_LENGTH',
      message: `proof for leaf ${index} in size ${size} must have exactly ${length} hashes, got ${length + 1}`,
    });
    if (length > 0) {
      const tooShort = refusal(() =>
        verifyInclusion(leaves[index]!, index, size, proof.slice(1), root(size)),
      );
      expect(tooShort).toEqual({
        code: 'TLOG_PROOF_LENGTH',
        message: `proof for leaf ${index} in size ${size} must have exactly ${length} hashes, got ${length - 1}`,
      });
    }
  });

  it('checks the length before looking at any element', () => {
    const proof = run(planInclusionProof(0, 7));
    const bad = [...proof, new Uint8Array(5)];
    expect(codeOf(() => verifyInclusion(leaves[0]!, 0, 7, bad, root(7)))).toBe('TLOG_PROOF_LENGTH');
    // With the right length, the bad element is what is refused.
    const swapped = [new Uint8Array(5), ...proof.slice(1)];
    expect(codeOf(() => verifyInclusion(leaves[0]!, 0, 7, swapped, root(7)))).toBe(
      'TLOG_BAD_HASH_SIZE',
    );
  });

  it('refuses a proof that is not a list', () => {
    const notAList = { length: 3 } as unknown as Hash[];
    expect(refusal(() => verifyInclusion(leaves[0]!, 0, 7, notAList, root(7)))).toEqual({
      code: 'TLOG_PROOF_LENGTH',
      message: 'proof for leaf 0 in size 7 must have exactly 3 hashes, got object',
    });
  });

  it('has no proofs for leaves beyond the tree', () => {
    expect(inclusionProofLength(7, 7)).toBe(0);
    expect(inclusionProofLength(9, 7)).toBe(0);
  });
});

describe('exact consistency proof length', () => {
  const CASES: [number, number, number][] = [
    [1, 2, 1],
    [2, 3, 1],
    [3, 7, 4],
    [4, 7, 1],
    [6, 8, 3],
    [5, 16, 5],
    [8, 16, 1],
  ];

  it.each(CASES)('%i -> %i: exactly %i hashes, one more or less refused', (m, n, length) => {
    expect(consistencyProofLength(m, n)).toBe(length);
    const proof = run(planConsistencyProof(m, n));
    expect(proof).toHaveLength(length);
    expect(() => verifyConsistency(m, n, root(m), root(n), proof)).not.toThrow();
    for (const [bad, got] of [
      [[...proof, extra], length + 1],
      [proof.slice(0, -1), length - 1],
    ] as const) {
      expect(refusal(() => verifyConsistency(m, n, root(m), root(n), bad))).toEqual({
        code: 'TLOG_PROOF_LENGTH',
        message: `proof for sizes ${m} -> ${n} must have exactly ${length} hashes, got ${got}`,
      });
    }
  });

  it('has no proofs backwards', () => {
    expect(consistencyProofLength(7, 3)).toBe(0);
  });
});

describe('consistency between two trees of the same size', () => {
  it.each([1, 2, 5, 8, 13])('size %i: the same root with an empty proof is accepted', (n) => {
    expect(consistencyProofLength(n, n)).toBe(0);
    expect(() => verifyConsistency(n, n, root(n), root(n), [])).not.toThrow();
  });

  it.each([1, 2, 5, 8, 13])('size %i: another root is refused as a fork', (n) => {
    expect(refusal(() => verifyConsistency(n, n, root(n), root(n, other), []))).toEqual({
      code: 'TLOG_ROOT_MISMATCH',
      message: `two different roots for the same tree size ${n}: the log forked`,
    });
    expect(codeOf(() => verifyConsistency(n, n, root(n, other), root(n), []))).toBe(
      'TLOG_ROOT_MISMATCH',
    );
  });

  it('refuses any proof elements, even with equal roots', () => {
    expect(refusal(() => verifyConsistency(5, 5, root(5), root(5), [extra]))).toEqual({
      code: 'TLOG_PROOF_LENGTH',
      message: 'proof for sizes 5 -> 5 must have exactly 0 hashes, got 1',
    });
  });

  it('size 0: only the empty-tree root', () => {
    const empty = rootFromLeafHashes([]);
    expect(() => verifyConsistency(0, 0, empty, empty, [])).not.toThrow();
    expect(codeOf(() => verifyConsistency(0, 0, empty, root(1), []))).toBe('TLOG_ROOT_MISMATCH');
  });
});

describe('what a refusal says', () => {
  const said = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof TlogError) return `${e.category} ${e.code}: ${e.message}`;
      throw e;
    }
    throw new Error('not refused');
  };
  const r7 = () => root(7);

  it('names the number that is not a count', () => {
    expect(said(() => inclusionProofLength(-1, 7))).toBe(
      'input TLOG_BAD_NUMBER: leaf index must be a non-negative safe integer, got -1',
    );
    expect(said(() => inclusionProofLength(0, 1.5))).toMatch(/: tree size must be/);
    expect(said(() => consistencyProofLength(-1, 7))).toMatch(/: old tree size must be/);
    expect(said(() => consistencyProofLength(1, -7))).toMatch(/: new tree size must be/);
    expect(said(() => rootFromInclusionProof(leaves[0]!, -1, 7, []))).toMatch(/: leaf index must/);
    expect(said(() => rootFromInclusionProof(leaves[0]!, 0, -7, []))).toMatch(/: tree size must/);
    expect(said(() => verifyConsistency(-1, 7, r7(), r7(), []))).toMatch(/: old tree size must/);
    expect(said(() => verifyConsistency(1, -7, r7(), r7(), []))).toMatch(/: new tree size must/);
  });

  it('names the hash that is not a hash', () => {
    const short = new Uint8Array(31);
    expect(said(() => verifyInclusion(short, 0, 7, [], r7()))).toBe(
      'input TLOG_BAD_HASH_SIZE: leaf hash must be a 32-byte SHA-256 hash, got 31 bytes',
    );
    expect(said(() => verifyInclusion(leaves[0]!, 0, 7, [], short))).toMatch(
      /^input TLOG_BAD_HASH_SIZE: tree root must/,
    );
    expect(said(() => verifyConsistency(1, 7, short, r7(), []))).toMatch(/: old tree root must/);
    expect(said(() => verifyConsistency(1, 7, r7(), short, []))).toMatch(/: new tree root must/);
  });

  it('refuses a proof element that is not a hash as a verification failure, naming it', () => {
    const inclusion = run(planInclusionProof(0, 7));
    inclusion[1] = new Uint8Array(5);
    expect(said(() => verifyInclusion(leaves[0]!, 0, 7, inclusion, r7()))).toBe(
      'verification TLOG_BAD_HASH_SIZE: inclusion proof element 1 must be a 32-byte SHA-256 hash, got 5 bytes',
    );
    const consistency = run(planConsistencyProof(3, 7));
    consistency[2] = new Uint8Array(5);
    expect(said(() => verifyConsistency(3, 7, root(3), r7(), consistency))).toBe(
      'verification TLOG_BAD_HASH_SIZE: consistency proof element 2 must be a 32-byte SHA-256 hash, got 5 bytes',
    );
  });

  it('says which tree a leaf or a root does not fit', () => {
    expect(said(() => verifyInclusion(leaves[0]!, 0, 0, [], rootFromLeafHashes([])))).toBe(
      'verification TLOG_EMPTY_TREE: no leaf can be included in the empty tree (size 0)',
    );
    expect(said(() => verifyInclusion(leaves[0]!, 7, 7, [], r7()))).toBe(
      'verification TLOG_INDEX_OUT_OF_RANGE: leaf index 7 is not in a tree of size 7; the proof is for another tree',
    );
    const proof = run(planInclusionProof(2, 7));
    expect(said(() => verifyInclusion(leaves[3]!, 2, 7, proof, r7()))).toBe(
      'verification TLOG_ROOT_MISMATCH: inclusion proof for leaf 2 does not lead to the root of the tree of size 7: the entry, the proof or the checkpoint is wrong',
    );
    expect(said(() => verifyConsistency(7, 3, r7(), root(3), []))).toBe(
      'verification TLOG_SIZE_ORDER: old tree size 7 is larger than new tree size 3: the log went backwards or the arguments are swapped',
    );
    expect(said(() => verifyConsistency(0, 3, root(1), root(3), []))).toBe(
      'verification TLOG_ROOT_MISMATCH: the old root of a size-0 tree must be the empty-tree hash SHA-256("")',
    );
    const c = run(planConsistencyProof(3, 7));
    expect(said(() => verifyConsistency(3, 7, root(3, other), r7(), c))).toBe(
      'verification TLOG_ROOT_MISMATCH: consistency proof (sizes 3 -> 7) does not lead to the old root: the proof or the old checkpoint is wrong',
    );
    expect(said(() => verifyConsistency(3, 7, root(3), root(7, other), c))).toBe(
      'verification TLOG_ROOT_MISMATCH: consistency proof (sizes 3 -> 7) does not lead to the new root: the new tree does not extend the old one',
    );
  });
});
