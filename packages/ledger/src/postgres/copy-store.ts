/**
 * Copies a ledger from one store to another (embedded <-> PostgreSQL, or between databases),
 * then proves the copy: the destination is verified from scratch (every node, lookup row and
 * checkpoint recomputed from its entries, every signature checked) and must end at the source's
 * size and root with as many checkpoints.
 *
 * Only entries, the signed checkpoint notes and idempotency keys are copied: nodes and lookup
 * rows are recomputed, so a copy can never carry a damaged derived row across. Each source
 * checkpoint becomes one destination batch, so every size a receipt or client may cite keeps its
 * checkpoint. The source should not take appends meanwhile: the copy covers the log as of its
 * size when the copy starts.
 */
import { DatabaseSync } from 'node:sqlite';
import type { Hash, NoteVerifier } from '@notarize/tlog';
import { FastCompactRange } from '../compact-range.ts';
import { LedgerError } from '../errors.ts';
import { leafHash, toBase64 } from '../hashing.ts';
import { entryKeys, keyId } from '../index-keys.ts';
import { MapReplay } from '../map/map-replay.ts';
import { SqliteStore } from '../sqlite/sqlite-store.ts';
import type {
  IdempotencyRecord,
  LedgerStore,
  LookupRow,
  MapValueRow,
  NodeRecord,
} from '../store.ts';
import { decodeStoredEntry } from '../validate-entry.ts';
import { verifyLedgerStore, type VerifyReport } from '../verify-store.ts';
import { PostgresStore } from './postgres-store.ts';

export interface CopyOptions {
  verifier: NoteVerifier;
  /** Progress (entries copied so far, of `total`). */
  progress?: (copied: number, total: number) => void;
}

export interface CopyReport {
  origin: string;
  size: number;
  root: string;
  checkpoints: number;
  idempotencyKeys: number;
  /** The source's verification (before) and the destination's (after). */
  source: VerifyReport;
  destination: VerifyReport;
}

/** Every idempotency record of a store (the interface has point reads only). */
async function allIdempotency(store: LedgerStore): Promise<IdempotencyRecord[]> {
  if (store instanceof PostgresStore) {
    const out: IdempotencyRecord[] = [];
    for (let after = ''; ;) {
      const page = await store.listIdempotency(after, 10_000);
      out.push(...page);
      if (page.length < 10_000) return out;
      after = (page[page.length - 1] as IdempotencyRecord).key;
    }
  }
  if (store instanceof SqliteStore) {
    const db = new DatabaseSync(store.path, { readOnly: true });
    try {
      const rows = db.prepare('SELECT key, first, count, hash FROM idempotency').all() as {
        key: string;
        first: number;
        count: number;
        hash: Uint8Array;
      }[];
      return rows.map((r) => ({ key: r.key, first: r.first, count: r.count, requestHash: r.hash }));
    } finally {
      db.close();
    }
  }
  throw new LedgerError(
    'STORE_UNAVAILABLE',
    'input',
    'cannot list the idempotency keys of this store',
  );
}

function failed(message: string): LedgerError {
  return new LedgerError('VERIFY_FAILED', 'verification', message);
}

export async function copyLedgerStore(
  source: LedgerStore,
  destination: LedgerStore,
  options: CopyOptions,
): Promise<CopyReport> {
  const meta = await source.readMeta();
  if (!meta) throw new LedgerError('STORE_UNAVAILABLE', 'input', 'the source holds no ledger');
  if ((await destination.readMeta()) || (await destination.size()) > 0) {
    throw new LedgerError(
      'RESTORE_REFUSED',
      'input',
      'the destination already holds a ledger: migrate into an empty database schema or directory',
    );
  }
  const verify = (store: LedgerStore) =>
    verifyLedgerStore(store, { origin: meta.origin, verifier: options.verifier });
  const sourceReport = await verify(source);
  if (!sourceReport.ok) {
    throw failed(
      `the source does not verify, nothing was copied: ${sourceReport.problem?.message}`,
    );
  }
  const size = sourceReport.size;
  const byFirst = new Map<number, IdempotencyRecord[]>();
  const keys = await allIdempotency(source);
  for (const r of keys) byFirst.set(r.first, [...(byFirst.get(r.first) ?? []), r]);

  const [zero] = await source.listCheckpoints(-1, 1);
  if (zero?.size !== 0) throw failed('the source has no checkpoint of size 0');
  await destination.initialize(meta, zero);
  const range = FastCompactRange.empty();
  const replay = new MapReplay(meta.origin);
  let checkpoints = 1;
  for (let after = 0; after < size;) {
    const page = (await source.listCheckpoints(after, 1000)).filter((c) => c.size <= size);
    if (page.length === 0) throw failed(`no checkpoint after size ${after} in the source`);
    for (const checkpoint of page) {
      const start = range.size;
      const entries = await source.readEntries(start, checkpoint.size);
      const leafHashes: Hash[] = [];
      const nodes: NodeRecord[] = [];
      const lookups: LookupRow[] = [];
      const mapValues: MapValueRow[] = [];
      entries.forEach((bytes, i) => {
        const index = start + i;
        const leaf = leafHash(bytes);
        leafHashes.push(leaf);
        range.append(leaf, (level, nodeIndex, hash) =>
          nodes.push({ level, index: nodeIndex, hash }),
        );
        const entry = decodeStoredEntry(bytes, index);
        const ids = [...new Set(entryKeys(entry).map(keyId))];
        for (const k of ids.sort((a, b) => a - b)) lookups.push({ keyId: k, index });
        const replayed = replay.add(index, entry, leaf);
        if (replayed && 'message' in replayed) throw failed(replayed.message);
        if (replayed) mapValues.push(...replayed.rows);
      });
      const idempotency = entries.flatMap((_, i) => byFirst.get(start + i) ?? []);
      await destination.appendBatch({
        start,
        entries,
        leafHashes,
        nodes,
        lookups,
        checkpoint,
        idempotency,
        mapValues,
      });
      checkpoints++;
      options.progress?.(range.size, size);
    }
    after = range.size;
  }

  const destinationReport = await verify(destination);
  if (!destinationReport.ok) {
    throw failed(`the copy does not verify: ${destinationReport.problem?.message}`);
  }
  const root = toBase64(range.root());
  if (
    destinationReport.size !== size ||
    destinationReport.root !== sourceReport.root ||
    root !== sourceReport.root ||
    destinationReport.checkpoints !== sourceReport.checkpoints ||
    destinationReport.lookupRows !== sourceReport.lookupRows
  ) {
    throw failed(
      `the copy differs from the source: ${destinationReport.size} entries / root ` +
        `${destinationReport.root} / ${destinationReport.checkpoints} checkpoints, expected ` +
        `${size} / ${sourceReport.root} / ${sourceReport.checkpoints}`,
    );
  }
  return {
    origin: meta.origin,
    size,
    root,
    checkpoints,
    idempotencyKeys: keys.filter((k) => k.first + k.count <= size).length,
    source: sourceReport,
    destination: destinationReport,
  };
}
