// Each way a map proof can be malformed is refused for its own stated reason, before any root
// comparison: a verifier that only noticed the wrong root would still be safe, but could not say
// what is wrong, and a later change could turn a malformed proof into an accepted one unnoticed.
// (Stryker survivors of verify.ts: every refusal below was reachable only as MAP_ROOT_MISMATCH.)
import { sha256 } from '@noble/hashes/sha2.js';
import { MapError } from '../errors.ts';
import { innerNodeHash, leafNodeHash } from '../hash.ts';
import { TAG_EMPTY, TAG_HASH, TAG_INNER, TAG_LEAF } from '../proof-format.ts';
import { SparseMerkleMap } from '../tree.ts';
import { verifyMapProof } from '../verify.ts';

const key = (seed: string): Uint8Array => sha256(new TextEncoder().encode(seed));
const bytes = (...parts: (number | Uint8Array)[]): Uint8Array => {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else out.push(...p);
  }
  return new Uint8Array(out);
};

/** A key with the given first byte (bit 0 = its top bit). */
const keyStarting = (first: number, seed: string): Uint8Array => {
  const k = key(seed);
  k[0] = first;
  return k;
};

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MapError);
    return { code: (error as MapError).code, message: (error as Error).message };
  }
  throw new Error('expected a refusal');
}

const A = keyStarting(0x00, 'a');
const B = keyStarting(0x80, 'b');
const VA = key('value a');
const VB = key('value b');
const map = SparseMerkleMap.fromLeaves([
  [A, VA],
  [B, VB],
]);
const root = map.root();

