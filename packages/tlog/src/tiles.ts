import { TlogError } from './errors.ts';
import { HASH_SIZE, nodeHash, type Hash } from './hash.ts';
import { checkCount } from './numbers.ts';

// C2SP tlog-tiles: a tile at level L holds up to 256 consecutive tree hashes of tree level 8L.

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
/** Largest tile level a path may name (tlog-tiles: 0..63). */
export const MAX_TILE_LEVEL = 63;

function pathError(message: string): TlogError {
  return new TlogError('TLOG_TILE_PATH_MALFORMED', message);
}

/** `N` as 3-digit groups, all but the last prefixed with `x`: 1234067 -> "x001/x234/067". */
export function formatTileIndex(index: number): string {
  checkCount(index, 'tile index');
  let n = index;
  let out = String(n % 1000).padStart(3, '0');
  n = Math.floor(n / 1000);
  while (n > 0) {
    out = `x${String(n % 1000).padStart(3, '0')}/${out}`;
    n = Math.floor(n / 1000);
  }
  return out;
}

function widthSuffix(partialWidth: number | undefined): string {
  if (partialWidth === undefined || partialWidth === TILE_WIDTH) return '';
  if (!Number.isInteger(partialWidth) || partialWidth < 1 || partialWidth > TILE_WIDTH) {
    throw pathError(`tile width must be 1..${TILE_WIDTH}, got ${partialWidth}`);
  }
  return `.p/${partialWidth}`;
}

/**
 * `tile/<L>/<N>[.p/<W>]`. A width of 256 (or none) names the full tile; 1..255 a partial one.
 */
export function tilePath(level: number, index: number, partialWidth?: number): string {
  if (!Number.isInteger(level) || level < 0 || level > MAX_TILE_LEVEL) {
    throw pathError(`tile level must be 0..${MAX_TILE_LEVEL}, got ${level}`);
  }
  return `tile/${level}/${formatTileIndex(index)}${widthSuffix(partialWidth)}`;
}

/** `tile/entries/<N>[.p/<W>]`: the entry bundle for leaves [N*256, N*256 + W). */
export function entryBundlePath(index: number, partialWidth?: number): string {
  return `tile/entries/${formatTileIndex(index)}${widthSuffix(partialWidth)}`;
}

/**
 * Parses a tile or entry-bundle path (without URL prefix). Only the canonical spelling is
 * accepted (it must format back to the same string), so one tile has exactly one path.
 * `width` is 256 for full tiles.
 */
export function parseTilePath(path: string): {
  level: number | 'entries';
  index: number;
  width: number;
} {
  const bad = () => pathError(`${JSON.stringify(path)} is not a tlog-tiles path`);
  const parts = path.split('/');
  if (parts.length < 3 || parts[0] !== 'tile') throw bad();
  const levelText = parts[1]!;
  let level: number | 'entries';
  if (levelText === 'entries') level = 'entries';
  else if (/^(0|[1-9][0-9]?)$/.test(levelText) && Number(levelText) <= MAX_TILE_LEVEL) {
    level = Number(levelText);
  } else throw bad();
  let groups = parts.slice(2);
  let width = TILE_WIDTH;
  const last = groups[groups.length - 1]!;
  const beforeLast = groups[groups.length - 2];
  if (beforeLast?.endsWith('.p')) {
    if (!/^[1-9][0-9]{0,2}$/.test(last) || Number(last) >= TILE_WIDTH) throw bad();
    width = Number(last);
    groups = [...groups.slice(0, -2), beforeLast.slice(0, -2)];
  }
  let index = 0;
  groups.forEach((g, i) => {
    const isLast = i === groups.length - 1;
    if (!(isLast ? /^[0-9]{3}$/ : /^x[0-9]{3}$/).test(g)) throw bad();
    index = index * 1000 + Number(isLast ? g : g.slice(1));
  });
  if (!Number.isSafeInteger(index)) throw bad();
  const canonical =
    level === 'entries' ? entryBundlePath(index, width) : tilePath(level, index, width);
  if (canonical !== path) throw bad();
  return { level, index, width };
}

/** Where the hash of tree node (level, index) comes from in the tiles. */
export interface TileCoord {
  /** Tile level: floor(level / 8). */
  tileLevel: number;
  /** Tile index within its level. */
  tileIndex: number;
  /** First hash of the tile to combine. */
  offset: number;
  /** Number of consecutive tile hashes whose perfect-subtree hash is the node (2^(level mod 8)). */
  count: number;
  /** The tile must have at least this many hashes (offset + count). */
  minWidth: number;
}

/**
 * The tile holding the hashes that make up node (level, index): a node at level 8L + r is the
 * perfect subtree over 2^r consecutive hashes of the level-L tile.
 */
