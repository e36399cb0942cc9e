// Seeded property tests over random maps of several sizes, and over maps built to have long
// shared prefixes (deep chains, keys differing only in bit 255). The reference is a plain model
// (key -> value hash) and the recursive root definition (helpers.refRoot), not the package.
import { MapError } from '../errors.ts';
import { sortKeys } from '../sort-keys.ts';
import { SparseMerkleMap } from '../tree.ts';
import { verifyMapProof, type MapProofResult } from '../verify.ts';
import { codeOf, flipBit, hex, nodeSha, prng, refRoot, type Prng } from './helpers.ts';

type Model = Map<string, Uint8Array>; // hex key -> value hash

function buildModel(keys: Uint8Array[], r: Prng): Model {
  return new Map(keys.map((k) => [hex(k), r.bytes(32)]));
}
const leavesOf = (m: Model) =>
  [...m].map(([k, v]) => [Uint8Array.from(Buffer.from(k, 'hex')), v] as const);
const truth = (m: Model, keys: readonly Uint8Array[]) =>
  sortKeys(keys).map((k) => ({ key: hex(k), vh: m.has(hex(k)) ? hex(m.get(hex(k))!) : 'absent' }));
const show = (res: MapProofResult[]) =>
  res.map((x) => ({ key: hex(x.key), vh: x.valueHash ? hex(x.valueHash) : 'absent' }));

/** True if verifying `proof` gives exactly the true answer for `keys`. */
function acceptsTruth(root: Uint8Array, keys: Uint8Array[], proof: Uint8Array, m: Model): boolean {
  try {
    return (
      JSON.stringify(show(verifyMapProof(root, keys, proof))) === JSON.stringify(truth(m, keys))
    );
  } catch (e) {
    if (e instanceof MapError) return false;
    throw e;
  }
}

/**
 * Every single-bit change of the proof must be rejected (MapError), and in any case must never
 * verify to the true answer. Returns descriptions of the failures.
 */
function mutationFailures(root: Uint8Array, keys: Uint8Array[], proof: Uint8Array, m: Model) {
  const failures: string[] = [];
  for (let bit = 0; bit < proof.length * 8; bit++) {
    const bad = flipBit(proof, bit);
    let threw = false;
    try {
      const res = verifyMapProof(root, keys, bad, nodeSha);
      if (JSON.stringify(show(res)) === JSON.stringify(truth(m, keys))) {
        failures.push(`bit ${bit}: verified to the true answer`);
      } else {
        failures.push(`bit ${bit}: verified to another answer`);
      }
    } catch (e) {
      if (!(e instanceof MapError)) throw e;
      threw = true;
    }
    if (!threw && failures.length > 20) break;
  }
  if (!acceptsTruth(root, keys, proof, m)) failures.push('the unchanged proof does not verify');
  return failures;
}

const lcp = (a: Uint8Array, b: Uint8Array) => {
  let d = 0;
  while (d < 256 && ((a[d >> 3]! ^ b[d >> 3]!) & (0x80 >> (d & 7))) === 0) d++;
  return d;
};

/**
 * Depth of each key's leaf (hex key -> depth): 1 + its longest shared prefix with another key,
 * which in byte order is with its predecessor or successor; 0 in a one-key map.
 */
function leafDepths(keys: Uint8Array[]): Map<string, number> {
  const sorted = sortKeys(keys);
  return new Map(
    sorted.map((k, i) => {
      const before = i > 0 ? lcp(sorted[i - 1]!, k) : -1;
      const after = i + 1 < sorted.length ? lcp(k, sorted[i + 1]!) : -1;
      return [hex(k), Math.max(before, after) + 1];
    }),
  );
}

/** Keys next to `key`: last bit flipped, and bits around its leaf's depth flipped. */
function neighbours(key: Uint8Array, depth: number): Uint8Array[] {
  const bits = new Set(
    [255, 0, depth - 1, depth, depth + 1, depth + 7].filter((b) => b >= 0 && b < 256),
  );
  return [...bits].map((b) => flipBit(key, b));
}

const SIZES = [0, 1, 2, 3, 5, 8, 17, 64, 300, 1000, 3000];

