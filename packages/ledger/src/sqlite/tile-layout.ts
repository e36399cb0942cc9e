/**
 * How the SQLite store packs Merkle nodes: one row per C2SP-style tile (height 8), holding every
 * perfect subtree of its stratum, not only the tile's bottom row. Sub-level s (tree level 8T + s)
 * of tile (T, k) has 256 >> s slots, one after the other, so a full tile is 510 hashes
 * (16,320 bytes) and the C2SP tile `tile/T/k` is its first 256 hashes. A batch of appends then
 * rewrites a handful of tile rows instead of inserting ~2 node rows per entry, and reading any
 * node is one row read with no hashing.
 */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
export const HASH_SIZE = 32;
export const TILE_SLOTS = 2 * TILE_WIDTH - 2;
export const TILE_BYTES = TILE_SLOTS * HASH_SIZE;
/** Tile ids: tileLevel * 2^44 + tileIndex (tile indexes stay below 2^44 for trees below 2^52). */
const LEVEL_STRIDE = 2 ** 44;

export interface NodeSlot {
  tileId: number;
  /** Byte offset of the node's hash in the tile blob. */
  offset: number;
}

export function tileId(tileLevel: number, tileIndex: number): number {
  return tileLevel * LEVEL_STRIDE + tileIndex;
}

export function tileOf(id: number): { tileLevel: number; tileIndex: number } {
  const tileLevel = Math.floor(id / LEVEL_STRIDE);
  return { tileLevel, tileIndex: id - tileLevel * LEVEL_STRIDE };
}

export function nodeSlot(level: number, index: number): NodeSlot {
  const tileLevel = Math.floor(level / TILE_HEIGHT);
  const sub = level - tileLevel * TILE_HEIGHT;
  const perTile = TILE_WIDTH >> sub;
  const tileIndex = Math.floor(index / perTile);
  const slot = 2 * TILE_WIDTH - ((2 * TILE_WIDTH) >> sub) + (index - tileIndex * perTile);
  return { tileId: tileId(tileLevel, tileIndex), offset: slot * HASH_SIZE };
}

/** True when every node of the tile exists in a tree of `size` leaves (it will not change again). */
export function tileComplete(id: number, size: number): boolean {
  const { tileLevel, tileIndex } = tileOf(id);
  return size >= (tileIndex + 1) * 2 ** (TILE_HEIGHT * (tileLevel + 1));
}

/** The tile ids [first, end) that hold the nodes [from, to) of one level (from < to). */
export function tileIdRange(
  level: number,
  from: number,
  to: number,
): { first: number; end: number } {
  const tileLevel = Math.floor(level / TILE_HEIGHT);
  const perTile = TILE_WIDTH >> (level - tileLevel * TILE_HEIGHT);
  return {
    first: tileId(tileLevel, Math.floor(from / perTile)),
    end: tileId(tileLevel, Math.floor((to - 1) / perTile)) + 1,
  };
}

/**
 * The node hashes [from, to) of one level, sliced out of the tiles read for `tileIdRange`.
 * Returns the (level, index) of the first node whose tile is missing or truncated, if any, so
 * each store can report corruption in its own terms.
 */
export function nodesFromTiles(
  level: number,
  from: number,
  to: number,
  tiles: ReadonlyMap<number, Uint8Array>,
): { hashes: Uint8Array[] } | { missing: { level: number; index: number } } {
  const hashes: Uint8Array[] = [];
  for (let index = from; index < to; index++) {
    const slot = nodeSlot(level, index);
    const tile = tiles.get(slot.tileId);
    if (!tile || tile.length !== TILE_BYTES) return { missing: { level, index } };
    hashes.push(tile.subarray(slot.offset, slot.offset + HASH_SIZE));
  }
  return { hashes };
}
