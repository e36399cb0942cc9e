/**
 * The map-verifying witness's extra statement: before cosigning a checkpoint it reads the
 * entries added since the size it cosigned last from the ledger's tlog-tiles, hashes them to the
 * checkpoint's root and replays the lookup map, so every map head among them is proved correct —
 * the same replay `notarize audit` does (@notarize/client replayTiles, @notarize/ledger
 * MapReplay). What it proved is remembered per origin (an AuditMemory in `map/`) so each request
 * reads only the new entries, also across restarts.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { MapReplay } from '@notarize/ledger';
import {
  AuditMemory,
  LedgerClientError,
  replayTiles,
  RootBuilder,
  type TileSource,
} from '@notarize/client';
import type { Checkpoint } from '@notarize/tlog';
import { WitnessError } from './errors.ts';
import { originFileName } from './state-store.ts';
import type { EntryCheck } from './witness.ts';

interface Progress {
  builder: RootBuilder;
  replay: MapReplay;
}

export class MapCheck implements EntryCheck {
  readonly #source: TileSource;
  readonly #dir: string;
  /** What was proved, per origin; dropped when a replay fails half-way (it mutates). */
  readonly #cache = new Map<string, Progress>();
  /** Entries replayed (metrics, benchmarks). */
  entriesReplayed = 0;

  constructor(source: TileSource, dataDir: string) {
    this.#source = source;
    this.#dir = path.join(dataDir, 'map');
  }

  async #progress(origin: string, memory: AuditMemory, upTo: number): Promise<Progress> {
    const cached = this.#cache.get(origin);
    if (cached && cached.builder.count <= upTo) return cached;
    const remembered = await memory.load(origin);
    if (remembered && remembered.frontier.size <= upTo) {
      return {
        builder: RootBuilder.resume(remembered.frontier),
        replay: new MapReplay(origin, remembered.map),
      };
    }
    return { builder: new RootBuilder(), replay: new MapReplay(origin) };
  }

  async check(origin: string, _from: unknown, checkpoint: Checkpoint): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    const memory = AuditMemory.open(path.join(this.#dir, `${originFileName(origin)}.sqlite`));
    try {
      const progress = await this.#progress(origin, memory, checkpoint.size);
      this.#cache.delete(origin);
      const start = progress.builder.count;
      let result;
      try {
        result = await replayTiles(this.#source, {
          size: checkpoint.size,
          root: checkpoint.root,
          builder: progress.builder,
          replay: progress.replay,
        });
      } catch (error) {
        if (error instanceof LedgerClientError && error.category === 'verification') {
          throw new WitnessError(
            'MAP_HEAD_INVALID',
            `not cosigning ${origin} at size ${checkpoint.size}: ${error.message}`,
            { cause: error },
          );
        }
        throw new WitnessError(
          'LEDGER_UNREADABLE',
          `cannot read the entries of ${origin} to check its map heads: ${(error as Error).message}`,
          { cause: error },
        );
      }
      this.entriesReplayed += progress.builder.count - start;
      memory.save(
        {
          origin,
          size: progress.builder.count,
          stack: progress.builder.stack.map((s) => ({
            hash: s.hash.toString('base64'),
            size: s.size,
          })),
        },
        progress.replay.lastHead,
        result.mapRows,
      );
      this.#cache.set(origin, progress);
    } finally {
      memory.close();
    }
  }
}
