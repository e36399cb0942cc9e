import { MapError } from './errors.ts';
import {
  checkHash,
  defaultSha256,
  HASH_SIZE,
  INNER_PREFIX,
  LEAF_PREFIX,
  type Hash,
  type Sha256,
} from './hash.ts';
import {
  bitOfString,
  firstDifferentBit,
  fromLatin1,
  isLatin1Hash,
  toLatin1,
  writeLatin1,
} from './latin1.ts';
import { ByteWriter, TAG_EMPTY, TAG_HASH, TAG_INNER, TAG_LEAF } from './proof-format.ts';
import { sortKeys } from './sort-keys.ts';

// In-memory representation. The hashed tree (docs/formats.md) has an inner node at every depth
// where a subtree holds >= 2 leaves, so two keys sharing a 40-bit prefix sit under a chain of 40
// inner nodes whose other child is empty. Storing that chain would cost ~1.44 nodes per key for
// random keys; we store a Patricia trie instead (exactly n - 1 inner nodes, each at the bit `d`
// where its two sides differ) and hash the chain above a node on the fly (`wrap`).
//
// A child is a leaf — a 64-char latin1 string, key || value hash (see latin1.ts for why strings) —
// or an Inner. `null` appears only as the root of the empty map.
type Child = Inner | string;

/** An owner token: a map may mutate in place only the nodes it owns (copy-on-write for clone()). */
type Owner = object;

class Inner {
  /** The split bit: all keys below share bits [0, d); `l` has bit d = 0, `r` bit d = 1. */
  d: number;
  l: Child;
  r: Child;
  /**
   * The hash of the subtree at this node's *position* — depth parent.d + 1 (0 for the root), i.e.
   * including the chain of single-child inner nodes down to depth d — or null when dirty. The
   * position changes only when a node is inserted above, which then clears `h`.
   */
  h: string | null;
  o: Owner;
  constructor(d: number, l: Child, r: Child, h: string | null, o: Owner) {
    this.d = d;
    this.l = l;
    this.r = r;
    this.h = h;
    this.o = o;
  }
}

const EMPTY = '\0'.repeat(HASH_SIZE);

/** The leftmost leaf below `c`: its key carries the prefix shared by the whole subtree. */
function anyLeaf(c: Child): string {
  while (typeof c !== 'string') c = c.l;
  return c;
}

/**
 * An in-memory sparse Merkle map from 256-bit keys to 32-byte value hashes. `set` marks one path
 * dirty and `root()` rehashes only dirty nodes, so an update costs O(depth) hashes. `clone()` is
 * O(1): both maps then copy a node before their first change to it (structural sharing).
 */
export class SparseMerkleMap {
  #root: Child | null = null;
  #size = 0;
  #owner: Owner = {};
  readonly #sha: Sha256;
  readonly #hashLatin1: (bytes: Uint8Array) => string;
  // Hashing input buffer; the map is synchronous, so one per map suffices.
  readonly #buf = new Uint8Array(1 + 2 * HASH_SIZE);

  constructor(sha: Sha256 = defaultSha256) {
    this.#sha = sha;
    this.#hashLatin1 = sha.latin1 ?? ((bytes) => toLatin1(sha([bytes])));
  }

  /**
   * Builds a map from (key, value hash) pairs in O(n log n): sort, then split recursively. Keys
   * must be distinct (MAP_INPUT_INVALID otherwise): a duplicate is a bug in the caller's index.
   */
  static fromLeaves(
    leaves: Iterable<readonly [key: Hash, valueHash: Hash]>,
    sha: Sha256 = defaultSha256,
  ): SparseMerkleMap {
    const map = new SparseMerkleMap(sha);
    const items: string[] = [];
    const pair = new Uint8Array(2 * HASH_SIZE);
    for (const [key, vh] of leaves) {
      checkHash(key, 'map key');
      checkHash(vh, 'value hash');
      pair.set(key, 0);
      pair.set(vh, HASH_SIZE);
      items.push(toLatin1(pair));
    }
    // Latin1 strings compare like their bytes, so the default sort is byte order.
    items.sort();
    for (let i = 1; i < items.length; i++) {
      if (firstDifferentBit(items[i - 1]!, items[i]!) === 256) {
        throw new MapError('MAP_INPUT_INVALID', 'fromLeaves: duplicate key');
      }
    }
    const owner = map.#owner;
    const build = (lo: number, hi: number): Child => {
      if (hi - lo === 1) return items[lo]!;
      const d = firstDifferentBit(items[lo]!, items[hi - 1]!);
      // Sorted keys sharing bits [0, d): those with bit d = 1 form a suffix; find where it starts.
      let a = lo + 1;
      let b = hi - 1;
      while (a < b) {
        const m = (a + b) >> 1;
        if (bitOfString(items[m]!, d) === 1) b = m;
        else a = m + 1;
      }
      return new Inner(d, build(lo, a), build(a, hi), null, owner);
    };
    map.#root = items.length === 0 ? null : build(0, items.length);
    map.#size = items.length;
    return map;
  }

