/**
 * LedgerVerifier.tree/entry/entries and the wire hash decoding on their own: a read is believed
 * only if its tree is the checkpoint's (or a proven prefix of it) and every entry's inclusion
 * proof, with the leaf hash computed here, leads to that tree's root.
 */
import type { LedgerEntry } from '@notarize/trust';
import { LedgerClientError } from '../errors.ts';
import { MemoryStateStore } from '../state.ts';
import {
  hashFromBase64,
  hashToBase64,
  LedgerVerifier,
  proofFromBase64,
  type ConsistencySource,
} from '../verifier.ts';
import type { VerifiedCheckpoint } from '../ledger-client.ts';
import type { WireEntry } from '../wire.ts';
import { b64, testKey, TestTree } from './test-tree.ts';

const key = testKey('log.example/reads', new Uint8Array(32).fill(3));
const tree = new TestTree(13);
const other = new TestTree(13, 'other');
const noProofs: ConsistencySource = async () => {
  throw new Error('no proof expected');
};

function caught(fn: () => unknown): { code: string; category: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof LedgerClientError) return { code: e.code, category: e.category };
    throw e;
  }
  throw new Error('expected a LedgerClientError, nothing was thrown');
}
const verification = (code: string) => ({ code, category: 'verification' });

let v: LedgerVerifier;
let cp: VerifiedCheckpoint;
beforeEach(async () => {
  v = new LedgerVerifier(key.vkey, new MemoryStateStore());
  cp = await v.checkpoint(key.sign(13, tree.root(13)), noProofs);
});

const wireTree = (size: number, from = tree) => ({ size, root: b64(from.root(size)) });
const proofB64 = (hashes: Uint8Array[]) => hashes.map(b64);

describe('hash decoding', () => {
  it('takes exactly canonical base64 of 32 bytes', () => {
    const h = tree.root(5);
    expect(hashFromBase64(b64(h), 'x')).toEqual(h);
    expect(hashToBase64(h)).toBe(b64(h));
    expect(hashToBase64(new Uint8Array(h.buffer, 0, 32))).toBe(b64(h));
    const unpadded = b64(h).replace(/=+$/, '');
    for (const bad of [unpadded, b64(h.slice(0, 31)), b64(new Uint8Array(33)), '']) {
      expect(caught(() => hashFromBase64(bad, 'x'))).toEqual(verification('BAD_RESPONSE'));
    }
    expect(() => hashFromBase64('!', 'tree.root')).toThrow(/tree\.root is not the base64/);
  });

  it('names the element of a proof that is not a hash', () => {
    expect(proofFromBase64([b64(tree.root(1))], 'p')).toEqual([tree.root(1)]);
    expect(() => proofFromBase64([b64(tree.root(1)), 'nope'], 'p')).toThrow(/p\[1\]/);
  });
});

describe('the tree a read was proved in', () => {
  it("accepts the checkpoint's own tree", () => {
    expect(v.tree(cp, wireTree(13), undefined, undefined)).toEqual({
      size: 13,
      root: tree.root(13),
      rootBase64: b64(tree.root(13)),
    });
    expect(v.tree(cp, wireTree(13), undefined, 13).size).toBe(13);
  });

  it('refuses another root for the checkpoint size', () => {
    expect(caught(() => v.tree(cp, wireTree(13, other), undefined, undefined))).toEqual(
      verification('CONSISTENCY_FAILED'),
    );
  });

  it('refuses a tree of another size than asked for', () => {
    expect(caught(() => v.tree(cp, wireTree(12), undefined, undefined))).toEqual(
      verification('CONSISTENCY_FAILED'),
    );
    expect(caught(() => v.tree(cp, wireTree(13), [], 7))).toEqual(
      verification('CONSISTENCY_FAILED'),
    );
  });

  it('refuses a tree larger than the checkpoint, even when asked for', () => {
    const bigger = new TestTree(20);
    expect(
      caught(() =>
        v.tree(
          cp,
          { size: 20, root: b64(bigger.root(20)) },
          proofB64(bigger.consistency(13, 20)),
          20,
        ),
      ),
    ).toEqual(verification('CONSISTENCY_FAILED'));
  });

  it('accepts an older tree with a valid consistency proof to the checkpoint', () => {
    const proved = v.tree(cp, wireTree(6), proofB64(tree.consistency(6, 13)), 6);
    expect(proved).toEqual({ size: 6, root: tree.root(6), rootBase64: b64(tree.root(6)) });
  });

  it('refuses an older tree without a proof, with a wrong proof, or of another history', () => {
    expect(caught(() => v.tree(cp, wireTree(6), undefined, 6))).toEqual(
      verification('CONSISTENCY_FAILED'),
    );
    expect(caught(() => v.tree(cp, wireTree(6), proofB64(tree.consistency(5, 13)), 6))).toEqual(
      verification('CONSISTENCY_FAILED'),
    );
    expect(
      caught(() => v.tree(cp, wireTree(6, other), proofB64(other.consistency(6, 13)), 6)),
    ).toEqual(verification('CONSISTENCY_FAILED'));
  });
});

