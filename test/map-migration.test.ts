/**
 * A ledger written before the lookup map (entries, nodes, lookups and checkpoints, but no map
 * heads and no map rows) gets its map on its first writable open: the map is built from every
 * entry and the first map head appended. From then on answers are proved complete; reads as of
 * a size before that map head are refused with the reason, never answered unproved.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { signCheckpoint } from '@notarize/tlog';
import { Ledger, SqliteStore, entryKeys, keyId, loadLedgerKey } from '@notarize/ledger';
import type { LookupRow, NodeRecord } from '@notarize/ledger';
import { FastCompactRange } from '../packages/ledger/src/compact-range.ts';
import { leafHash } from '../packages/ledger/src/hashing.ts';
import { notarizeCli } from './support/cli.ts';
import { digestOf, entryBytes, makeEntry } from './support/ledger-fixtures.ts';
import { tempDir } from './support/ledger-helpers.ts';

const ORIGIN = 'legacy.example/log';
let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  tmp = await tempDir();
});
afterEach(async () => {
  await tmp.done();
});

/** Writes a ledger the way the engine did before the map: `count` entries in batches of 4. */
async function writeLegacyLedger(dir: string, count: number): Promise<number[]> {
  await mkdir(dir, { recursive: true });
  const key = await loadLedgerKey(dir, ORIGIN, { create: true });
  const store = SqliteStore.open({ path: path.join(dir, 'ledger.db') });
  const range = FastCompactRange.empty();
  const sign = (size: number) =>
    signCheckpoint({ origin: ORIGIN, size, root: range.root(), extensions: [] }, key.signer!);
  await store.initialize({ origin: ORIGIN, format: 1 }, { size: 0, note: sign(0) });
  const sizes: number[] = [];
  for (let start = 0; start < count; start += 4) {
    const entries: Uint8Array[] = [];
    const leafHashes: Uint8Array[] = [];
    const nodes: NodeRecord[] = [];
    const lookups: LookupRow[] = [];
    for (let n = start; n < Math.min(count, start + 4); n++) {
      const options = { subject: n % 2 ? 'odd' : 'even', identity: n % 3 ? 'ci' : 'qa' };
      const bytes = entryBytes(n, options);
      const leaf = leafHash(bytes);
      const index = range.size;
      range.append(leaf, (level, i, hash) => nodes.push({ level, index: i, hash }));
      entries.push(bytes);
      leafHashes.push(leaf);
      for (const k of new Set(entryKeys(makeEntry(n, options)).map(keyId))) {
        lookups.push({ keyId: k, index });
      }
    }
    await store.appendBatch({
      start,
      entries,
      leafHashes,
      nodes,
      lookups,
      checkpoint: { size: range.size, note: sign(range.size) },
      idempotency: [],
      mapValues: [],
    });
    sizes.push(range.size);
  }
  await store.close();
  return sizes;
}

describe('a ledger written before the lookup map', () => {
  it('gets its map and first map head on its first writable open', async () => {
    const sizes = await writeLegacyLedger(tmp.dir, 10);
    const ledger = await Ledger.open({ dir: tmp.dir });
    expect(ledger.size).toBe(11);
    const head = await ledger.entry(10);
    expect(head.entry.entry.kind).toBe('map-head');
    expect((await ledger.verify()).ok).toBe(true);
    const answer = await ledger.mapAnswer([`subject:sha256:${digestOf('even')}`]);
    expect(answer.head).toBe(10);
    expect(answer.values[0]).toBeDefined();
    // Sizes before the first map head cannot be proved complete.
    await expect(ledger.mapAnswer(['identity:ci'], sizes[1])).rejects.toMatchObject({
      code: 'MAP_HEAD_MISSING',
    });
    await ledger.close();
    // Opening again neither migrates twice nor changes anything.
    const again = await Ledger.open({ dir: tmp.dir });
    expect(again.size).toBe(11);
    await again.close();
  });

  it('answers the CLI completely after `ledger reindex` migrated it, and refuses an unprovable --at', async () => {
    const sizes = await writeLegacyLedger(tmp.dir, 9);
    const run = (args: string[]) =>
      notarizeCli([...args, '--ledger', `file:${tmp.dir}`, '--json'], {
        cwd: tmp.dir,
        env: { NOTARIZE_STATE: path.join(tmp.dir, 'state.json') },
      });
    const digest = `sha256:${digestOf('odd')}`;
    // Reads open the ledger read-only: they cannot build the map, and say how to.
    const before = await run(['history', digest]);
    expect(before.code).toBe(10);
    expect(before.stderr).toMatch(/ledger reindex/);
    const reindex = await notarizeCli(['ledger', 'reindex', '--data', tmp.dir], { cwd: tmp.dir });
    expect(reindex.code).toBe(0);
    const history = await run(['history', digest]);
    expect(history.code).toBe(0);
    expect(history.json<{ events: unknown[] }>().events).toHaveLength(4);
    const status = await run(['status', digest]);
    expect(status.code).toBe(0);
    const past = await run(['status', digest, '--at', String(sizes[0])]);
    expect(past.code).toBe(10);
    expect(past.json()).toEqual({ error: expect.objectContaining({ exit: 10 }) });
    expect(past.stderr).toMatch(/map head|complete/);
    // Accepted explicitly: decided on entries proved included, and said so.
    const accepted = await run(['status', digest, '--at', String(sizes[0]), '--accept-incomplete']);
    expect(accepted.code).toBe(0);
    expect(accepted.json<{ complete?: boolean }>().complete).toBe(false);
    expect(accepted.stderr).toMatch(/NOT proved complete/);
    // Where the answer can be proved, the flag changes nothing.
    const now = await run(['status', digest, '--accept-incomplete']);
    expect(now.code).toBe(0);
    expect(now.json<{ complete?: boolean }>().complete).toBeUndefined();
  });
});
