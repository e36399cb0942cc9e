/**
 * C2SP tlog-tiles, derived from the stored perfect subtrees and entries: hash i of tile (L, N) is
 * the perfect subtree at Merkle level 8L with index N*256 + i, which the store keeps for every
 * completed subtree; entry bundles are the canonical entries, length-prefixed.
 *
 * Only tiles the current tree covers are served: a full tile once its 256 subtrees exist, a
 * partial one of width W when N*256 + W subtrees exist (the spec requires those of checkpointed
 * sizes; serving any covered width is harmless since every such hash is final).
 */
import {
  encodeEntryBundle,
  parseTilePath,
  TILE_HEIGHT,
  TILE_WIDTH,
  type NodeId,
} from '@notarize/tlog';
import type { ServiceBackend } from './backend.ts';
import { ServiceError } from './errors.ts';

export interface TileResponse {
  body: Uint8Array;
  /** Full tiles never change; partial ones are superseded by full ones. */
  immutable: boolean;
}

export function parseTileRequest(path: string): {
  level: number | 'entries';
  index: number;
  width: number;
} {
  try {
    return parseTilePath(path);
  } catch (error) {
    throw new ServiceError(
      'BAD_REQUEST',
      `${path} is not a tlog-tiles path: ${(error as Error).message}`,
    );
  }
}

/** Number of hashes at tile level `level` the tree of `size` completes (its perfect subtrees). */
function hashesAtLevel(size: number, level: number): number {
  return Math.floor(size / 2 ** (TILE_HEIGHT * level));
}

export async function readTile(backend: ServiceBackend, path: string): Promise<TileResponse> {
  const { level, index, width } = parseTileRequest(path);
  const { size } = await backend.latest();
  const start = index * TILE_WIDTH;
  const available = hashesAtLevel(size, level === 'entries' ? 0 : level);
  if (start + width > available) {
    throw new ServiceError('NOT_FOUND', `${path} is beyond the ledger's tree (size ${size})`);
  }
  const immutable = width === TILE_WIDTH;
  if (level === 'entries') {
    const entries = await backend.entries(start, start + width);
    return { body: encodeEntryBundle(entries), immutable };
  }
  const ids: NodeId[] = [];
  for (let i = 0; i < width; i++) ids.push({ level: TILE_HEIGHT * level, index: start + i });
  const hashes = await backend.nodes(ids);
  const body = new Uint8Array(width * 32);
  hashes.forEach((h, i) => body.set(h, i * 32));
  return { body, immutable };
}
