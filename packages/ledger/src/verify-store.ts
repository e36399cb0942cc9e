/**
 * Full offline verification of a store: everything derived is recomputed from the entries and
 * compared with what is stored — every entry is canonical and valid, every stored node (leaf
 * hashes included) matches, every checkpoint's signature, origin and root hold at its size, the
 * newest checkpoint covers the whole log, and the lookup rows are exactly those the entries
 * imply. Stops at the FIRST inconsistency and names it.
 */
import { openCheckpoint, peakNodes, type Hash, type NoteVerifier } from '@notarize/tlog';
import { FastCompactRange } from './compact-range.ts';
import { LedgerError } from './errors.ts';
import { equalBytes, leafHash, toBase64 } from './hashing.ts';
import { entryKeys, keyId } from './index-keys.ts';
import { LedgerMap } from './map/ledger-map.ts';
import { MapReplay } from './map/map-replay.ts';
import type { LedgerStore, LookupRow, MapValueRow, StoredCheckpoint } from './store.ts';
import { decodeStoredEntry } from './validate-entry.ts';

export type VerifyProblemCode =
  | 'ORIGIN_MISMATCH'
  | 'STRUCTURE'
  | 'ENTRY_INVALID'
  | 'NODE_MISMATCH'
  | 'CHECKPOINT_INVALID'
  | 'CHECKPOINT_MISMATCH'
  | 'CHECKPOINT_MISSING'
  | 'LOOKUP_MISMATCH'
  | 'MAP_HEAD_MISMATCH'
  | 'MAP_HEAD_MISSING'
  | 'MAP_ROWS_MISMATCH'
  | 'READ_FAILED';

export interface VerifyProblem {
  code: VerifyProblemCode;
  message: string;
  /** The entry index or tree size concerned, when there is one. */
  at?: number;
}

/**
 * What a verification proved, to resume from (`notarize ledger verify --state FILE`): the tree of
 * `size` had `root`, and the lookup map as of map head `mapHead` had `mapRoot`.
 */
export interface VerifyState {
  origin: string;
  size: number;
  /** Base64 root of the tree of `size`. */
  root: string;
  /** Index of the last map head replayed (-1: none). */
  mapHead: number;
  /** Base64 root of the map as of `mapHead`. */
  mapRoot: string;
}

export interface VerifyReport {
  ok: boolean;
  origin: string;
  /** Where this verification started (0, or the resumed state's size). */
  from: number;
  size: number;
  /** Base64 root recomputed from the entries. */
  root: string;
  checkpoints: number;
  lookupRows: number;
  problem?: VerifyProblem;
  /** What it proved, when ok: the state to resume from next time. */
  state?: VerifyState;
}

export interface VerifyOptions {
  origin: string;
  verifier: NoteVerifier;
  /** Entries per read (default 16,384). */
  chunk?: number;
  /**
   * Resume from an earlier verification: entries before `resume.size` are not read again; the
   * stored tree and map must still give the roots verified then (a changed store is a problem).
   */
  resume?: VerifyState;
}

class Found extends Error {
  readonly problem: VerifyProblem;
  constructor(problem: VerifyProblem) {
    super(problem.message);
    this.problem = problem;
  }
}

function fail(code: VerifyProblemCode, message: string, at?: number): never {
  throw new Found({ code, message, ...(at === undefined ? {} : { at }) });
}

export async function verifyLedgerStore(
  store: LedgerStore,
  options: VerifyOptions,
): Promise<VerifyReport> {
  const range = FastCompactRange.empty();
  const report: VerifyReport = {
    ok: false,
    origin: options.origin,
    from: 0,
    size: 0,
    root: toBase64(range.root()),
    checkpoints: 0,
    lookupRows: 0,
  };
  try {
    report.state = await run(store, options, range, report);
    report.ok = true;
  } catch (error) {
    if (error instanceof Found) report.problem = error.problem;
    else if (error instanceof LedgerError && error.category === 'verification') {
      report.problem = { code: 'STRUCTURE', message: error.message };
    } else {
      report.problem = { code: 'READ_FAILED', message: (error as Error).message };
    }
  }
  if (report.state) report.root = report.state.root;
  else report.root = toBase64(range.root());
  return report;
}

