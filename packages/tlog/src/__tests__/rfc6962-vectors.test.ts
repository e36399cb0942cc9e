// Published RFC 6962 / RFC 9162 vectors from transparency-dev/merkle proof/verify_test.go (data
// only): the standard 8 reference leaves, the roots at every size, known inclusion and consistency
// proofs. Our planner must generate exactly these proofs and the verifier must accept them and
// reject the same corruptions the reference verifier rejects.
import { CompactRange } from '../compact-range.ts';
import { emptyRoot, leafHash, rootFromLeafHashes, type Hash } from '../hash.ts';
import { planConsistencyProof, planInclusionProof } from '../proof-plan.ts';
import { rootFromInclusionProof, verifyConsistency, verifyInclusion } from '../verify.ts';
import { codeOf, flipBit, hex, NodeStore, toHex } from './helpers.ts';

const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(hex);

const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(hex);

const EMPTY_TREE = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const SOME_HASH = hex('abacaba000000000000000000000000000000000000000000060061e00123456');

// (leaf index, tree size, proof); the Go table is 1-based in the leaf, converted here.
const INCLUSION: [number, number, string[]][] = [
  [0, 1, []],
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    1,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];

const CONSISTENCY: [number, number, string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [
    2,
    5,
    [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
  [
    6,
    7,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
];

const leafHashes = LEAVES.map(leafHash);
const store = new NodeStore();
const range = CompactRange.empty();
const rangeRoots: Hash[] = [];
for (const h of leafHashes) {
  range.append(h, store.put);
  rangeRoots.push(range.root());
}
const root = (size: number): Hash => ROOTS[size - 1]!;

describe('RFC 6962 reference vectors', () => {
  it('hashes the empty tree to SHA-256("")', () => {
    expect(toHex(emptyRoot())).toBe(EMPTY_TREE);
    expect(toHex(rootFromLeafHashes([]))).toBe(EMPTY_TREE);
    expect(toHex(CompactRange.empty().root())).toBe(EMPTY_TREE);
  });

  it.each(ROOTS.map((r, i) => [i + 1, toHex(r)] as const))(
    'root of the first %i reference leaves is %s',
    (size, want) => {
      expect(toHex(rootFromLeafHashes(leafHashes.slice(0, size)))).toBe(want);
      expect(toHex(rangeRoots[size - 1]!)).toBe(want);
    },
  );

  describe.each(INCLUSION)('inclusion of leaf %i in size %i', (index, size, proofHex) => {
    const proof = proofHex.map(hex);
    const leaf = leafHashes[index]!;

    it('is generated exactly by the planner', () => {
      expect(store.run(planInclusionProof(index, size)).map(toHex)).toEqual(proofHex);
    });

    it('verifies and recomputes the root', () => {
      expect(toHex(rootFromInclusionProof(leaf, index, size, proof))).toBe(toHex(root(size)));
      expect(() => verifyInclusion(leaf, index, size, proof, root(size))).not.toThrow();
    });

    it('rejects the reference corruptions', () => {
      const r = root(size);
      const probes: [string, () => void][] = [
        ['index - 1', () => verifyInclusion(leaf, index - 1, size, proof, r)],
        ['index + 1', () => verifyInclusion(leaf, index + 1, size, proof, r)],
        ['index ^ 2', () => verifyInclusion(leaf, index ^ 2, size, proof, r)],
        ['size * 2', () => verifyInclusion(leaf, index, size * 2, proof, r)],
        ['size / 2', () => verifyInclusion(leaf, index, Math.floor(size / 2), proof, r)],
        ['wrong leaf', () => verifyInclusion(leafHash(hex('ff')), index, size, proof, r)],
        ['empty root', () => verifyInclusion(leaf, index, size, proof, hex(EMPTY_TREE))],
        ['random root', () => verifyInclusion(leaf, index, size, proof, SOME_HASH)],
        [
          'trailing garbage',
          () => verifyInclusion(leaf, index, size, [...proof, new Uint8Array()], r),
        ],
        ['trailing root', () => verifyInclusion(leaf, index, size, [...proof, r], r)],
        [
          'preceding garbage',
          () => verifyInclusion(leaf, index, size, [new Uint8Array(), ...proof], r),
        ],
        ['preceding root', () => verifyInclusion(leaf, index, size, [r, ...proof], r)],
      ];
      proof.forEach((_, i) => {
        const bad = proof.slice();
        bad[i] = flipBit(bad[i]!, 3);
        probes.push([`modified proof[${i}]`, () => verifyInclusion(leaf, index, size, bad, r)]);
      });
      if (proof.length > 0) {
        probes.push([
          'removed component',
          () => verifyInclusion(leaf, index, size, proof.slice(0, -1), r),
        ]);
      }
      if (proof.length > 1) {
        const inserted = [proof[0]!, SOME_HASH, ...proof.slice(1)];
        probes.push(['inserted component', () => verifyInclusion(leaf, index, size, inserted, r)]);
        const swapped = [proof[1]!, proof[0]!, ...proof.slice(2)];
        probes.push(['swapped elements', () => verifyInclusion(leaf, index, size, swapped, r)]);
      }
      const accepted = probes.filter(([, probe]) => {
        try {
          probe();
          return true;
        } catch {
          return false;
        }
      });
      expect(accepted.map(([d]) => d)).toEqual([]);
    });
  });

  describe.each(CONSISTENCY)('consistency %i -> %i', (size1, size2, proofHex) => {
    const proof = proofHex.map(hex);
    const r1 = root(size1);
    const r2 = root(size2);

    it('is generated exactly by the planner', () => {
      expect(store.run(planConsistencyProof(size1, size2)).map(toHex)).toEqual(proofHex);
    });

    it('verifies', () => {
      expect(() => verifyConsistency(size1, size2, r1, r2, proof)).not.toThrow();
    });

    if (proof.length > 0) {
      it('rejects the reference corruptions', () => {
        const probes: [string, () => void][] = [
          ['size1 - 1', () => verifyConsistency(size1 - 1, size2, r1, r2, proof)],
          ['size1 + 1', () => verifyConsistency(size1 + 1, size2, r1, r2, proof)],
          ['size1 ^ 2', () => verifyConsistency(size1 ^ 2, size2, r1, r2, proof)],
          ['size2 * 2', () => verifyConsistency(size1, size2 * 2, r1, r2, proof)],
          ['size2 / 2', () => verifyConsistency(size1, Math.floor(size2 / 2), r1, r2, proof)],
          ['wrong root1', () => verifyConsistency(size1, size2, SOME_HASH, r2, proof)],
          ['wrong root2', () => verifyConsistency(size1, size2, r1, SOME_HASH, proof)],
          ['swapped roots', () => verifyConsistency(size1, size2, r2, r1, proof)],
          ['empty proof', () => verifyConsistency(size1, size2, r1, r2, [])],
          [
            'trailing garbage',
            () => verifyConsistency(size1, size2, r1, r2, [...proof, new Uint8Array()]),
          ],
          ['trailing root1', () => verifyConsistency(size1, size2, r1, r2, [...proof, r1])],
          ['trailing root2', () => verifyConsistency(size1, size2, r1, r2, [...proof, r2])],
          [
            'preceding garbage',
            () => verifyConsistency(size1, size2, r1, r2, [new Uint8Array(), ...proof]),
          ],
          ['preceding root1', () => verifyConsistency(size1, size2, r1, r2, [r1, ...proof])],
          ['preceding root2', () => verifyConsistency(size1, size2, r1, r2, [r2, ...proof])],
          [
            'preceding proof[0]',
            () => verifyConsistency(size1, size2, r1, r2, [proof[0]!, ...proof]),
          ],
          ['truncated proof', () => verifyConsistency(size1, size2, r1, r2, proof.slice(0, -1))],
        ];
        proof.forEach((_, i) => {
          const bad = proof.slice();
          bad[i] = flipBit(bad[i]!, 4);
          probes.push([`modified proof[${i}]`, () => verifyConsistency(size1, size2, r1, r2, bad)]);
        });
        const accepted = probes.filter(([, probe]) => {
          try {
            probe();
            return true;
          } catch {
            return false;
          }
        });
        expect(accepted.map(([d]) => d)).toEqual([]);
      });
    }
  });

  it('handles the reference edge cases of consistency (with our size1 = 0 rule)', () => {
    const a = SOME_HASH;
    const b = flipBit(SOME_HASH);
    const e = hex(EMPTY_TREE);
    expect(codeOf(() => verifyConsistency(0, 0, a, b, []))).toBe('TLOG_ROOT_MISMATCH');
    expect(codeOf(() => verifyConsistency(1, 1, a, b, []))).toBe('TLOG_ROOT_MISMATCH');
    expect(() => verifyConsistency(0, 0, a, a, [])).not.toThrow();
    expect(() => verifyConsistency(1, 1, b, b, [])).not.toThrow();
    // transparency-dev accepts (0 -> 1) with any root1; we require root1 = SHA-256("").
    expect(() => verifyConsistency(0, 1, e, b, [])).not.toThrow();
    expect(codeOf(() => verifyConsistency(0, 1, a, b, []))).toBe('TLOG_ROOT_MISMATCH');
    expect(codeOf(() => verifyConsistency(1, 0, a, b, []))).toBe('TLOG_SIZE_ORDER');
    expect(codeOf(() => verifyConsistency(2, 1, a, b, []))).toBe('TLOG_SIZE_ORDER');
    expect(codeOf(() => verifyConsistency(1, 2, a, b, []))).toBe('TLOG_PROOF_LENGTH');
    expect(codeOf(() => verifyConsistency(0, 0, e, e, [e]))).toBe('TLOG_PROOF_LENGTH');
    expect(codeOf(() => verifyConsistency(0, 1, e, e, [e]))).toBe('TLOG_PROOF_LENGTH');
    expect(codeOf(() => verifyConsistency(1, 1, e, e, [e]))).toBe('TLOG_PROOF_LENGTH');
  });

  it('handles the reference edge cases of inclusion', () => {
    const h = leafHash(new TextEncoder().encode('data'));
    expect(() => verifyInclusion(h, 0, 1, [], h)).not.toThrow();
    expect(codeOf(() => verifyInclusion(new Uint8Array(), 0, 1, [], h))).toBe('TLOG_BAD_HASH_SIZE');
    expect(codeOf(() => verifyInclusion(h, 0, 1, [], new Uint8Array()))).toBe('TLOG_BAD_HASH_SIZE');
    for (const [index, size] of [
      [0, 0],
      [1, 0],
      [2, 1],
    ] as const) {
      expect(() => verifyInclusion(SOME_HASH, index, size, [], hex(EMPTY_TREE))).toThrow();
    }
    expect(codeOf(() => verifyInclusion(SOME_HASH, 0, 0, [], hex(EMPTY_TREE)))).toBe(
      'TLOG_EMPTY_TREE',
    );
    expect(codeOf(() => verifyInclusion(SOME_HASH, 2, 1, [], SOME_HASH))).toBe(
      'TLOG_INDEX_OUT_OF_RANGE',
    );
    expect(codeOf(() => verifyInclusion(SOME_HASH, 0, 1, [], hex(EMPTY_TREE)))).toBe(
      'TLOG_ROOT_MISMATCH',
    );
  });
});