describe('the entries of a read', () => {
  const wire = (index: number, size = 13, from = tree): WireEntry => ({
    index,
    entry: from.entries[index] as unknown as LedgerEntry,
    proof: proofB64(from.inclusion(index, size)),
  });
  const full = () => v.tree(cp, wireTree(13), undefined, undefined);

  it('verifies an entry and computes its leaf hash itself', () => {
    const got = v.entry(full(), wire(4));
    expect(got).toEqual({
      index: 4,
      entry: tree.entries[4],
      leafHash: tree.leaves[4],
      proof: tree.inclusion(4, 13),
      treeSize: 13,
    });
  });

  it('verifies entries in an older tree', () => {
    const older = v.tree(cp, wireTree(6), proofB64(tree.consistency(6, 13)), 6);
    expect(v.entry(older, wire(5, 6)).treeSize).toBe(6);
    expect(caught(() => v.entry(older, wire(6, 13)))).toEqual(verification('INCLUSION_FAILED'));
  });

  it('refuses an altered entry, a wrong proof, and an index beyond the tree', () => {
    const altered = { ...wire(4), entry: { ...tree.entries[4], n: 99 } as unknown as LedgerEntry };
    expect(caught(() => v.entry(full(), altered))).toEqual(verification('INCLUSION_FAILED'));
    expect(caught(() => v.entry(full(), { ...wire(4), proof: wire(5).proof }))).toEqual(
      verification('INCLUSION_FAILED'),
    );
    expect(caught(() => v.entry(full(), { ...wire(4), index: 5 }))).toEqual(
      verification('INCLUSION_FAILED'),
    );
    const beyond = { ...wire(12), index: 13 };
    expect(caught(() => v.entry(full(), beyond))).toEqual(verification('INCLUSION_FAILED'));
    expect(() => v.entry(full(), beyond)).toThrow(/beyond its tree of size 13/);
  });

  it('refuses an entry that cannot be canonicalized', () => {
    const bad = { ...wire(1), entry: { n: Number.POSITIVE_INFINITY } as unknown as LedgerEntry };
    expect(caught(() => v.entry(full(), bad))).toEqual(verification('BAD_RESPONSE'));
  });

  it('takes a list in strictly ascending order whose entries all match', () => {
    const list = [wire(1), wire(3), wire(12)];
    const got = v.entries(full(), list, () => true, 'x');
    expect(got.map((e) => e.index)).toEqual([1, 3, 12]);
    expect(v.entries(full(), [], () => false, 'x')).toEqual([]);
    expect(v.entries(full(), [wire(0)], () => true, 'x')).toHaveLength(1);
  });

  it('refuses a list out of order or with a repeated entry', () => {
    expect(caught(() => v.entries(full(), [wire(3), wire(1)], () => true, 'x'))).toEqual(
      verification('BAD_RESPONSE'),
    );
    expect(caught(() => v.entries(full(), [wire(3), wire(3)], () => true, 'x'))).toEqual(
      verification('BAD_RESPONSE'),
    );
  });

  it('refuses an entry that is not about what was asked', () => {
    const about = (e: LedgerEntry) => (e as unknown as { n: number }).n !== 3;
    expect(caught(() => v.entries(full(), [wire(1), wire(3)], about, 'thing'))).toEqual(
      verification('ENTRY_MISMATCH'),
    );
    expect(() => v.entries(full(), [wire(3)], about, 'thing')).toThrow(/entry 3 for thing/);
  });
});