describe('verifyMapProof refuses each malformed proof for its reason', () => {
  it('accepts the honest proof (control), and its bytes are the walk the format describes', () => {
    const proof = map.prove([A]);
    expect(proof).toEqual(bytes(TAG_INNER, TAG_LEAF, A, VA, TAG_HASH, leafNodeHash(B, VB)));
    expect(verifyMapProof(root, [A], proof)).toEqual([{ key: A, valueHash: VA }]);
    expect(root).toEqual(innerNodeHash(leafNodeHash(A, VA), leafNodeHash(B, VB)));
  });

  it('a proof cut anywhere is truncated, naming what was being read', () => {
    const proof = map.prove([A]);
    const cases: [number, RegExp][] = [
      [0, /truncated in a tag/],
      [1, /truncated in a tag/],
      [2, /truncated in a leaf key/],
      [2 + 32, /truncated in a leaf value hash/],
      [2 + 64, /truncated in a tag/],
      [2 + 64 + 1, /truncated in a sibling hash/],
      [proof.length - 1, /truncated in a sibling hash/],
    ];
    for (const [length, message] of cases) {
      expect(refusal(() => verifyMapProof(root, [A], proof.subarray(0, length)))).toEqual({
        code: 'MAP_PROOF_MALFORMED',
        message: expect.stringMatching(message),
      });
    }
  });

  it('bytes after the walk are trailing bytes, counted', () => {
    const proof = bytes(map.prove([A]), 7, 7, 7);
    expect(refusal(() => verifyMapProof(root, [A], proof))).toEqual({
      code: 'MAP_PROOF_MALFORMED',
      message: 'map proof: 3 trailing bytes',
    });
  });

  it('a leaf whose key does not share the position prefix does not belong there', () => {
    // At depth 1 on A's side (bit 0 = 0), a leaf whose key starts with bit 1.
    const proof = bytes(TAG_INNER, TAG_LEAF, B, VB, TAG_HASH, leafNodeHash(B, VB));
    expect(refusal(() => verifyMapProof(root, [A], proof))).toEqual({
      code: 'MAP_PROOF_MALFORMED',
      message: 'map proof: leaf key does not belong at depth 1 of the requested keys',
    });
    // The prefix is checked bit by bit inside a byte too: depth 9, keys differing in bit 8.
    const k1 = keyStarting(0x00, 'k1');
    const k2 = keyStarting(0x00, 'k2');
    k1[1] = 0x00;
    k2[1] = 0x80;
    const nine = bytes(...Array<number>(9).fill(TAG_INNER));
    let siblings: Uint8Array = new Uint8Array(0);
    for (let d = 0; d < 9; d++) siblings = bytes(siblings, TAG_EMPTY);
    const deep = bytes(nine, TAG_LEAF, k2, VA, siblings);
    expect(refusal(() => verifyMapProof(root, [k1], deep)).message).toBe(
      'map proof: leaf key does not belong at depth 9 of the requested keys',
    );
    // Whole bytes first: a leaf differing in byte 0 at depth 16.
    const k3 = keyStarting(0x01, 'k3');
    k3[1] = 0x00;
    const sixteen = bytes(...Array<number>(16).fill(TAG_INNER));
    let empties: Uint8Array = new Uint8Array(0);
    for (let d = 0; d < 16; d++) empties = bytes(empties, TAG_EMPTY);
    const k4 = keyStarting(0x00, 'k4');
    k4[1] = 0x00;
    expect(
      refusal(() => verifyMapProof(root, [k4], bytes(sixteen, TAG_LEAF, k3, VA, empties))).message,
    ).toBe('map proof: leaf key does not belong at depth 16 of the requested keys');
  });

  it('an inner node at depth 256 is refused before reading its children', () => {
    // The all-zero key goes left at every depth: 257 inner tags reach depth 256.
    const proof = bytes(...Array<number>(257).fill(TAG_INNER));
    expect(refusal(() => verifyMapProof(root, [new Uint8Array(32)], proof))).toEqual({
      code: 'MAP_PROOF_MALFORMED',
      message: 'map proof: inner node below depth 255',
    });
  });

  it('a hash tag where keys are requested, and unknown tags, are named with their byte', () => {
    expect(refusal(() => verifyMapProof(root, [A], bytes(TAG_HASH, leafNodeHash(A, VA))))).toEqual({
      code: 'MAP_PROOF_MALFORMED',
      message: 'map proof: tag 0x03 where requested keys are',
    });
    expect(refusal(() => verifyMapProof(root, [A], bytes(TAG_INNER, TAG_EMPTY, 0x7f)))).toEqual({
      code: 'MAP_PROOF_MALFORMED',
      message: 'map proof: tag 0x7f for an unrequested subtree',
    });
    expect(refusal(() => verifyMapProof(root, [A], bytes(0x0a))).message).toBe(
      'map proof: tag 0x0a where requested keys are',
    );
  });

  it('a well-formed proof for another root is a root mismatch', () => {
    const other = SparseMerkleMap.fromLeaves([[A, VB]]);
    expect(refusal(() => verifyMapProof(root, [A], other.prove([A])))).toEqual({
      code: 'MAP_ROOT_MISMATCH',
      message: 'map proof: does not lead to the expected map root',
    });
  });

  it('bad arguments are input errors', () => {
    expect(refusal(() => verifyMapProof(root, [], map.prove([A])))).toEqual({
      code: 'MAP_INPUT_INVALID',
      message: 'verifyMapProof: no keys',
    });
    expect(
      refusal(() => verifyMapProof(root, [A], [...map.prove([A])] as unknown as Uint8Array)),
    ).toEqual({ code: 'MAP_INPUT_INVALID', message: 'proof: bytes' });
    expect(refusal(() => verifyMapProof(new Uint8Array(31), [A], map.prove([A])))).toEqual({
      code: 'MAP_INPUT_INVALID',
      message: 'map root must be 32 bytes, got 31 bytes',
    });
  });

  it('results are in key order, one per distinct key, and are copies', () => {
    const proof = map.prove([B, A, B]);
    const results = verifyMapProof(root, [B, A, B], proof);
    expect(results).toEqual([
      { key: A, valueHash: VA },
      { key: B, valueHash: VB },
    ]);
    results[0]!.valueHash![0] = results[0]!.valueHash![0]! ^ 1;
    expect(verifyMapProof(root, [A, B], proof)[0]!.valueHash).toEqual(VA);
    // The proof buffer is not exposed through the results.
    const p2 = map.prove([A]);
    const again = verifyMapProof(root, [A], p2);
    again[0]!.valueHash![0] = 0;
    expect(verifyMapProof(root, [A], p2)[0]!.valueHash).toEqual(VA);
  });
});
