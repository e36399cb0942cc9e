import { MapError } from './errors.ts';
import {
  CHAIN_PREFIX,
  checkHash,
  defaultSha256,
  HASH_SIZE,
  type Hash,
  type Sha256,
} from './hash.ts';

/** The chain hash of a key with no entries. */
export const EMPTY_CHAIN: Hash = new Uint8Array(HASH_SIZE);

/**
 * One step of a key's entry chain: SHA-256(0x04 || prev || u64be(index) || leafHash). Folding it
 * over the key's entries in ascending log index commits to exactly that list, so a client that
 * recomputes the chain from the entries it received knows none was dropped, added or reordered.
 */
export function chainStep(
  prev: Hash,
  index: number,
  leafHash: Hash,
  sha: Sha256 = defaultSha256,
): Hash {
  checkHash(prev, 'previous chain hash');
  checkHash(leafHash, 'leaf hash');
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new MapError('MAP_INPUT_INVALID', `log index must be a non-negative safe integer`);
  }
  const buf = new Uint8Array(1 + HASH_SIZE + 8 + HASH_SIZE);
  buf[0] = CHAIN_PREFIX;
  buf.set(prev, 1);
  // u64 big-endian without BigInt: the index is below 2^53, so split it into two 32-bit halves.
  const view = new DataView(buf.buffer);
  view.setUint32(1 + HASH_SIZE, Math.floor(index / 2 ** 32));
  view.setUint32(1 + HASH_SIZE + 4, index % 2 ** 32);
  buf.set(leafHash, 1 + HASH_SIZE + 8);
  return sha([buf]);
}