/** The tree and map an earlier verification proved, re-checked against the store. */
async function resumeFrom(
  store: LedgerStore,
  resume: VerifyState,
  origin: string,
  size: number,
): Promise<{ range: FastCompactRange; map: LedgerMap }> {
  if (resume.origin !== origin) {
    fail('ORIGIN_MISMATCH', `the saved state is for "${resume.origin}", the store is "${origin}"`);
  }
  if (resume.size > size) {
    fail(
      'STRUCTURE',
      `the store holds ${size} entries, fewer than the ${resume.size} verified before: rolled back`,
      size,
    );
  }
  const range = FastCompactRange.fromPeaks(
    resume.size,
    await store.readNodes(peakNodes(resume.size)),
  );
  if (toBase64(range.root()) !== resume.root) {
    fail(
      'NODE_MISMATCH',
      `the stored tree of size ${resume.size} no longer has the root verified before: the store was changed`,
      resume.size,
    );
  }
  const map = resume.mapHead >= 0 ? await LedgerMap.load(store, resume.mapHead) : LedgerMap.empty();
  if (toBase64(map.root()) !== resume.mapRoot) {
    fail(
      'MAP_ROWS_MISMATCH',
      `the stored lookup map of map head ${resume.mapHead} no longer has the root verified before`,
      resume.mapHead,
    );
  }
  return { range, map };
}

