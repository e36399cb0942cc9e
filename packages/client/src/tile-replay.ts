/**
 * Following a ledger's log through its C2SP tlog-tiles entry bundles, as a monitor does: every
 * entry is hashed into the tree (the result must be the signed root) and fed to the lookup-map
 * replay, so every map head is checked against what the log itself gives. Shared by
 * `notarize audit` and map-verifying witnesses.
 */
import { createHash } from 'node:crypto';
import { decodeEntryBundle, entryBundlePath, TILE_WIDTH } from '@notarize/tlog';
import type { MapReplay, MapValueRow } from '@notarize/ledger';
import type { LedgerEntry } from '@notarize/trust';
import type { AuditFrontier } from './audit-memory.ts';
import { verificationError } from './errors.ts';

/** Where entry bundles come from (HttpLedgerClient.tile: raw, unverified bytes). */
export interface TileSource {
  tile(path: string, signal?: AbortSignal): Promise<Uint8Array>;
}

export interface ReplayTarget {
  /** Tree size to read up to. */
  size: number;
  /** The signed root of that tree: the entries read must hash to it. */
  root: Uint8Array;
  /** The tree so far (its `count` says where reading starts). */
  builder: RootBuilder;
  /** The map replayed so far, up to where `builder` is. */
  replay: MapReplay;
  signal?: AbortSignal | undefined;
}

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);
const sha = () => createHash('sha256');

/** RFC 9162 Merkle tree hash, streaming: a stack of perfect subtrees (node:crypto for speed). */
export class RootBuilder {
  readonly stack: { hash: Buffer; size: number }[] = [];
  count = 0;

  /** Continues from a frontier an earlier audit proved (its perfect subtrees, largest first). */
  static resume(frontier: AuditFrontier): RootBuilder {
    const builder = new RootBuilder();
    for (const s of frontier.stack)
      builder.stack.push({ hash: Buffer.from(s.hash, 'base64'), size: s.size });
    builder.count = frontier.size;
    return builder;
  }

  /** Adds a leaf; returns its leaf hash. */
  add(entry: Uint8Array): Buffer {
    const leaf = sha().update(LEAF).update(entry).digest();
    let hash = leaf;
    let size = 1;
    while (this.stack.length > 0 && this.stack[this.stack.length - 1]!.size === size) {
      hash = sha().update(NODE).update(this.stack.pop()!.hash).update(hash).digest();
      size *= 2;
    }
    this.stack.push({ hash, size });
    this.count++;
    return leaf;
  }
  root(): Buffer {
    if (this.stack.length === 0) return sha().digest();
    let root = this.stack[this.stack.length - 1]!.hash;
    for (let i = this.stack.length - 2; i >= 0; i--) {
      root = sha().update(NODE).update(this.stack[i]!.hash).update(root).digest();
    }
    return root;
  }
}

/**
 * Reads entries `builder.count .. size-1` from the tiles, hashes them into `builder`, replays
 * every map head, and checks the root. Throws a verification error (MAP_HEAD_INVALID,
 * INCLUSION_FAILED, ENTRY_MISSING, BAD_RESPONSE) naming what is wrong.
 */
export async function replayTiles(
  source: TileSource,
  target: ReplayTarget,
  onEntry?: (index: number, entry: LedgerEntry) => void,
  progress?: (done: number, total: number) => void,
): Promise<{ mapHeads: number; mapRows: MapValueRow[] }> {
  const { size, builder, replay } = target;
  const decoder = new TextDecoder();
  const mapRows: MapValueRow[] = [];
  let mapHeads = 0;
  for (let tile = Math.floor(builder.count / TILE_WIDTH); tile * TILE_WIDTH < size; tile++) {
    const width = Math.min(TILE_WIDTH, size - tile * TILE_WIDTH);
    const bundle = await source.tile(entryBundlePath(tile, width), target.signal);
    let entries: Uint8Array[];
    try {
      entries = decodeEntryBundle(bundle);
    } catch (error) {
      throw verificationError(
        'BAD_RESPONSE',
        `entry bundle ${tile} is malformed: ${(error as Error).message}`,
        error,
      );
    }
    if (entries.length !== width) {
      throw verificationError(
        'ENTRY_MISSING',
        `entry bundle ${tile} holds ${entries.length} entries, not ${width}`,
      );
    }
    // A resumed replay starts inside the tile where the last one ended.
    for (const bytes of entries.slice(builder.count - tile * TILE_WIDTH)) {
      const index = builder.count;
      const leaf = builder.add(bytes);
      let entry: LedgerEntry;
      try {
        entry = JSON.parse(decoder.decode(bytes)) as LedgerEntry;
      } catch (error) {
        throw verificationError('BAD_RESPONSE', `entry ${index} is not JSON`, error);
      }
      const replayed = replay.add(index, entry, leaf);
      if (replayed && 'message' in replayed) {
        throw verificationError(
          'MAP_HEAD_INVALID',
          `${replayed.message}. The ledger signed this lie: entry ${index} is in its log, ` +
            `proved by its checkpoint of size ${size} (keep the checkpoint and the entry as evidence)`,
        );
      }
      if (replayed) {
        mapHeads++;
        mapRows.push(...replayed.rows);
      }
      onEntry?.(index, entry);
    }
    progress?.(builder.count, size);
  }
  if (!builder.root().equals(Buffer.from(target.root))) {
    throw verificationError(
      'INCLUSION_FAILED',
      `the ${size} entries the ledger serves as tiles do not hash to its signed root: the tiles were altered`,
    );
  }
  return { mapHeads, mapRows };
}
