// Small maps whose roots and proofs are written out by hand from the definitions in
// docs/formats.md, with hashing done independently (node:crypto in helpers.ts).
import { EMPTY_NODE, innerNodeHash, leafNodeHash } from '../hash.ts';
import { SparseMerkleMap } from '../tree.ts';
import { verifyMapProof } from '../verify.ts';
import { hex, refInner, refLeaf, sha, unhex, ZERO } from './helpers.ts';

const V1 = sha([1]);
const V2 = sha([2]);
const bytes = (...parts: (number | Uint8Array)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'number' ? [p] : [...p])));

describe('hand-computed vectors', () => {
  it('node hashes are SHA-256 with prefixes 0x02 / 0x03', () => {
    const k = unhex('11'.repeat(32));
    expect(hex(leafNodeHash(k, V1))).toBe(hex(sha([0x02], k, V1)));
    expect(hex(innerNodeHash(k, V1))).toBe(hex(sha([0x03], k, V1)));
    expect(hex(EMPTY_NODE)).toBe('00'.repeat(32));
  });

  it('empty map: root EMPTY, every key absent with proof 0x02', () => {
    const m = new SparseMerkleMap();
    expect(hex(m.root())).toBe('00'.repeat(32));
    const k = unhex('ab'.repeat(32));
    expect(hex(m.prove([k]))).toBe('02');
    expect(verifyMapProof(ZERO, [k], Uint8Array.of(2))).toEqual([{ key: k, valueHash: undefined }]);
  });

  it('one leaf: root = leaf node hash; proofs are the leaf itself', () => {
    const k = unhex('80' + '00'.repeat(31));
    const m = new SparseMerkleMap();
    m.set(k, V1);
    const root = sha([0x02], k, V1);
    expect(hex(m.root())).toBe(hex(root));
    expect(hex(m.prove([k]))).toBe(hex(bytes(0x01, k, V1)));
    const other = unhex('00'.repeat(32));
    // Absent: the only leaf is another key.
    expect(hex(m.prove([other]))).toBe(hex(bytes(0x01, k, V1)));
    expect(verifyMapProof(root, [other], bytes(0x01, k, V1))[0]!.valueHash).toBeUndefined();
  });

  it('two leaves differing in bit 0: root = inner(leaf0, leaf1)', () => {
    const k0 = unhex('7f' + 'ff'.repeat(31));
    const k1 = unhex('80' + '00'.repeat(31));
    const m = new SparseMerkleMap();
    m.set(k1, V2);
    m.set(k0, V1);
    const l0 = sha([0x02], k0, V1);
    const l1 = sha([0x02], k1, V2);
    const root = sha([0x03], l0, l1);
    expect(hex(m.root())).toBe(hex(root));
    expect(hex(m.prove([k0]))).toBe(hex(bytes(0x00, 0x01, k0, V1, 0x03, l1)));
    expect(hex(m.prove([k1]))).toBe(hex(bytes(0x00, 0x03, l0, 0x01, k1, V2)));
    expect(hex(m.prove([k1, k0]))).toBe(hex(bytes(0x00, 0x01, k0, V1, 0x01, k1, V2)));
    const res = verifyMapProof(root, [k1, k0], bytes(0x00, 0x01, k0, V1, 0x01, k1, V2));
    expect(res.map((r) => [hex(r.key), hex(r.valueHash!)])).toEqual([
      [hex(k0), hex(V1)],
      [hex(k1), hex(V2)],
    ]);
  });

  it('two leaves sharing a 9-bit prefix: a chain of 9 inner nodes with EMPTY siblings', () => {
    // Prefix 1010 1010 1 (9 bits), then bit 9 = 0 / 1.
    const a = unhex('aa' + '80' + '00'.repeat(30)); // bits 8,9 = 1,0
    const b = unhex('aa' + 'c0' + '00'.repeat(30)); // bits 8,9 = 1,1
    const m = new SparseMerkleMap();
    m.set(a, V1);
    m.set(b, V2);
    let h = sha([0x03], sha([0x02], a, V1), sha([0x02], b, V2)); // the split node at depth 9
    const prefix = [1, 0, 1, 0, 1, 0, 1, 0, 1];
    for (let d = 8; d >= 0; d--) h = prefix[d] === 1 ? refInner(ZERO, h) : refInner(h, ZERO);
    expect(hex(m.root())).toBe(hex(h));
    // Written out from the bottom: the expected root, with no loop.
    const s9 = refInner(refLeaf(a, V1), refLeaf(b, V2));
    const s8 = refInner(ZERO, s9);
    const s7 = refInner(s8, ZERO);
    const s6 = refInner(ZERO, s7);
    const s5 = refInner(s6, ZERO);
    const s4 = refInner(ZERO, s5);
    const s3 = refInner(s4, ZERO);
    const s2 = refInner(ZERO, s3);
    const s1 = refInner(s2, ZERO);
    const s0 = refInner(ZERO, s1);
    expect(hex(m.root())).toBe(hex(s0));
    // Proof of a: per level of the chain 0x00 and an EMPTY sibling on the side the prefix avoids.
    const chain: number[] = [];
    const tail: number[] = [];
    for (let d = 0; d < 9; d++) {
      chain.push(0x00);
      if (prefix[d] === 1) chain.push(0x02);
      else tail.unshift(0x02);
    }
    const proofA = bytes(...chain, 0x00, 0x01, a, V1, 0x03, refLeaf(b, V2), ...tail);
    expect(hex(m.prove([a]))).toBe(hex(proofA));
    expect(hex(verifyMapProof(s0, [a], proofA)[0]!.valueHash!)).toBe(hex(V1));
    // A key that leaves the chain at bit 3 (1011...) is absent: the EMPTY side at depth 4. Its
    // sibling is the chain's subtree at depth 4 (s4), a hash from inside the chain.
    const c = unhex('b0' + '00'.repeat(31));
    const proofC = m.prove([c]);
    // depth 0: right; 1: left (its EMPTY right sibling comes last); 2: right; 3: c goes right.
    expect(hex(proofC)).toBe(hex(bytes(0x00, 0x02, 0x00, 0x00, 0x02, 0x00, 0x03, s4, 0x02, 0x02)));
    expect(verifyMapProof(s0, [c], proofC)[0]!.valueHash).toBeUndefined();
    // A key with a's first 10 bits but another tail is absent, shown by leaf a at depth 10.
    const d = unhex('aa' + '80' + '00'.repeat(29) + '01');
    expect(verifyMapProof(s0, [d], m.prove([d]))[0]!.valueHash).toBeUndefined();
  });
});
