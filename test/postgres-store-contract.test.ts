/**
 * The LedgerStore contract, run against BOTH stores: the embedded SqliteStore and PostgresStore
 * (a private PostgreSQL cluster, test/support/postgres.ts). Batches are built here exactly as the
 * engine builds them (compact range, signed checkpoint); then the engine itself runs on each.
 */
import path from 'node:path';
import {
  generateNoteKey,
  noteSignerFromSkey,
  noteVerifierFromVkey,
  signCheckpoint,
} from '@notarize/tlog';
import {
  keyId,
  entryKeys,
  Ledger,
  LedgerError,
  SqliteStore,
  verifyLedgerStore,
  type AppendBatch,
  type IdempotencyRecord,
  type LedgerStore,
  type LookupRow,
  type NodeRecord,
} from '@notarize/ledger';
import { FastCompactRange } from '../packages/ledger/src/compact-range.ts';
import { leafHash, sha256, toBase64 } from '../packages/ledger/src/hashing.ts';
import { PostgresStore } from '../packages/ledger/src/postgres/index.ts';
import { entryBytes, makeEntry } from './support/ledger-fixtures.ts';
import { checkInclusion, tempDir } from './support/ledger-helpers.ts';
import { schemaUrl, startTestPostgres, type TestPostgres } from './support/postgres.ts';

const ORIGIN = 'contract.example/log';
const key = generateNoteKey(ORIGIN);
const signer = noteSignerFromSkey(key.skey);
const verifier = noteVerifierFromVkey(key.vkey);

let pgServer: TestPostgres;
let dbUrl: string;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let seq = 0;

beforeAll(async () => {
  tmp = await tempDir('store-contract-');
  pgServer = await startTestPostgres();
  dbUrl = await pgServer.createDatabase('contract');
}, 60_000);

afterAll(async () => {
  await pgServer?.stop();
  await tmp?.done();
});

interface Kind {
  name: string;
  /**
   * Made for several live instances (reads on one see appends by another after refresh()).
   * The embedded store caches its right-edge tiles per handle, so it is not.
   */
  shared: boolean;
  /** A new, empty store; `again()` opens another handle on the same one. */
  fresh(): Promise<{ store: LedgerStore; again(): Promise<LedgerStore> }>;
}

const kinds: Kind[] = [
  {
    name: 'SqliteStore',
    shared: false,
    async fresh() {
      const file = path.join(tmp.dir, `s${seq++}.db`);
      const open = async () => SqliteStore.open({ path: file });
      return { store: await open(), again: open };
    },
  },
  {
    name: 'PostgresStore',
    shared: true,
    async fresh() {
      const url = schemaUrl(dbUrl, `c${seq++}`);
      const open = () => PostgresStore.open(url);
      return { store: await open(), again: open };
    },
  },
];

/** A test log: the compact range the batches extend, like the engine's state. */
class Builder {
  range = FastCompactRange.empty();
  next = 0;

  checkpoint(size: number, root: Uint8Array) {
    return { size, note: signCheckpoint({ origin: ORIGIN, size, root, extensions: [] }, signer) };
  }

  async init(store: LedgerStore): Promise<void> {
    await store.initialize({ origin: ORIGIN, format: 1 }, this.checkpoint(0, this.range.root()));
  }

  batch(count: number, idem: { key: string }[] = []): AppendBatch {
    const range = this.range.clone();
    const start = range.size;
    const entries: Uint8Array[] = [];
    const leafHashes: Uint8Array[] = [];
    const nodes: NodeRecord[] = [];
    const lookups: LookupRow[] = [];
    for (let i = 0; i < count; i++) {
      const n = this.next + i;
      const entry = makeEntry(n, { jobId: String(n % 3), subject: `s${n % 5}` });
      const bytes = entryBytes(n, { jobId: String(n % 3), subject: `s${n % 5}` });
      const leaf = leafHash(bytes);
      const index = range.size;
      range.append(leaf, (level, idx, hash) => nodes.push({ level, index: idx, hash }));
      entries.push(bytes);
      leafHashes.push(leaf);
      for (const k of [...new Set(entryKeys(entry).map(keyId))]) lookups.push({ keyId: k, index });
    }
    const idempotency: IdempotencyRecord[] = idem.map((r) => ({
      key: r.key,
      first: start,
      count,
      requestHash: sha256(leafHashes[0] as Uint8Array),
    }));
    return {
      start,
      entries,
      leafHashes,
      nodes,
      lookups,
      checkpoint: this.checkpoint(range.size, range.root()),
      idempotency,
      mapValues: [],
    };
  }

  /** Marks a batch as committed. */
  commit(batch: AppendBatch): void {
    for (const h of batch.leafHashes) this.range.append(h);
    this.next += batch.entries.length;
  }
}

async function append(store: LedgerStore, b: Builder, count: number, idem: { key: string }[] = []) {
  const batch = b.batch(count, idem);
  await store.appendBatch(batch);
  b.commit(batch);
  return batch;
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<LedgerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LedgerError);
  expect((error as LedgerError).code).toBe(code);
  return error as LedgerError;
}