export function tileForNode(level: number, index: number): TileCoord {
  checkCount(level, 'node level');
  checkCount(index, 'node index');
  const tileLevel = Math.floor(level / TILE_HEIGHT);
  const count = 2 ** (level - tileLevel * TILE_HEIGHT);
  const first = index * count; // index of the first covered hash at level 8L
  if (!Number.isSafeInteger(first)) throw pathError(`node (${level}, ${index}) is out of range`);
  const tileIndex = Math.floor(first / TILE_WIDTH);
  const offset = first - tileIndex * TILE_WIDTH;
  return { tileLevel, tileIndex, offset, count, minWidth: offset + count };
}

/**
 * The number of hashes tile (tileLevel, tileIndex) has in a tree of `treeSize` leaves: 256 for
 * a full tile, 1..255 for the partial one, 0 if the tree does not reach it.
 */
export function tileWidth(tileLevel: number, tileIndex: number, treeSize: number): number {
  checkCount(tileLevel, 'tile level');
  checkCount(tileIndex, 'tile index');
  checkCount(treeSize, 'tree size');
  const hashesAtLevel = Math.floor(treeSize / TILE_WIDTH ** tileLevel);
  return Math.max(0, Math.min(TILE_WIDTH, hashesAtLevel - tileIndex * TILE_WIDTH));
}

/** Tile contents: the concatenated 32-byte hashes. */
export function encodeTile(hashes: readonly Hash[]): Uint8Array {
  if (hashes.length === 0 || hashes.length > TILE_WIDTH) {
    throw new TlogError('TLOG_BAD_HASH_SIZE', `a tile holds 1..${TILE_WIDTH} hashes`, {
      category: 'input',
    });
  }
  const out = new Uint8Array(hashes.length * HASH_SIZE);
  hashes.forEach((h, i) => {
    if (h.length !== HASH_SIZE) {
      throw new TlogError('TLOG_BAD_HASH_SIZE', `tile hash ${i} is not 32 bytes`, {
        category: 'input',
      });
    }
    out.set(h, i * HASH_SIZE);
  });
  return out;
}

/** Splits tile contents into hashes; `expectedWidth` (e.g. from tileWidth) is checked if given. */
export function decodeTile(tile: Uint8Array, expectedWidth?: number): Hash[] {
  const n = tile.length / HASH_SIZE;
  if (!Number.isInteger(n) || n < 1 || n > TILE_WIDTH) {
    throw new TlogError(
      'TLOG_BAD_HASH_SIZE',
      `tile of ${tile.length} bytes is not 1..${TILE_WIDTH} hashes of ${HASH_SIZE} bytes`,
    );
  }
  if (expectedWidth !== undefined && n !== expectedWidth) {
    throw new TlogError(
      'TLOG_BAD_HASH_SIZE',
      `tile holds ${n} hashes where ${expectedWidth} were expected`,
    );
  }
  const out: Hash[] = [];
  for (let i = 0; i < n; i++) out.push(tile.slice(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  return out;
}

/** Computes node hash from the hashes of the tile named by `tileForNode`. */
export function nodeHashFromTile(tileHashes: readonly Hash[], coord: TileCoord): Hash {
  if (tileHashes.length < coord.minWidth) {
    throw new TlogError(
      'TLOG_BAD_HASH_SIZE',
      `tile holds ${tileHashes.length} hashes, node needs ${coord.minWidth}`,
    );
  }
  let layer = tileHashes.slice(coord.offset, coord.offset + coord.count);
  while (layer.length > 1) {
    const next: Hash[] = [];
    for (let i = 0; i < layer.length; i += 2) next.push(nodeHash(layer[i]!, layer[i + 1]!));
    layer = next;
  }
  return layer[0]!;
}

/** A tile to fetch, with the width it has in the tree and its path. */
export interface TileRef {
  level: number;
  index: number;
  width: number;
  path: string;
}

/**
 * The distinct tiles a tiles-based client must fetch to read `nodes` (e.g. a ProofPlan's) from
 * the tree of `treeSize` leaves, in first-use order. Throws if a node is not yet a complete
 * subtree of that tree (its tile would be too narrow).
 */
export function tilesForNodes(
  nodes: readonly { level: number; index: number }[],
  treeSize: number,
): TileRef[] {
  const out = new Map<string, TileRef>();
  for (const n of nodes) {
    const c = tileForNode(n.level, n.index);
    const width = tileWidth(c.tileLevel, c.tileIndex, treeSize);
    if (width < c.minWidth) {
      throw new TlogError(
        'TLOG_INDEX_OUT_OF_RANGE',
        `node (level ${n.level}, index ${n.index}) is not complete in a tree of size ${treeSize}`,
        { category: 'input' },
      );
    }
    const path = tilePath(c.tileLevel, c.tileIndex, width);
    if (!out.has(path)) out.set(path, { level: c.tileLevel, index: c.tileIndex, width, path });
  }
  return [...out.values()];
}