async function run(
  store: LedgerStore,
  options: VerifyOptions,
  start: FastCompactRange,
  report: VerifyReport,
): Promise<VerifyState> {
  let range = start;
  const meta = await store.readMeta();
  if (!meta) fail('STRUCTURE', 'the store holds no ledger metadata');
  if (meta.origin !== options.origin) {
    fail('ORIGIN_MISMATCH', `the store's origin is "${meta.origin}", expected "${options.origin}"`);
  }
  const size = await store.size();
  report.size = size;
  const structural = await store.checkStructure(size);
  if (structural) fail('STRUCTURE', structural);

  const checkCheckpoint = (cp: StoredCheckpoint, root: Hash | undefined) => {
    if (!root) fail('CHECKPOINT_MISMATCH', `checkpoint of size ${cp.size} is misplaced`, cp.size);
    let opened;
    try {
      opened = openCheckpoint(cp.note, [options.verifier], options.origin).checkpoint;
    } catch (error) {
      fail(
        'CHECKPOINT_INVALID',
        `the checkpoint of size ${cp.size} does not verify: ${(error as Error).message}`,
        cp.size,
      );
    }
    if (opened.size !== cp.size) {
      fail(
        'CHECKPOINT_MISMATCH',
        `the checkpoint stored for size ${cp.size} says size ${opened.size}`,
        cp.size,
      );
    }
    if (!equalBytes(opened.root, root)) {
      fail(
        'CHECKPOINT_MISMATCH',
        `the signed root at size ${cp.size} differs from the root recomputed from the entries`,
        cp.size,
      );
    }
    // Once the log has a map head, every batch ends with one (docs/formats.md, "Lookup map").
    if (
      cp.size > 0 &&
      replay.lastHead >= 0 &&
      cp.size - 1 >= firstHead &&
      !heads.has(cp.size - 1)
    ) {
      fail(
        'MAP_HEAD_MISSING',
        `the checkpoint of size ${cp.size} does not end with a map head`,
        cp.size,
      );
    }
    report.checkpoints++;
  };

  let replay = new MapReplay(options.origin);
  let begin = 0;
  if (options.resume) {
    const resumed = await resumeFrom(store, options.resume, options.origin, size);
    range = resumed.range;
    replay = new MapReplay(options.origin, resumed.map);
    begin = options.resume.size;
    report.from = begin;
  }
  /** Map heads seen, so that every checkpoint after the first can be checked to end in one. */
  const heads = new Set<number>();
  let firstHead = -1;
  const checkMapRows = async (head: number, expected: MapValueRow[], previous: number) => {
    const stored = await store.readMapChanges(previous, head);
    const text = (rows: MapValueRow[]) =>
      rows
        .map(
          (r) =>
            `${Buffer.from(r.key).toString('hex')}@${r.version}=${Buffer.from(r.value).toString('hex')}`,
        )
        .sort()
        .join('\n');
    if (text(stored) !== text(expected)) {
      fail(
        'MAP_ROWS_MISMATCH',
        `the stored lookup-map rows of map head ${head} differ from those its entries imply; ` +
          'run `notarize ledger reindex`',
        head,
      );
    }
  };

  if (begin === 0) {
    const [first] = await store.listCheckpoints(-1, 1);
    if (first?.size === 0) checkCheckpoint(first, range.root());
  }
  const chunk = options.chunk ?? 16384;
  for (let from = begin; from < size; from += chunk) {
    const to = Math.min(size, from + chunk);
    const entries = await store.readEntries(from, to);
    const checkpoints = (await store.listCheckpoints(from, chunk + 1)).filter((c) => c.size <= to);
    const wanted = new Set(checkpoints.map((c) => c.size));
    // Roots at the checkpointed sizes of this chunk; checked after the chunk's nodes and lookups,
    // so a damaged entry is reported as itself rather than as the checkpoint it invalidates.
    const roots = new Map<number, Hash>();
    const byLevel = new Map<number, { first: number; hashes: Hash[] }>();
    const expectedRows: LookupRow[] = [];
    // Checked after the chunk's nodes: an altered entry is reported as itself, not as the map
    // head whose root it changes.
    const mapHeads: {
      index: number;
      previousHead: number;
      replayed: { rows: MapValueRow[] } | { index: number; message: string };
    }[] = [];
    for (let i = 0; i < entries.length; i++) {
      const index = from + i;
      const bytes = entries[i] as Uint8Array;
      let keys: number[];
      let entry;
      try {
        entry = decodeStoredEntry(bytes, index);
        keys = [...new Set(entryKeys(entry).map(keyId))];
      } catch (error) {
        fail('ENTRY_INVALID', (error as Error).message, index);
      }
      for (const k of keys.sort((a, b) => a - b)) expectedRows.push({ keyId: k, index });
      const leaf = leafHash(bytes);
      const previousHead = replay.lastHead;
      const replayed = replay.add(index, entry, leaf);
      if (replayed) {
        heads.add(index);
        if (firstHead < 0) firstHead = index;
        mapHeads.push({ index, previousHead, replayed });
      }
      range.append(leaf, (level, nodeIndex, hash) => {
        let run = byLevel.get(level);
        if (!run) byLevel.set(level, (run = { first: nodeIndex, hashes: [] }));
        run.hashes.push(hash);
      });
      if (wanted.has(range.size)) roots.set(range.size, range.root());
    }
    for (const [level, { first, hashes }] of [...byLevel].sort((a, b) => a[0] - b[0])) {
      const stored = await store.readLevel(level, first, first + hashes.length);
      hashes.forEach((hash, i) => {
        if (!equalBytes(hash, stored[i] as Hash)) {
          const index = first + i;
          fail(
            'NODE_MISMATCH',
            level === 0
              ? `entry ${index}: the stored leaf hash differs from the hash of the entry`
              : `the stored hash of node (level ${level}, index ${index}) differs from the recomputed one`,
            level === 0 ? index : undefined,
          );
        }
      });
    }
    const storedRows = await store.readLookups(from, to);
    const n = Math.max(storedRows.length, expectedRows.length);
    for (let i = 0; i < n; i++) {
      const s = storedRows[i];
      const e = expectedRows[i];
      if (!s || !e || s.index !== e.index || s.keyId !== e.keyId) {
        const at = Math.min(s?.index ?? Infinity, e?.index ?? Infinity);
        fail(
          'LOOKUP_MISMATCH',
          `the lookup index disagrees with the log at entry ${at} ` +
            `(${s ? `stored key ${s.keyId}` : 'no stored row'}, ${e ? `expected key ${e.keyId}` : 'no row expected'}); ` +
            'run `notarize ledger reindex`',
          at,
        );
      }
    }
    report.lookupRows += storedRows.length;
    for (const { index, previousHead, replayed } of mapHeads) {
      if ('message' in replayed) fail('MAP_HEAD_MISMATCH', replayed.message, index);
      await checkMapRows(index, replayed.rows, previousHead);
    }
    for (const cp of checkpoints) checkCheckpoint(cp, roots.get(cp.size));
  }
  // A store other instances append to (PostgreSQL) may have grown since `size` was read: what
  // lies beyond `size` is only wrong when it is also beyond the log's current size.
  const [beyond] = await store.listCheckpoints(size, 1);
  if (beyond && beyond.size > (await store.size()))
    fail(
      'CHECKPOINT_MISMATCH',
      `a checkpoint of size ${beyond.size} is beyond the log`,
      beyond.size,
    );
  const latest = await store.latestCheckpoint();
  if (!latest || latest.size < size || !(await store.checkpointAt(size))) {
    fail('CHECKPOINT_MISSING', `no checkpoint covers the whole log (size ${size})`, size);
  }
  return {
    origin: options.origin,
    size,
    root: toBase64(range.root()),
    mapHead: replay.lastHead,
    mapRoot: toBase64(replay.map.root()),
  };
}