describe.each(SIZES)('random map of %i keys', (n) => {
  const r = prng(1000 + n);
  const keys = Array.from({ length: n }, () => r.bytes(32));
  const model = buildModel(keys, r);
  const map = SparseMerkleMap.fromLeaves(leavesOf(model));
  const root = map.root();

  it('root equals the recursive definition; incremental set in any order agrees', () => {
    expect(hex(root)).toBe(hex(refRoot(leavesOf(model))));
    const inc = new SparseMerkleMap();
    const order = [...keys].sort(() => r.next() - 0.5);
    order.forEach((k, i) => {
      inc.set(k, r.bytes(32)); // a wrong value first, replaced below: replacement is exercised
      if (i % 7 === 0) inc.root(); // interleave root() so dirty paths are partly clean
    });
    for (const k of order) inc.set(k, model.get(hex(k))!);
    expect(inc.size).toBe(n);
    expect(hex(inc.root())).toBe(hex(root));
  });

  it('get, single proofs for every key and its neighbours, and one proof mutated bitwise', () => {
    const failures: string[] = [];
    // Exhaustive bit mutation costs 8 x proof bytes verifications: every key for small maps.
    // (the machine is shared; bigger maps mutate the proofs of 3 keys and one absent neighbour).
    const mutateEvery = n <= 17 ? 1 : Math.ceil(n / 3);
    const depths = leafDepths(keys);
    keys.forEach((k, i) => {
      expect(hex(map.get(k)!)).toBe(hex(model.get(hex(k))!));
      const depth = depths.get(hex(k))!;
      for (const q of [k, ...neighbours(k, depth)]) {
        const proof = map.prove([q]);
        if (!acceptsTruth(root, [q], proof, model)) failures.push(`key ${i} probe ${hex(q)}`);
        if (!model.has(hex(q))) expect(map.get(q)).toBeUndefined();
      }
      if (i % mutateEvery === 0) {
        const proof = map.prove([k]);
        failures.push(...mutationFailures(root, [k], proof, model).map((f) => `key ${i}: ${f}`));
        const absent = flipBit(k, 255);
        if ((n <= 17 || i === 0) && !model.has(hex(absent))) {
          const p2 = map.prove([absent]);
          failures.push(
            ...mutationFailures(root, [absent], p2, model).map((f) => `near ${i}: ${f}`),
          );
        }
      }
    });
    expect(failures).toEqual([]);
  }, 120_000);

  it('batch proofs: same answers as single proofs; batch of one = single proof bytes', () => {
    const probes = [...keys.slice(0, 40), ...keys.slice(0, 20).map((k) => flipBit(k, 255))];
    probes.push(r.bytes(32), r.bytes(32));
    for (const q of probes) expect(hex(map.prove([q, q]))).toBe(hex(map.prove([q])));
    const batch = map.prove([...probes].reverse()); // any order in; sorted inside
    const res = show(verifyMapProof(root, probes, batch));
    expect(res).toEqual(truth(model, probes));
    for (const q of probes) {
      const single = show(verifyMapProof(root, [q], map.prove([q])));
      expect(res.find((x) => x.key === hex(q))).toEqual(single[0]);
    }
    // Verified for other keys, a batch proof is rejected or still gives true answers (two keys
    // that end at the same leaf or EMPTY subtree share their walk, so dropping one may not change
    // the proof); it never gives a wrong answer.
    for (const others of [probes.slice(1), probes.slice(0, -1), [...probes, r.bytes(32)]]) {
      if (others.length === 0) continue;
      try {
        expect(show(verifyMapProof(root, others, batch))).toEqual(truth(model, others));
      } catch (e) {
        if (!(e instanceof MapError)) throw e;
      }
    }
    const few = [...probes.slice(0, 3), probes[probes.length - 1]!];
    const failures = mutationFailures(root, few, map.prove(few), model);
    expect(failures).toEqual([]);
  });

  it('truncation, trailing bytes, a wrong root and a wrong claimed value hash are rejected', () => {
    const q = keys[0] ?? r.bytes(32);
    const proof = map.prove([q]);
    for (let len = 0; len < proof.length; len++) {
      expect(codeOf(() => verifyMapProof(root, [q], proof.subarray(0, len)))).toBe(
        'MAP_PROOF_MALFORMED',
      );
    }
    for (const extra of [0x00, 0x01, 0x02, 0x03, 0xff]) {
      const longer = Uint8Array.from([...proof, extra]);
      expect(codeOf(() => verifyMapProof(root, [q], longer))).toBe('MAP_PROOF_MALFORMED');
    }
    for (let bit = 0; bit < 256; bit++) {
      expect(codeOf(() => verifyMapProof(flipBit(root, bit), [q], proof))).toBe(
        'MAP_ROOT_MISMATCH',
      );
    }
    // The caller compares the proved value hash with the hash of the value it was given: any
    // one-bit change of that claim differs from what the proof yields.
    const proved = verifyMapProof(root, [q], proof)[0]!.valueHash;
    if (proved) {
      for (let bit = 0; bit < 256; bit++) expect(hex(flipBit(proved, bit))).not.toBe(hex(proved));
    }
  });
});