describe.each(kinds)('LedgerStore contract: $name', (kind) => {
  it('starts empty, initializes once, and reports the size-0 checkpoint', async () => {
    const { store } = await kind.fresh();
    try {
      expect(await store.readMeta()).toBeUndefined();
      expect(await store.size()).toBe(0);
      const b = new Builder();
      await b.init(store);
      expect(await store.readMeta()).toEqual({ origin: ORIGIN, format: 1 });
      expect((await store.latestCheckpoint())?.size).toBe(0);
      expect((await store.checkpointAt(0))?.note).toBe((await store.latestCheckpoint())?.note);
      expect(await store.checkStructure(0)).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('appends batches and reads back entries, nodes, checkpoints, lookups and keys', async () => {
    const { store } = await kind.fresh();
    try {
      const b = new Builder();
      await b.init(store);
      const first = await append(store, b, 300, [{ key: 'req-1' }]);
      const second = await append(store, b, 213);
      expect(await store.size()).toBe(513);

      const entries = await store.readEntries(250, 310);
      expect(entries).toHaveLength(60);
      expect(Buffer.from(entries[0] as Uint8Array)).toEqual(
        Buffer.from(first.entries[250] as Uint8Array),
      );
      expect(Buffer.from(entries[59] as Uint8Array)).toEqual(
        Buffer.from(second.entries[9] as Uint8Array),
      );
      await expectCode(store.readEntries(510, 514), 'STORE_CORRUPT');

      // Every node either batch produced reads back, singly and by level.
      const all = [...first.nodes, ...second.nodes];
      const read = await store.readNodes(all.map(({ level, index }) => ({ level, index })));
      read.forEach((h, i) => expect(toBase64(h)).toBe(toBase64((all[i] as NodeRecord).hash)));
      const level1 = all.filter((n) => n.level === 1).sort((x, y) => x.index - y.index);
      const byLevel = await store.readLevel(1, 0, level1.length);
      expect(byLevel.map(toBase64)).toEqual(level1.map((n) => toBase64(n.hash)));
      await expectCode(store.readNodes([{ level: 16, index: 0 }]), 'STORE_CORRUPT');

      expect((await store.latestCheckpoint())?.note).toBe(second.checkpoint.note);
      expect((await store.checkpointAt(300))?.note).toBe(first.checkpoint.note);
      expect(await store.checkpointAt(301)).toBeUndefined();
      expect((await store.listCheckpoints(-1, 10)).map((c) => c.size)).toEqual([0, 300, 513]);
      expect((await store.listCheckpoints(0, 1)).map((c) => c.size)).toEqual([300]);

      const job0 = keyId(entryKeys(makeEntry(0, { jobId: '0' }))[1] as string);
      const expectedJob0 = Array.from({ length: 513 }, (_, i) => i).filter((i) => i % 3 === 0);
      const found = await store.lookup(job0, 513);
      expect(found.filter((i) => expectedJob0.includes(i))).toEqual(expectedJob0);
      expect(await store.lookup(job0, 10)).toEqual(found.filter((i) => i < 10));
      const rows = await store.readLookups(100, 103);
      expect(rows).toEqual(
        [...first.lookups]
          .filter((r) => r.index >= 100 && r.index < 103)
          .sort((x, y) => x.index - y.index || x.keyId - y.keyId),
      );

      const idem = await store.idempotency('req-1');
      expect(idem).toMatchObject({ key: 'req-1', first: 0, count: 300 });
      expect(toBase64(idem!.requestHash)).toBe(toBase64(first.idempotency[0]!.requestHash));
      expect(await store.idempotency('req-2')).toBeUndefined();

      expect(await store.checkStructure(513)).toBeUndefined();
      const report = await verifyLedgerStore(store, { origin: ORIGIN, verifier });
      expect(report).toMatchObject({
        ok: true,
        size: 513,
        checkpoints: 3,
        root: toBase64(b.range.root()),
      });
    } finally {
      await store.close();
    }
  });

  it('refuses a batch that does not start at the current size and changes nothing', async () => {
    const { store, again } = await kind.fresh();
    const other = await again();
    try {
      const b = new Builder();
      await b.init(store);
      const stale = new Builder();
      await append(store, b, 10);
      // A second handle that still believes the log is empty.
      const error = await expectCode(other.appendBatch(stale.batch(5)), 'STORE_CONFLICT');
      expect(error.category).toBe('conflict');
      // Reusing an index already taken conflicts too, whatever handle writes it.
      const replay = new Builder();
      replay.commit(replay.batch(5));
      await expectCode(store.appendBatch(replay.batch(5)), 'STORE_CONFLICT');
      expect(await store.size()).toBe(10);
      expect(await other.size()).toBe(10);
      expect(await store.checkStructure(10)).toBeUndefined();
      // The writer that lost catches up from the store and goes on.
      await append(other, b, 7);
      expect(await store.size()).toBe(17);
      expect((await verifyLedgerStore(store, { origin: ORIGIN, verifier })).ok).toBe(true);
    } finally {
      await other.close();
      await store.close();
    }
  });

  it('rebuilds lookups atomically and checkStructure reports a size that disagrees', async () => {
    const { store } = await kind.fresh();
    try {
      const b = new Builder();
      await b.init(store);
      const one = await append(store, b, 40);
      const two = await append(store, b, 24);
      const rows = [...one.lookups, ...two.lookups];
      async function* chunks() {
        yield rows.slice(0, 50);
        yield rows.slice(50);
      }
      expect(await store.rebuildLookups(chunks())).toBe(rows.length);
      expect(await store.readLookups(0, 64)).toEqual(
        [...rows].sort((x, y) => x.index - y.index || x.keyId - y.keyId),
      );
      // Rebuilding with fewer rows removes the others (what a corrupted index repair does).
      async function* fewer() {
        yield rows.filter((r) => r.index % 2 === 0);
      }
      await store.rebuildLookups(fewer());
      const left = await store.readLookups(0, 64);
      expect(left.every((r) => r.index % 2 === 0)).toBe(true);
      const report = await verifyLedgerStore(store, { origin: ORIGIN, verifier });
      expect(report.problem?.code).toBe('LOOKUP_MISMATCH');
      expect(await store.checkStructure(64)).toBeUndefined();
      // A size the store does not have is reported.
      expect(await store.checkStructure(65)).toEqual(expect.any(String));
    } finally {
      await store.close();
    }
  });

  it('runs the engine: appends, proofs, lookups, as-of reads, reopen and verify', async () => {
    const dir = path.join(tmp.dir, `engine-${seq++}`);
    const { store, again } = await kind.fresh();
    const ledger = await Ledger.open({ dir, origin: 'engine.example/log', store });
    const early = await ledger.append(makeEntry(-1));
    const receipts = await Promise.all(
      Array.from({ length: 20 }, (_, r) =>
        ledger.append(
          Array.from({ length: 5 }, (_, i) => makeEntry(r * 5 + i, { subject: `x${i}` })),
        ),
      ),
    );
    const flat = receipts.flat();
    expect(new Set(flat.map((r) => r.index)).size).toBe(100);
    // Entry 0 and its map head, the 100 entries, and one map head per commit they were grouped in.
    expect(early.size).toBe(2);
    const commits = new Set(flat.map((r) => r.size)).size;
    expect(ledger.size).toBe(2 + 100 + commits);
    const r7 = flat[7]!;
    const [bytes] = await ledger.entryBytes(r7.index, r7.index + 1);
    expect(Buffer.from(bytes!).equals(Buffer.from(entryBytes(7, { subject: 'x2' })))).toBe(true);
    checkInclusion(ledger.vkey, r7.checkpoint, bytes!, r7.index, r7.proof);
    checkInclusion(ledger.vkey, early.checkpoint, makeEntry(-1), 0, early.proof);
    const bySubject = await ledger.bySubject(
      `sha256:${(makeEntry(0, { subject: 'x3' }).statement.subject[0]!.digest as { sha256: string }).sha256}`,
    );
    expect(bySubject.entries).toHaveLength(20);
    for (const e of bySubject.entries) {
      checkInclusion(ledger.vkey, bySubject.checkpoint.note, e.entry, e.index, e.proof);
    }
    const asOf = await ledger.entry(0, { at: early.size });
    expect(asOf.checkpoint.size).toBe(2);
    expect(asOf.consistency?.size2).toBe(ledger.size);
    const head = ledger.checkpoint();
    await ledger.close();

    const reopened = await Ledger.open({ dir, store: await again() });
    try {
      expect(reopened.checkpoint()).toEqual(head);
      await reopened.append(makeEntry(1000));
      const report = await reopened.verify();
      // One more entry and its map head.
      expect(report).toMatchObject({ ok: true, size: head.size + 2 });
    } finally {
      await reopened.close();
    }
  });

  it('lets two engine instances on one store append in turn without forking', async () => {
    const dir = path.join(tmp.dir, `two-${seq++}`);
    const { store, again } = await kind.fresh();
    const a = await Ledger.open({ dir, origin: 'two.example/log', store });
    const b = await Ledger.open({ dir, store: await again() });
    try {
      for (let round = 0; round < 5; round++) {
        const ra = await a.append(makeEntry(round * 2));
        const rb = await b.append(makeEntry(round * 2 + 1));
        // b caught up with a's append (and its map head), then sequenced after it
        expect(rb.index).toBe(ra.index + 2);
        expect(rb.index).toBe(round * 4 + 2);
      }
      if (kind.shared) {
        // Reads on either instance see the other's appends once it catches up.
        await b.append(makeEntry(100));
        expect(a.size).toBe(18); // a last appended entry 16, then its map head 17
        expect((await a.refresh()).size).toBe(22);
        const read = await a.entry(20);
        checkInclusion(a.vkey, read.checkpoint.note, makeEntry(100), 20, read.entry.proof);
      }
      const report = await b.verify();
      expect(report).toMatchObject({ ok: true, size: kind.shared ? 22 : 20 });
    } finally {
      await a.close();
      await b.close();
    }
  });
});