describe('what a refused read says', () => {
  const message = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('not refused');
  };
  const wire = (index: number): WireEntry => ({
    index,
    entry: tree.entries[index] as unknown as LedgerEntry,
    proof: proofB64(tree.inclusion(index, 13)),
  });
  const full = () => v.tree(cp, wireTree(13), undefined, undefined);

  it('names the tree that does not check out', () => {
    expect(message(() => v.tree(cp, { size: 13, root: 'x' }, undefined, undefined))).toBe(
      "the ledger's answer is malformed: tree.root is not the base64 of a 32-byte hash",
    );
    expect(message(() => v.tree(cp, wireTree(12), undefined, undefined))).toBe(
      'asked for the tree of size 13, the ledger proved against size 12',
    );
    const bigger = new TestTree(20);
    expect(message(() => v.tree(cp, { size: 20, root: b64(bigger.root(20)) }, [], 20))).toBe(
      'the ledger proved against a tree of size 20, larger than its checkpoint (13)',
    );
    expect(message(() => v.tree(cp, wireTree(13, other), undefined, undefined))).toBe(
      "the ledger proved against a root that is not its checkpoint's root (size 13)",
    );
    expect(message(() => v.tree(cp, wireTree(6), undefined, 6))).toMatch(
      /^the tree of size 6 the ledger answered from is not a prefix of its checkpoint \(size 13\): proof for sizes 6 -> 13 must have exactly \d+ hashes, got 0$/,
    );
    expect(message(() => v.tree(cp, wireTree(6), ['x'], 6))).toBe(
      "the tree of size 6 the ledger answered from is not a prefix of its checkpoint (size 13): the ledger's answer is malformed: consistency[0] is not the base64 of a 32-byte hash",
    );
  });

  it('names the entry that does not check out', () => {
    expect(
      message(() =>
        v.entry(full(), { ...wire(2), entry: { n: Infinity } as unknown as LedgerEntry }),
      ),
    ).toBe("the ledger's answer is malformed: entry 2 is not canonicalizable JSON");
    expect(message(() => v.entry(full(), { ...wire(2), proof: ['x'] }))).toBe(
      "the ledger's answer is malformed: entry 2 proof[0] is not the base64 of a 32-byte hash",
    );
    expect(message(() => v.entry(full(), { ...wire(2), proof: wire(3).proof }))).toMatch(
      /^entry 2 is not in the ledger's tree of size 13 as served \(altered entry or wrong proof\): \S/,
    );
    expect(message(() => v.entries(full(), [wire(3), wire(1)], () => true, 'x'))).toBe(
      "the ledger's answer is malformed: entries are not in strictly ascending log order (1 after 3)",
    );
  });

  it('keeps the cause of a failed proof', () => {
    const cause = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (e) {
        return (e as Error).cause;
      }
      return 'not refused';
    };
    expect(cause(() => v.tree(cp, wireTree(6), undefined, 6))).toBeInstanceOf(Error);
    expect(cause(() => v.entry(full(), { ...wire(2), proof: wire(3).proof }))).toBeInstanceOf(
      Error,
    );
  });
});

describe('roots that differ in a single bit', () => {
  const flip = (h: Uint8Array): Uint8Array => {
    const out = h.slice();
    out[31]! ^= 1;
    return out;
  };

  it('are another root for tree() and for the trusted checkpoint', async () => {
    const near = { size: 13, root: b64(flip(tree.root(13))) };
    expect(caught(() => v.tree(cp, near, undefined, undefined))).toEqual(
      verification('CONSISTENCY_FAILED'),
    );
    const nearFork = key.sign(13, flip(tree.root(13)));
    await expect(v.checkpoint(nearFork, noProofs)).rejects.toThrow(
      /served a tree of size 13 whose root differs from the one this client verified before/,
    );
  });
});