describe('keys with long shared prefixes', () => {
  const r = prng(7);
  const base = r.bytes(32);
  const keys: Uint8Array[] = [base, flipBit(base, 255), flipBit(base, 254), flipBit(base, 0)];
  // Keys that copy `base` for p bits and then diverge: chains of every length.
  for (const p of [1, 8, 9, 31, 40, 100, 128, 200, 247, 250, 252]) {
    const k = r.bytes(32);
    for (let b = 0; b < p; b++) {
      const m = 0x80 >> (b & 7);
      k[b >> 3] = (k[b >> 3]! & ~m) | (base[b >> 3]! & m);
    }
    keys.push(flipBit(k, p)); // bit p differs from base, so the shared prefix is exactly p bits
  }
  const model = buildModel(keys, r);
  const map = SparseMerkleMap.fromLeaves(leavesOf(model));
  const root = map.root();

  it('roots agree with the definition, incrementally and in bulk', () => {
    expect(hex(root)).toBe(hex(refRoot(leavesOf(model))));
    const inc = new SparseMerkleMap();
    for (const k of [...keys].reverse()) {
      inc.set(k, model.get(hex(k))!);
      inc.root();
    }
    expect(hex(inc.root())).toBe(hex(root));
  });

  it('every key and neighbour proves correctly; mutations of deep proofs are rejected', () => {
    const failures: string[] = [];
    const depths = leafDepths(keys);
    for (const k of keys) {
      for (const q of [
        k,
        ...neighbours(k, depths.get(hex(k))!),
        ...[3, 50, 180, 251].map((b) => flipBit(k, b)),
      ]) {
        if (!acceptsTruth(root, [q], map.prove([q]), model)) failures.push(hex(q));
      }
    }
    expect(failures).toEqual([]);
    // base and its bit-255 twin hang below a chain of 255 inner nodes: the longest proofs.
    const deep = map.prove([base]);
    expect(deep.length).toBeGreaterThan(255);
    expect(mutationFailures(root, [base], deep, model)).toEqual([]);
    const batch = [keys[3]!, keys[10]!];
    expect(mutationFailures(root, batch, map.prove(batch), model)).toEqual([]);
  }, 120_000);

  it('an inner tag at depth 256 is malformed', () => {
    // The proof of base descends 255 inner nodes then a split at depth 255: replace the leaf
    // tag at depth 256 by an inner tag.
    const proof = map.prove([base]);
    const at = proof.findIndex(
      (b, i) => b === 0x01 && hex(proof.subarray(i + 1, i + 33)) === hex(base),
    );
    const bad = proof.slice();
    bad[at] = 0x00;
    expect(codeOf(() => verifyMapProof(root, [base], bad))).toBe('MAP_PROOF_MALFORMED');
  });
});

