import { sha256 } from '@noble/hashes/sha2.js';
import { MapError } from './errors.ts';

/** A SHA-256 hash or a 256-bit map key: always 32 bytes. */
export type Hash = Uint8Array;

/**
 * SHA-256 over the concatenation of `parts`. The default is @noble/hashes (browser-safe); the
 * ledger injects node:crypto, which is several times faster for the short messages of a tree.
 */
export interface Sha256 {
  (parts: readonly Uint8Array[]): Hash;
  /**
   * Optional fast path for the in-memory tree: SHA-256 of one buffer as a 32-char latin1 string
   * (see latin1.ts). node:crypto returns that form directly, with no byte array per hash.
   */
  latin1?: (bytes: Uint8Array) => string;
}

export const HASH_SIZE = 32;

export const defaultSha256: Sha256 = (parts) => {
  if (parts.length === 1) return sha256(parts[0]!);
  const h = sha256.create();
  for (const p of parts) h.update(p);
  return h.digest();
};

/** Domain-separation prefixes: one byte per kind of hashed thing, so no two kinds collide. */
export const LEAF_PREFIX = 0x02;
export const INNER_PREFIX = 0x03;
export const CHAIN_PREFIX = 0x04;
export const VALUE_PREFIX = 0x05;

/** The hash of an empty subtree: 32 zero bytes (not a SHA-256 output, so it cannot be forged). */
export const EMPTY_NODE: Hash = new Uint8Array(HASH_SIZE);

/** Leaf node: SHA-256(0x02 || key || valueHash). */
export function leafNodeHash(key: Hash, valueHash: Hash, sha: Sha256 = defaultSha256): Hash {
  checkHash(key, 'map key');
  checkHash(valueHash, 'value hash');
  const buf = new Uint8Array(1 + 2 * HASH_SIZE);
  buf[0] = LEAF_PREFIX;
  buf.set(key, 1);
  buf.set(valueHash, 1 + HASH_SIZE);
  return sha([buf]);
}

/** Inner node: SHA-256(0x03 || left || right). */
export function innerNodeHash(left: Hash, right: Hash, sha: Sha256 = defaultSha256): Hash {
  checkHash(left, 'left child hash');
  checkHash(right, 'right child hash');
  const buf = new Uint8Array(1 + 2 * HASH_SIZE);
  buf[0] = INNER_PREFIX;
  buf.set(left, 1);
  buf.set(right, 1 + HASH_SIZE);
  return sha([buf]);
}

/** Bit `d` of a 256-bit key, most significant bit of byte 0 first; bit 0 picks the root's child. */
export function bitAt(key: Uint8Array, d: number): number {
  return (key[d >> 3]! >> (7 - (d & 7))) & 1;
}

/** Byte equality; hashes are public values, so no constant-time comparison is needed. */
export function hashEquals(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Throws MAP_INPUT_INVALID unless `h` is a 32-byte Uint8Array. */
export function checkHash(h: unknown, what: string): asserts h is Hash {
  if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
    const got = h instanceof Uint8Array ? `${h.length} bytes` : typeof h;
    throw new MapError('MAP_INPUT_INVALID', `${what} must be ${HASH_SIZE} bytes, got ${got}`);
  }
}