  /** The number of keys. */
  get size(): number {
    return this.#size;
  }

  /** The map root: EMPTY_NODE for no keys, the leaf node hash for one. */
  root(): Hash {
    const r = this.#root;
    if (r === null) return new Uint8Array(HASH_SIZE);
    return fromLatin1(typeof r === 'string' ? this.#leafHash(r) : this.#hashOf(r, 0));
  }

  /** The value hash stored under `key`, or undefined. */
  get(key: Hash): Hash | undefined {
    checkHash(key, 'map key');
    let c = this.#root;
    if (c === null) return undefined;
    while (typeof c !== 'string') c = ((key[c.d >> 3]! >> (7 - (c.d & 7))) & 1) === 1 ? c.r : c.l;
    for (let i = 0; i < HASH_SIZE; i++) if (c.charCodeAt(i) !== key[i]) return undefined;
    return fromLatin1(c, HASH_SIZE, 2 * HASH_SIZE);
  }

  /** Inserts `key` or replaces its value hash; the path to it is rehashed by the next root(). */
  set(key: Hash, valueHash: Hash): void {
    checkHash(key, 'map key');
    checkHash(valueHash, 'value hash');
    this.#buf.set(key, 0);
    this.#buf.set(valueHash, HASH_SIZE);
    this.#insert(toLatin1(this.#buf.subarray(0, 2 * HASH_SIZE)));
  }

  /**
   * As set(), with the key and value hash as 32-char latin1 strings (latin1.ts): the form a
   * caller that hashes with `Sha256.latin1` already holds, so nothing is converted.
   */
  setLatin1(key: string, valueHash: string): void {
    if (!isLatin1Hash(key)) {
      throw new MapError('MAP_INPUT_INVALID', 'map key: 32 latin1 chars expected');
    }
    if (!isLatin1Hash(valueHash)) {
      throw new MapError('MAP_INPUT_INVALID', 'value hash: 32 latin1 chars expected');
    }
    this.#insert(key + valueHash);
  }

  #insert(leaf: string): void {
    if (this.#root === null) {
      this.#root = leaf;
      this.#size = 1;
      return;
    }
    // Pass 1: follow the key's bits to some leaf; the first bit where that leaf's key differs is
    // where the new key branches off (Patricia insertion), 256 if the key is already present.
    let c: Child = this.#root;
    while (typeof c !== 'string') c = bitOfString(leaf, c.d) === 1 ? c.r : c.l;
    const b = firstDifferentBit(leaf, c);

    // Pass 2: walk down again to the branch point, taking ownership and marking the path dirty.
    let parent: Inner | null = null;
    let right = false;
    const relink = (child: Child) => {
      if (parent === null) this.#root = child;
      else if (right) parent.r = child;
      else parent.l = child;
    };
    c = this.#root;
    while (typeof c !== 'string' && c.d < b) {
      const own: Inner = this.#own(c);
      if (own !== c) relink(own);
      own.h = null;
      parent = own;
      right = bitOfString(leaf, own.d) === 1;
      c = right ? own.r : own.l;
    }
    if (b === 256) {
      relink(leaf); // c is the old leaf of this key
      return;
    }
    let sibling = c;
    if (typeof sibling !== 'string') {
      // The sibling moves down below the new node: its cached hash was for its old position.
      sibling = this.#own(sibling);
      sibling.h = null;
    }
    const node =
      bitOfString(leaf, b) === 1
        ? new Inner(b, sibling, leaf, null, this.#owner)
        : new Inner(b, leaf, sibling, null, this.#owner);
    relink(node);
    this.#size++;
  }

  /** O(1): the copy and this map share all nodes until either changes one. */
  clone(): SparseMerkleMap {
    const copy = new SparseMerkleMap(this.#sha);
    copy.#root = this.#root;
    copy.#size = this.#size;
    // Nodes owned so far are now shared: this map must copy them before changing them too.
    this.#owner = {};
    return copy;
  }

  /**
   * A proof for `keys` (any order, duplicates allowed: sorted and deduplicated here), in the
   * format of docs/formats.md. A single-key proof is the batch proof of one key.
   */
  prove(keys: readonly Hash[]): Uint8Array {
    const sorted = sortKeys(keys);
    if (sorted.length === 0) throw new MapError('MAP_INPUT_INVALID', 'prove: no keys');
    this.root(); // fills every dirty cached hash, so the walk below reads caches
    const out = new ByteWriter();
    const split = (depth: number, lo: number, hi: number): number => {
      let m = lo;
      while (m < hi && ((sorted[m]![depth >> 3]! >> (7 - (depth & 7))) & 1) === 0) m++;
      return m;
    };
    // `c` sits at position `depth` with requested keys [lo, hi).
    const visit = (c: Child | null, depth: number, lo: number, hi: number) => {
      if (c === null) {
        out.byte(TAG_EMPTY);
      } else if (typeof c === 'string') {
        out.byte(TAG_LEAF);
        out.latin1(c);
      } else {
        out.byte(TAG_INNER);
        const m = split(depth, lo, hi);
        if (c.d === depth) {
          child(c.l, depth + 1, true, lo, m);
          child(c.r, depth + 1, true, m, hi);
        } else if (bitOfString(anyLeaf(c), depth) === 0) {
          child(c, depth + 1, false, lo, m);
          child(null, depth + 1, true, m, hi);
        } else {
          child(null, depth + 1, true, lo, m);
          child(c, depth + 1, false, m, hi);
        }
      }
    };
    // As visit, but with no requested keys a sibling is written instead. `atTop` says whether
    // `depth` is c's own position (so `c.h` is its hash there) or a point inside the chain above.
    const child = (c: Child | null, depth: number, atTop: boolean, lo: number, hi: number) => {
      if (lo < hi) {
        visit(c, depth, lo, hi);
      } else if (c === null) {
        out.byte(TAG_EMPTY);
      } else {
        out.byte(TAG_HASH);
        out.latin1(this.#hashAt(c, depth, atTop));
      }
    };
    visit(this.#root, 0, 0, sorted.length);
    return out.bytes();
  }

  #own(n: Inner): Inner {
    return n.o === this.#owner ? n : new Inner(n.d, n.l, n.r, n.h, this.#owner);
  }

  #leafHash(leaf: string): string {
    const buf = this.#buf;
    buf[0] = LEAF_PREFIX;
    writeLatin1(leaf, buf, 1);
    return this.#hashLatin1(buf);
  }

  #innerHash(l: string, r: string): string {
    const buf = this.#buf;
    buf[0] = INNER_PREFIX;
    writeLatin1(l, buf, 1);
    writeLatin1(r, buf, 1 + HASH_SIZE);
    return this.#hashLatin1(buf);
  }

  /** Hash of `c` at `depth`; `atTop` as in prove(). */
  #hashAt(c: Child, depth: number, atTop: boolean): string {
    if (typeof c === 'string') return this.#leafHash(c);
    if (atTop) return this.#hashOf(c, depth);
    // Inside a chain (only proofs of absent keys that branch off it get here): rehash from d.
    return this.#wrap(this.#splitHash(c), c, depth);
  }

  /** The hash of `n` at its own position `top`, cached in `n.h`. */
  #hashOf(n: Inner, top: number): string {
    if (n.h !== null) return n.h;
    // Writing a cache into a shared node is safe: its subtree and position are the same in every
    // map that shares it (a map that moves or changes it copies it first).
    n.h = this.#wrap(this.#splitHash(n), n, top);
    return n.h;
  }

  /** The hash of the inner node at depth n.d, whose children are at their own positions. */
  #splitHash(n: Inner): string {
    const below = n.d + 1;
    const l = typeof n.l === 'string' ? this.#leafHash(n.l) : this.#hashOf(n.l, below);
    const r = typeof n.r === 'string' ? this.#leafHash(n.r) : this.#hashOf(n.r, below);
    return this.#innerHash(l, r);
  }

  /** Hashes the chain from depth n.d up to `top`: one inner node per level, the other side empty. */
  #wrap(h: string, n: Inner, top: number): string {
    if (n.d === top) return h;
    const key = anyLeaf(n);
    for (let depth = n.d - 1; depth >= top; depth--) {
      h = bitOfString(key, depth) === 1 ? this.#innerHash(EMPTY, h) : this.#innerHash(h, EMPTY);
    }
    return h;
  }
}
