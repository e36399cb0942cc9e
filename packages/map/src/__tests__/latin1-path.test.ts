// The latin1 fast path (Sha256.latin1, setLatin1, valueHashLatin1) that the ledger uses on its
// append path must give exactly the roots and hashes of the byte path, which the property tests
// check against the recursive definition.
import { createHash } from 'node:crypto';
import type { Sha256 } from '../hash.ts';
import { SparseMerkleMap } from '../tree.ts';
import { encodeValue, valueHash, valueHashLatin1 } from '../value.ts';
import { codeOf, hex, nodeSha, prng, refRoot } from './helpers.ts';

const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const withLatin1: Sha256 = Object.assign((parts: readonly Uint8Array[]) => nodeSha(parts), {
  latin1: (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('binary'),
});

describe('the latin1 path', () => {
  const r = prng(77);
  const pairs = Array.from({ length: 300 }, () => [r.bytes(32), r.bytes(32)] as const);

  it('setLatin1 with a latin1 hasher gives the roots of set() and of the definition', () => {
    const bytes = new SparseMerkleMap(nodeSha);
    const fast = new SparseMerkleMap(withLatin1);
    pairs.forEach(([k, v], i) => {
      bytes.set(k, v);
      fast.setLatin1(latin1(k), latin1(v));
      if (i % 37 === 0) expect(hex(fast.root())).toBe(hex(bytes.root()));
    });
    // Replacing values: half the keys get new value hashes.
    for (const [k] of pairs.slice(0, 150)) {
      const v = r.bytes(32);
      bytes.set(k, v);
      fast.setLatin1(latin1(k), latin1(v));
    }
    expect(hex(fast.root())).toBe(hex(bytes.root()));
    const leaves = pairs.map(([k]) => [k, bytes.get(k)!] as const);
    expect(hex(fast.root())).toBe(hex(refRoot(leaves)));
    expect(fast.size).toBe(300);
  });

  it('setLatin1 refuses anything but two 32-char latin1 strings', () => {
    const map = new SparseMerkleMap(withLatin1);
    const ok = 'k'.repeat(32);
    expect(codeOf(() => map.setLatin1(ok.slice(1), ok))).toBe('MAP_INPUT_INVALID');
    expect(codeOf(() => map.setLatin1(ok, `${ok}x`))).toBe('MAP_INPUT_INVALID');
    expect(codeOf(() => map.setLatin1(`${ok.slice(1)}\u0100`, ok))).toBe('MAP_INPUT_INVALID');
    expect(codeOf(() => map.setLatin1(ok, `\u20ac${ok.slice(1)}`))).toBe('MAP_INPUT_INVALID');
    expect(map.size).toBe(0);
  });

  it('valueHashLatin1 is valueHash in latin1 form, with or without a latin1 hasher', () => {
    const bytes = encodeValue({ n: 2, chain: Buffer.alloc(32, 9).toString('base64') });
    const expected = latin1(valueHash(bytes));
    expect(valueHashLatin1(bytes)).toBe(expected);
    expect(valueHashLatin1(bytes, withLatin1)).toBe(expected);
    expect(valueHashLatin1(bytes, nodeSha)).toBe(expected);
    expect(codeOf(() => valueHashLatin1('x' as unknown as Uint8Array))).toBe('MAP_INPUT_INVALID');
  });
});
