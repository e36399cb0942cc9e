import { MapError } from './errors.ts';
import {
  checkHash,
  defaultSha256,
  EMPTY_NODE,
  HASH_SIZE,
  hashEquals,
  INNER_PREFIX,
  LEAF_PREFIX,
  type Hash,
  type Sha256,
} from './hash.ts';
import { KEY_BITS, TAG_EMPTY, TAG_HASH, TAG_INNER, TAG_LEAF } from './proof-format.ts';
import { sortKeys } from './sort-keys.ts';

/** One key's answer: its value hash, or undefined when the proof shows it is absent. */
export interface MapProofResult {
  key: Hash;
  valueHash: Hash | undefined;
}

function malformed(message: string): MapError {
  return new MapError('MAP_PROOF_MALFORMED', `map proof: ${message}`);
}

/** True if `a` and `b` agree on bits [0, depth). */
function samePrefix(a: Uint8Array, b: Uint8Array, depth: number): boolean {
  const whole = depth >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = depth & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((a[whole]! ^ b[whole]!) & mask) === 0;
}

/**
 * Verifies a map proof (docs/formats.md, "Lookup map") for `keys` against `root` and returns, in
 * ascending key order without duplicates, each key's value hash or undefined (proved absent).
 * Throws MAP_PROOF_MALFORMED for a proof that does not parse (truncated, trailing bytes, unknown
 * or misplaced tag, a leaf off its position), MAP_ROOT_MISMATCH for one that parses but hashes to
 * another root, MAP_INPUT_INVALID for bad arguments (no keys, a key or root not 32 bytes).
 */
export function verifyMapProof(
  root: Hash,
  keys: readonly Hash[],
  proof: Uint8Array,
  sha: Sha256 = defaultSha256,
): MapProofResult[] {
  checkHash(root, 'map root');
  if (!(proof instanceof Uint8Array)) throw new MapError('MAP_INPUT_INVALID', 'proof: bytes');
  const sorted = sortKeys(keys);
  if (sorted.length === 0) throw new MapError('MAP_INPUT_INVALID', 'verifyMapProof: no keys');
  const found: (Hash | undefined)[] = new Array<Hash | undefined>(sorted.length).fill(undefined);
  const buf = new Uint8Array(1 + 2 * HASH_SIZE);
  let pos = 0;

  const take = (n: number, what: string): Uint8Array => {
    if (pos + n > proof.length) throw malformed(`truncated in ${what}`);
    const bytes = proof.subarray(pos, pos + n);
    pos += n;
    return bytes;
  };
  const hash2 = (prefix: number, a: Uint8Array, b: Uint8Array): Hash => {
    buf[0] = prefix;
    buf.set(a, 1);
    buf.set(b, 1 + HASH_SIZE);
    return sha([buf]);
  };

  // Requested keys [lo, hi) are non-empty and share bits [0, depth).
  const visit = (depth: number, lo: number, hi: number): Hash => {
    const tag = take(1, 'a tag')[0];
    if (tag === TAG_INNER) {
      if (depth >= KEY_BITS) throw malformed('inner node below depth 255');
      let m = lo;
      while (m < hi && ((sorted[m]![depth >> 3]! >> (7 - (depth & 7))) & 1) === 0) m++;
      const left = child(depth + 1, lo, m);
      const right = child(depth + 1, m, hi);
      return hash2(INNER_PREFIX, left, right);
    }
    if (tag === TAG_LEAF) {
      const key = take(HASH_SIZE, 'a leaf key');
      const vh = take(HASH_SIZE, 'a leaf value hash');
      if (!samePrefix(key, sorted[lo]!, depth)) {
        throw malformed(`leaf key does not belong at depth ${depth} of the requested keys`);
      }
      for (let i = lo; i < hi; i++) if (hashEquals(sorted[i]!, key)) found[i] = vh.slice();
      return hash2(LEAF_PREFIX, key, vh);
    }
    if (tag === TAG_EMPTY) return EMPTY_NODE;
    throw malformed(`tag 0x${hex(tag)} where requested keys are`);
  };

  const child = (depth: number, lo: number, hi: number): Hash => {
    if (lo < hi) return visit(depth, lo, hi);
    const tag = take(1, 'a tag')[0];
    if (tag === TAG_HASH) return take(HASH_SIZE, 'a sibling hash');
    if (tag === TAG_EMPTY) return EMPTY_NODE;
    throw malformed(`tag 0x${hex(tag)} for an unrequested subtree`);
  };

  const computed = visit(0, 0, sorted.length);
  if (pos !== proof.length) throw malformed(`${proof.length - pos} trailing bytes`);
  if (!hashEquals(computed, root)) {
    throw new MapError('MAP_ROOT_MISMATCH', 'map proof: does not lead to the expected map root');
  }
  return sorted.map((key, i) => ({ key: key.slice(), valueHash: found[i] }));
}

function hex(b: number | undefined): string {
  return (b ?? 0).toString(16).padStart(2, '0');
}
