import { sha256 } from '@noble/hashes/sha2.js';
import { TlogError } from './errors.ts';

/** A SHA-256 Merkle tree hash (RFC 9162 section 2.1.1): always 32 bytes. */
export type Hash = Uint8Array;
export const HASH_SIZE = 32;

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/** RFC 9162 leaf hash: SHA-256(0x00 || entry). */
export function leafHash(entry: Uint8Array): Hash {
  const buf = new Uint8Array(entry.length + 1);
  buf[0] = LEAF_PREFIX;
  buf.set(entry, 1);
  return sha256(buf);
}

/** RFC 9162 interior node hash: SHA-256(0x01 || left || right). */
export function nodeHash(left: Hash, right: Hash): Hash {
  checkHash(left, 'left child hash', 'input');
  checkHash(right, 'right child hash', 'input');
  const buf = new Uint8Array(1 + 2 * HASH_SIZE);
  buf[0] = NODE_PREFIX;
  buf.set(left, 1);
  buf.set(right, 1 + HASH_SIZE);
  return sha256(buf);
}

/** The root of the empty tree: SHA-256 of the empty string. */
export function emptyRoot(): Hash {
  return sha256(new Uint8Array(0));
}

/** RFC 9162 MTH over leaf hashes, by the recursive definition. O(n); meant for tests and small ranges. */
export function rootFromLeafHashes(leaves: readonly Hash[]): Hash {
  leaves.forEach((h, i) => checkHash(h, `leaf hash ${i}`, 'input'));
  if (leaves.length === 0) return emptyRoot();
  return mth(leaves, 0, leaves.length);
}

function mth(leaves: readonly Hash[], lo: number, hi: number): Hash {
  if (hi - lo === 1) return leaves[lo]!;
  let k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return nodeHash(mth(leaves, lo, lo + k), mth(leaves, lo + k, hi));
}

/** Byte equality; hashes are public values, so no constant-time comparison is needed. */
export function hashEquals(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Throws TLOG_BAD_HASH_SIZE unless `h` is a 32-byte Uint8Array. */
export function checkHash(
  h: unknown,
  what: string,
  category: 'input' | 'verification' = 'verification',
): asserts h is Hash {
  if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
    const got = h instanceof Uint8Array ? `${h.length} bytes` : typeof h;
    throw new TlogError(
      'TLOG_BAD_HASH_SIZE',
      `${what} must be a ${HASH_SIZE}-byte SHA-256 hash, got ${got}`,
      { category },
    );
  }
}