describe('clone', () => {
  const r = prng(99);
  const keys = Array.from({ length: 500 }, () => r.bytes(32));
  const model = buildModel(keys, r);

  it('isolates the copy from the original in both directions, including dirty state', () => {
    const a = SparseMerkleMap.fromLeaves(leavesOf(model));
    const rootA = hex(refRoot(leavesOf(model)));
    a.set(keys[0]!, model.get(hex(keys[0]!))!); // dirty but unchanged content
    const b = a.clone();
    const modelB = new Map(model);
    for (let i = 0; i < 100; i++) {
      const k = i % 2 === 0 ? keys[i]! : r.bytes(32);
      const v = r.bytes(32);
      b.set(k, v);
      modelB.set(hex(k), v);
      if (i % 10 === 0) b.root();
    }
    expect(hex(a.root())).toBe(rootA);
    expect(a.size).toBe(500);
    expect(hex(a.get(keys[0]!)!)).toBe(hex(model.get(hex(keys[0]!))!));
    expect(hex(b.root())).toBe(hex(refRoot(leavesOf(modelB))));
    expect(b.size).toBe(modelB.size);

    // Changing the original after the clone leaves the clone alone.
    const modelA = new Map(model);
    const c = b.clone();
    for (let i = 0; i < 50; i++) {
      const k = i % 2 === 0 ? keys[i + 1]! : r.bytes(32);
      const v = r.bytes(32);
      a.set(k, v);
      modelA.set(hex(k), v);
    }
    expect(hex(a.root())).toBe(hex(refRoot(leavesOf(modelA))));
    expect(hex(b.root())).toBe(hex(refRoot(leavesOf(modelB))));
    expect(hex(c.root())).toBe(hex(b.root()));
    // Proofs from each copy verify against its own root only.
    const q = keys[1]!;
    expect(acceptsTruth(a.root(), [q], a.prove([q]), modelA)).toBe(true);
    expect(acceptsTruth(b.root(), [q], b.prove([q]), modelB)).toBe(true);
    expect(() => verifyMapProof(b.root(), [q], a.prove([q]))).toThrow(MapError);
  });
});

describe('inputs', () => {
  it('rejects keys and hashes that are not 32 bytes, empty key lists and duplicates in bulk', () => {
    const m = new SparseMerkleMap();
    const k = new Uint8Array(32);
    expect(codeOf(() => m.set(new Uint8Array(31), k))).toBe('MAP_INPUT_INVALID');
    expect(codeOf(() => m.set(k, new Uint8Array(33)))).toBe('MAP_INPUT_INVALID');
    expect(codeOf(() => m.get(new Uint8Array(0)))).toBe('MAP_INPUT_INVALID');
    expect(codeOf(() => m.prove([]))).toBe('MAP_INPUT_INVALID');
    expect(codeOf(() => verifyMapProof(k, [], Uint8Array.of(2)))).toBe('MAP_INPUT_INVALID');
    expect(codeOf(() => verifyMapProof(new Uint8Array(31), [k], Uint8Array.of(2)))).toBe(
      'MAP_INPUT_INVALID',
    );
    expect(
      codeOf(() =>
        SparseMerkleMap.fromLeaves([
          [k, k],
          [k, k],
        ]),
      ),
    ).toBe('MAP_INPUT_INVALID');
  });

  it('sortKeys sorts by bytes and removes duplicates', () => {
    const a = Uint8Array.from({ length: 32 }, (_, i) => (i === 31 ? 2 : 1));
    const b = Uint8Array.from({ length: 32 }, () => 1);
    const c = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 0 : 9));
    expect(sortKeys([a, b, a, c]).map(hex)).toEqual([c, b, a].map(hex));
  });

  it('rejects unknown tags and hash tags where keys are requested', () => {
    const k = new Uint8Array(32);
    for (let tag = 0x03; tag < 0x100; tag++) {
      expect(codeOf(() => verifyMapProof(k, [k], Uint8Array.of(tag, ...k)))).toBe(
        'MAP_PROOF_MALFORMED',
      );
    }
    // Inner, then a left child that is not requested must be 0x02 or 0x03.
    const right = Uint8Array.from({ length: 32 }, () => 0xff);
    expect(codeOf(() => verifyMapProof(k, [right], Uint8Array.of(0, 0x01, 0x02)))).toBe(
      'MAP_PROOF_MALFORMED',
    );
  });
});
