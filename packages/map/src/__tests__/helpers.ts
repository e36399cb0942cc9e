// Test helpers. The reference hashing here uses node:crypto directly and follows the definitions in
// docs/formats.md, independently of the package's own hashing code.
import { createHash } from 'node:crypto';
import { MapError, type MapErrorCode } from '../errors.ts';

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

export function sha(...parts: (Uint8Array | number[])[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p instanceof Uint8Array ? p : Uint8Array.from(p));
  return new Uint8Array(h.digest());
}

/** node:crypto as an injected Sha256, for loops that verify thousands of mutated proofs. */
export const nodeSha = (parts: readonly Uint8Array[]): Uint8Array => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

export const ZERO = new Uint8Array(32);
export const refLeaf = (key: Uint8Array, vh: Uint8Array) => sha([0x02], key, vh);
export const refInner = (l: Uint8Array, r: Uint8Array) => sha([0x03], l, r);
const refBit = (k: Uint8Array, d: number) => (k[d >> 3]! >> (7 - (d & 7))) & 1;

/** The map root by the recursive definition H(d, S), over (key, value hash) pairs. */
export function refRoot(leaves: readonly (readonly [Uint8Array, Uint8Array])[], d = 0): Uint8Array {
  if (leaves.length === 0) return ZERO;
  if (leaves.length === 1) return refLeaf(leaves[0]![0], leaves[0]![1]);
  const left = leaves.filter(([k]) => refBit(k, d) === 0);
  const right = leaves.filter(([k]) => refBit(k, d) === 1);
  return refInner(refRoot(left, d + 1), refRoot(right, d + 1));
}

/** A seeded PRNG (mulberry32): property tests are reproducible from their seed. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  return { next, int, bytes };
}
export type Prng = ReturnType<typeof prng>;

export function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const out = b.slice();
  out[bit >> 3]! ^= 0x80 >> (bit & 7);
  return out;
}

/** Runs `fn` and returns the MapError code it threw; fails if it threw nothing or something else. */
export function codeOf(fn: () => unknown): MapErrorCode {
  try {
    fn();
  } catch (e) {
    if (e instanceof MapError) return e.code;
    throw e;
  }
  throw new Error('expected a MapError, nothing was thrown');
}
