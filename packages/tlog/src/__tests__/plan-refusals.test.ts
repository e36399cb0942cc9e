// The refusals of proof plans, compact ranges and their number and hash checks, word for word
// and with their category: caller mistakes are `input`, a bad hash from a log is `verification`.
import { CompactRange } from '../compact-range.ts';
import { TlogError } from '../errors.ts';
import { checkHash, leafHash } from '../hash.ts';
import { planConsistencyProof, planInclusionProof } from '../proof-plan.ts';

function refusal(fn: () => unknown): [string, string, string] | 'accepted' {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TlogError);
    const e = err as TlogError;
    return [e.code, e.category, e.message];
  }
  return 'accepted';
}

const leaf = leafHash(new TextEncoder().encode('leaf'));

describe('proof plan refusals', () => {
  it.each([
    [
      'a negative index',
      () => planInclusionProof(-1, 5),
      ['TLOG_BAD_NUMBER', 'input', 'leaf index must be a non-negative safe integer, got -1'],
    ],
    [
      'a fractional size',
      () => planInclusionProof(0, 2.5),
      ['TLOG_BAD_NUMBER', 'input', 'tree size must be a non-negative safe integer, got 2.5'],
    ],
    [
      'the empty tree',
      () => planInclusionProof(0, 0),
      ['TLOG_EMPTY_TREE', 'input', 'the empty tree has no inclusion proofs'],
    ],
    [
      'an index past the tree',
      () => planInclusionProof(5, 5),
      ['TLOG_INDEX_OUT_OF_RANGE', 'input', 'leaf index 5 is not in a tree of size 5'],
    ],
    [
      'an old size that is not a count',
      () => planConsistencyProof(Number.NaN, 5),
      ['TLOG_BAD_NUMBER', 'input', 'old tree size must be a non-negative safe integer, got NaN'],
    ],
    [
      'a new size past 2^53 - 1',
      () => planConsistencyProof(1, 2 ** 53),
      [
        'TLOG_BAD_NUMBER',
        'input',
        'new tree size must be a non-negative safe integer, got 9007199254740992',
      ],
    ],
    [
      'sizes in the wrong order',
      () => planConsistencyProof(6, 5),
      ['TLOG_SIZE_ORDER', 'input', 'old tree size 6 is larger than new tree size 5'],
    ],
  ])('%s', (_what, fn, expected) => {
    expect(refusal(fn)).toEqual(expected);
  });

  it('plans the last leaf of a tree, and every size from 0 to the same size', () => {
    expect(planInclusionProof(4, 5).nodes.length).toBeGreaterThan(0);
    expect(planConsistencyProof(5, 5).nodes).toEqual([]);
    expect(planConsistencyProof(0, 0).nodes).toEqual([]);
  });

  it('assemble names a wrong count and the node of a bad hash', () => {
    const plan = planInclusionProof(3, 7);
    expect(refusal(() => plan.assemble([]))).toEqual([
      'TLOG_PLAN_HASH_COUNT',
      'input',
      `proof plan needs ${plan.nodes.length} node hashes in plan order, got 0`,
    ]);
    const hashes = plan.nodes.map(() => leaf);
    hashes[1] = new Uint8Array(16);
    const [code, category, message] = refusal(() => plan.assemble(hashes)) as string[];
    expect([code, category]).toEqual(['TLOG_BAD_HASH_SIZE', 'input']);
    expect(message).toMatch(/^hash of node .+ must be a 32-byte SHA-256 hash, got 16 bytes$/);
  });
});

describe('compact range refusals', () => {
  it('names the peaks a size needs', () => {
    expect(refusal(() => CompactRange.fromPeaks(3, [leaf]))).toEqual([
      'TLOG_PEAKS_INVALID',
      'input',
      'a tree of size 3 has 2 peaks, got 1',
    ]);
    expect(refusal(() => CompactRange.fromPeaks(3, [leaf, new Uint8Array(31)]))).toEqual([
      'TLOG_BAD_HASH_SIZE',
      'input',
      'peak 1 must be a 32-byte SHA-256 hash, got 31 bytes',
    ]);
    expect(refusal(() => CompactRange.fromPeaks(-1, []))).toEqual([
      'TLOG_BAD_NUMBER',
      'input',
      'tree size must be a non-negative safe integer, got -1',
    ]);
  });

  it('refuses a leaf hash of the wrong size', () => {
    expect(refusal(() => CompactRange.empty().append(new Uint8Array(33)))).toEqual([
      'TLOG_BAD_HASH_SIZE',
      'input',
      'leaf hash must be a 32-byte SHA-256 hash, got 33 bytes',
    ]);
  });

  it('refuses to grow past 2^53 - 1 leaves, and grows up to it', () => {
    const peaks = Array.from({ length: 52 }, () => leaf); // 2^53 - 2 has 52 one-bits
    const range = CompactRange.fromPeaks(2 ** 53 - 2, peaks);
    range.append(leaf);
    expect(range.size).toBe(2 ** 53 - 1);
    expect(refusal(() => range.append(leaf))).toEqual([
      'TLOG_BAD_NUMBER',
      'input',
      'tree size would exceed 2^53 - 1',
    ]);
  });

  it('keeps its own copies of the peaks it was given', () => {
    const peak = leaf.slice();
    const range = CompactRange.fromPeaks(1, [peak]);
    peak.fill(0);
    expect(range.peaks()[0]).toEqual(leaf);
  });
});

describe('checkHash', () => {
  it('says what is wrong, with the category asked for', () => {
    expect(refusal(() => checkHash('x', 'root'))).toEqual([
      'TLOG_BAD_HASH_SIZE',
      'verification',
      'root must be a 32-byte SHA-256 hash, got string',
    ]);
    expect(refusal(() => checkHash(new Uint8Array(0), 'root', 'input'))).toEqual([
      'TLOG_BAD_HASH_SIZE',
      'input',
      'root must be a 32-byte SHA-256 hash, got 0 bytes',
    ]);
  });
});
