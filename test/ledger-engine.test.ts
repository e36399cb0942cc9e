import { stat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import {
  CompactRange,
  leafHash as tlogLeafHash,
  nodeHash as tlogNodeHash,
  rootFromLeafHashes,
  noteVerifierFromVkey,
  verifyConsistency,
  verifyInclusion,
  verifyTlogProof,
  type Hash,
} from '@notarize/tlog';
import { encodeEntry } from '@notarize/trust';
import { Ledger, LedgerError, checkLedgerExtends, receiptToTlogProof } from '@notarize/ledger';
import { FastCompactRange } from '../packages/ledger/src/compact-range.ts';
import { leafHash, nodeHash, toBase64 } from '../packages/ledger/src/hashing.ts';
import { digestOf, makeEntry } from './support/ledger-fixtures.ts';
import { b64, checkInclusion, tempDir } from './support/ledger-helpers.ts';

/** Leaf hashes of the whole log, the map heads the ledger appends to every batch included. */
async function logLeaves(ledger: Ledger): Promise<Hash[]> {
  return (await ledger.entryBytes(0, ledger.size)).map((bytes) => tlogLeafHash(bytes));
}

/** Kinds of the log's entries [from, to). */
async function kinds(ledger: Ledger, from: number, to: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push((await ledger.entry(i)).entry.entry.kind);
  return out;
}

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  tmp = await tempDir();
});
afterEach(async () => {
  await tmp.done();
});

describe('hashing and compact range agree with @notarize/tlog', () => {
  it('leaf and node hashes', () => {
    const data = new TextEncoder().encode('{"v":1}');
    expect(toBase64(leafHash(data))).toBe(toBase64(tlogLeafHash(data)));
    const a = leafHash(data);
    const b = leafHash(new Uint8Array([1, 2, 3]));
    expect(toBase64(nodeHash(a, b))).toBe(toBase64(tlogNodeHash(a, b)));
  });

  it('roots and emitted nodes for every size up to 300', () => {
    const ours = FastCompactRange.empty();
    const theirs = CompactRange.empty();
    const leaves: Hash[] = [];
    for (let i = 0; i < 300; i++) {
      const leaf = tlogLeafHash(new TextEncoder().encode(`leaf ${i}`));
      leaves.push(leaf);
      const a: string[] = [];
      const b: string[] = [];
      ours.append(leaf, (level, index, hash) => a.push(`${level}/${index}/${toBase64(hash)}`));
      theirs.append(leaf, (id, hash) => b.push(`${id.level}/${id.index}/${toBase64(hash)}`));
      expect(a).toEqual(b);
      expect(toBase64(ours.root())).toBe(toBase64(theirs.root()));
      if (i % 37 === 0) expect(toBase64(ours.root())).toBe(toBase64(rootFromLeafHashes(leaves)));
    }
    const restored = FastCompactRange.fromPeaks(ours.size, ours.peaks());
    expect(toBase64(restored.root())).toBe(toBase64(ours.root()));
  });
});

describe('Ledger', () => {
  it('creates its key on first open, 0600, and keeps its origin', async () => {
    const ledger = await Ledger.open({ dir: tmp.dir });
    expect(ledger.origin).toMatch(/^notarize\.local\/[0-9a-f]{16}$/);
    const mode = (await stat(path.join(tmp.dir, 'ledger.key'))).mode & 0o777;
    expect(mode).toBe(0o600);
    const vkey = (await readFile(path.join(tmp.dir, 'ledger.vkey'), 'utf8')).trim();
    expect(vkey).toBe(ledger.vkey);
    expect(vkey.startsWith(`${ledger.origin}+`)).toBe(true);
    const origin = ledger.origin;
    await ledger.close();
    const again = await Ledger.open({ dir: tmp.dir });
    expect(again.origin).toBe(origin);
    expect(again.vkey).toBe(vkey);
    await again.close();
    await expect(Ledger.open({ dir: tmp.dir, origin: 'other.example/log' })).rejects.toMatchObject({
      code: 'ORIGIN_MISMATCH',
      category: 'input',
    });
  });

  it('returns receipts that verify offline, and its roots equal tlog roots', async () => {
    const ledger = await Ledger.open({ dir: tmp.dir, origin: 'test.example/log' });
    const entries = Array.from({ length: 37 }, (_, i) => makeEntry(i));
    const receipts = await ledger.append(entries.slice(0, 20));
    const one = await ledger.append(entries[20]!);
    const rest = await ledger.append(entries.slice(21));
    // Each batch is followed by the map head the ledger appends: 0..19 + head 20, 21 + head 22,
    // 23..38 + head 39.
    expect(receipts.map((r) => r.index)).toEqual([...Array(20).keys()]);
    expect(one.index).toBe(21);
    expect(rest.map((r) => r.index)).toEqual(Array.from({ length: 16 }, (_, i) => 23 + i));
    expect([receipts[0]!.size, one.size, rest[0]!.size]).toEqual([21, 23, 40]);
    expect(ledger.size).toBe(40);
    for (const [i, r] of [...receipts, one, ...rest].entries()) {
      checkInclusion(ledger.vkey, r.checkpoint, entries[i]!, r.index, r.proof);
    }
    const leaves = await logLeaves(ledger);
    // The log is exactly our entries, in order, with a map head closing each batch.
    const heads = [20, 22, 39];
    const ours = [...Array(40).keys()].filter((i) => !heads.includes(i));
    for (const [i, index] of ours.entries()) {
      expect(toBase64(leaves[index]!)).toBe(toBase64(tlogLeafHash(encodeEntry(entries[i]!))));
    }
    for (const index of heads) expect(await kinds(ledger, index, index + 1)).toEqual(['map-head']);
    // The C2SP tlog-proof form verifies with tlog's own verifier.
    const text = receiptToTlogProof(rest[3]!);
    expect(
      verifyTlogProof(
        text,
        tlogLeafHash(encodeEntry(entries[24]!)),
        [noteVerifierFromVkey(ledger.vkey)],
        'test.example/log',
      ),
    ).toMatchObject({ index: 26 });
    expect(ledger.checkpoint().root).toBe(toBase64(rootFromLeafHashes(leaves)));
    // Every committed batch has its checkpoint, with the root of that prefix.
    for (const size of [21, 23, 40]) {
      const cp = await ledger.checkpointAt(size);
      expect(cp.root).toBe(toBase64(rootFromLeafHashes(leaves.slice(0, size))));
    }
    // Reopening restores the state from stored peaks.
    await ledger.close();
    const again = await Ledger.open({ dir: tmp.dir });
    expect(again.checkpoint().root).toBe(toBase64(rootFromLeafHashes(leaves)));
    const more = await again.append(makeEntry(99));
    expect(more.index).toBe(40);
    leaves.push(tlogLeafHash(encodeEntry(makeEntry(99))));
    // ... and the map head that closes its batch.
    expect(await kinds(again, 41, 42)).toEqual(['map-head']);
    leaves.push(tlogLeafHash((await again.entryBytes(41, 42))[0]!));
    expect(more.size).toBe(42);
    expect(more.root).toBe(toBase64(rootFromLeafHashes(leaves)));
    await again.close();
  });

  it('group-commits concurrent appends into shared checkpoints', async () => {
    const ledger = await Ledger.open({ dir: tmp.dir });
    const entries = Array.from({ length: 200 }, (_, i) => makeEntry(i));
    const receipts = await Promise.all(entries.map((e) => ledger.append(e)));
    const sizes = new Set(receipts.map((r) => r.size));
    // 200 calls made in one tick share one commit (a loaded machine may split it, never 200).
    expect(sizes.size).toBeLessThanOrEqual(3);
    expect(new Set(receipts.map((r) => r.index)).size).toBe(200);
    for (const r of receipts) {
      const entry = (await ledger.entry(r.index, { at: r.size })).entry.entry;
      checkInclusion(ledger.vkey, r.checkpoint, entry, r.index, r.proof);
    }
    await ledger.close();
  });

  it('answers lookups with proofs, as of any checkpointed size', async () => {
    const ledger = await Ledger.open({ dir: tmp.dir });
    const digest = `sha256:${digestOf('shared')}`;
    await ledger.append([makeEntry(0, { subject: 'shared' }), makeEntry(1)]);
    const mid = ledger.size;
    // Entries 0 and 1, then the batch's map head at 2.
    expect(mid).toBe(3);
    const second = await ledger.append([
      makeEntry(2, { subject: 'shared', identity: 'qa-bot', jobId: '42' }),
      makeEntry(3, { jobId: '42' }),
      makeEntry(4, { jobId: '43' }),
    ]);
    expect(second.map((r) => r.index)).toEqual([3, 4, 5]);
    const now = await ledger.bySubject(digest);
    expect(now.entries.map((e) => e.index)).toEqual([0, 3]);
    expect(now.consistency).toBeUndefined();
    for (const e of now.entries)
      checkInclusion(ledger.vkey, now.checkpoint.note, e.entry, e.index, e.proof);

    const then = await ledger.bySubject(digest, { at: mid });
    expect(then.entries.map((e) => e.index)).toEqual([0]);
    expect(then.checkpoint.size).toBe(mid);
    checkInclusion(
      ledger.vkey,
      then.checkpoint.note,
      then.entries[0]!.entry,
      0,
      then.entries[0]!.proof,
    );
    const c = then.consistency!;
    verifyConsistency(
      c.size1,
      c.size2,
      b64(then.checkpoint.root),
      b64(c.latest.root),
      c.proof.map(b64),
    );

    const job = await ledger.byJob({ provider: 'github', project: 'acme/widgets', jobId: '42' });
    expect(job.entries.map((e) => e.index)).toEqual([3, 4]);
    expect((await ledger.byIdentity('qa-bot')).entries.map((e) => e.index)).toEqual([3]);
    // Map heads (2 and 6) are the ledger's own entries and have no lookup keys.
    expect((await ledger.byIdentity('ci')).entries.map((e) => e.index)).toEqual([0, 1, 4, 5]);
    expect((await ledger.byIdentity(ledger.origin)).entries).toEqual([]);
    expect((await ledger.bySubject(`sha256:${digestOf('nothing')}`)).entries).toEqual([]);

    await expect(ledger.bySubject(digest, { at: 1 })).rejects.toMatchObject({
      code: 'CHECKPOINT_NOT_FOUND',
      category: 'input',
    });
    await expect(ledger.entry(0, { at: 99 })).rejects.toMatchObject({ code: 'SIZE_OUT_OF_RANGE' });
    await expect(ledger.entry(mid, { at: mid })).rejects.toMatchObject({ code: 'ENTRY_NOT_FOUND' });
    await ledger.close();
  });

  it('proves inclusion and consistency for every pair of sizes from stored nodes', async () => {
    const ledger = await Ledger.open({ dir: tmp.dir });
    const entries = Array.from({ length: 70 }, (_, i) => makeEntry(i));
    for (let i = 0; i < 70; i += 7) await ledger.append(entries.slice(i, i + 7));
    // Ten batches of 7 entries, each closed by a map head.
    expect(ledger.size).toBe(80);
    const leaves = await logLeaves(ledger);
    for (const [i, e] of entries.entries()) {
      const index = i + Math.floor(i / 7);
      expect(toBase64(leaves[index]!)).toBe(toBase64(tlogLeafHash(encodeEntry(e))));
    }
    for (let size = 1; size <= 80; size += 3) {
      const root = rootFromLeafHashes(leaves.slice(0, size));
      for (let index = 0; index < size; index += 5) {
        const proof = await ledger.inclusion(index, size);
        verifyInclusion(leaves[index]!, index, size, proof.map(b64), root);
      }
      for (let size1 = 0; size1 <= size; size1 += 4) {
        const { proof } = await ledger.consistency(size1, size);
        verifyConsistency(
          size1,
          size,
          rootFromLeafHashes(leaves.slice(0, size1)),
          root,
          proof.map(b64),
        );
      }
    }
    await ledger.close();
  });

  it('is idempotent per key and refuses a key reused for other content', async () => {
    const ledger = await Ledger.open({ dir: tmp.dir });
    const first = await ledger.append([makeEntry(1), makeEntry(2)], { idempotencyKey: 'req-1' });
    await ledger.append(makeEntry(3));
    // 1, 2, map head; 3, map head.
    expect(ledger.size).toBe(5);
    const replay = await ledger.append([makeEntry(1), makeEntry(2)], { idempotencyKey: 'req-1' });
    expect(replay.map((r) => r.index)).toEqual(first.map((r) => r.index));
    expect(ledger.size).toBe(5);
    for (const r of replay)
      checkInclusion(ledger.vkey, r.checkpoint, makeEntry(r.index + 1), r.index, r.proof);
    // Concurrent duplicates in one batch append once.
    const [a, b] = await Promise.all([
      ledger.append(makeEntry(7), { idempotencyKey: 'req-2' }),
      ledger.append(makeEntry(7), { idempotencyKey: 'req-2' }),
    ]);
    expect(a.index).toBe(b.index);
    // One entry and its batch's map head.
    expect(ledger.size).toBe(7);
    await expect(ledger.append(makeEntry(9), { idempotencyKey: 'req-1' })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
      category: 'conflict',
    });
    expect(ledger.size).toBe(7);
    await ledger.close();
  });

  it('rebuilds its lookup index from the log', async () => {
    const ledger = await Ledger.open({ dir: tmp.dir });
    await ledger.append(
      Array.from({ length: 50 }, (_, i) => makeEntry(i, { jobId: String(i % 3) })),
    );
    await ledger.close();
    const db = new DatabaseSync(path.join(tmp.dir, 'ledger.db'));
    db.exec('DELETE FROM lookup WHERE idx % 2 = 0');
    db.close();
    const damaged = await Ledger.open({ dir: tmp.dir });
    const report = await damaged.verify();
    expect(report.ok).toBe(false);
    expect(report.problem?.code).toBe('LOOKUP_MISMATCH');
    // 51 log entries (50 and their map head); map rows: 50 subjects, 3 jobs, 1 identity.
    expect(await damaged.reindex()).toEqual({ entries: 51, rows: 150, mapRows: 54 });
    expect((await damaged.verify()).ok).toBe(true);
    const job = await damaged.byJob({ provider: 'github', project: 'acme/widgets', jobId: '0' });
    expect(job.entries).toHaveLength(17);
    await damaged.close();
  });

  it('sequences after another process that appended to the same store', async () => {
    const a = await Ledger.open({ dir: tmp.dir });
    const b = await Ledger.open({ dir: tmp.dir });
    await a.append(makeEntry(0));
    // After 0 and its map head (1).
    const rb = await b.append(makeEntry(1));
    expect(rb.index).toBe(2);
    const ra = await a.append(makeEntry(2));
    expect(ra.index).toBe(4);
    checkInclusion(a.vkey, ra.checkpoint, makeEntry(2), 4, ra.proof);
    expect((await a.verify()).ok).toBe(true);
    await a.close();
    await b.close();
  });

  it('detects a rollback against a checkpoint seen before', async () => {
    const ledger = await Ledger.open({ dir: tmp.dir });
    await ledger.append([makeEntry(0), makeEntry(1)]);
    const seen = ledger.checkpoint();
    expect(seen.size).toBe(3);
    await ledger.append(makeEntry(2));
    await expect(checkLedgerExtends(ledger, seen)).resolves.toMatchObject({ size: 5 });
    const newer = ledger.checkpoint();
    await ledger.close();
    // Cut the store back to size 3, the first batch and its map head (a restored older copy
    // looks the same).
    const db = new DatabaseSync(path.join(tmp.dir, 'ledger.db'));
    db.exec(
      'DELETE FROM entries WHERE idx >= 3; DELETE FROM checkpoints WHERE size > 3; ' +
        'DELETE FROM lookup WHERE idx >= 3; DELETE FROM map_values WHERE ver >= 3',
    );
    db.close();
    const old = await Ledger.open({ dir: tmp.dir });
    expect(old.size).toBe(3);
    const error = await checkLedgerExtends(old, newer).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerError);
    expect(error).toMatchObject({ code: 'ROLLBACK_DETECTED', category: 'verification' });
    await old.close();
  });
});

describe('fast checkpoint signer', () => {
  it('signs the same bytes as @notarize/tlog', async () => {
    const { generateNoteKey, noteSignerFromSkey } = await import('@notarize/tlog');
    const { fastNoteSigner } = await import('../packages/ledger/src/signing-key.ts');
    for (let i = 0; i < 5; i++) {
      const { skey } = generateNoteKey(`fast.example/log${i}`);
      const msg = new TextEncoder().encode(`fast.example/log${i}\n${i}\nAAAA\n`);
      const fast = fastNoteSigner(skey);
      const reference = noteSignerFromSkey(skey);
      expect(fast.keyId).toBe(reference.keyId);
      expect(toBase64(fast.sign(msg))).toBe(toBase64(reference.sign(msg)));
    }
  });
});

describe('fast checkpoint verifier', () => {
  it('accepts what tlog accepts and refuses altered messages and signatures', async () => {
    const { generateNoteKey, noteSignerFromSkey } = await import('@notarize/tlog');
    const { fastNoteVerifier } = await import('../packages/ledger/src/signing-key.ts');
    const { skey, vkey } = generateNoteKey('verify.example/log');
    const msg = new TextEncoder().encode('verify.example/log\n1\nAAAA\n');
    const sig = noteSignerFromSkey(skey).sign(msg);
    const verifier = fastNoteVerifier(vkey);
    expect(verifier.verify(msg, sig)).toBe(true);
    expect(verifier.verify(new TextEncoder().encode('verify.example/log\n2\nAAAA\n'), sig)).toBe(
      false,
    );
    const bad = sig.slice();
    bad[10] = bad[10]! ^ 1;
    expect(verifier.verify(msg, bad)).toBe(false);
    expect(verifier.verify(msg, sig.slice(0, 63))).toBe(false);
  });
});

describe('commit failures', () => {
  it('rejects every append of a failed commit, keeps the log unchanged, and recovers', async () => {
    const { SqliteStore } = await import('@notarize/ledger');
    const store = SqliteStore.open({ path: path.join(tmp.dir, 'ledger.db') });
    let failNext = false;
    const append = store.appendBatch.bind(store);
    store.appendBatch = async (batch) => {
      if (failNext) {
        failNext = false;
        throw new LedgerError('STORE_UNAVAILABLE', 'unavailable', 'disk on fire');
      }
      return append(batch);
    };
    const ledger = await Ledger.open({ dir: tmp.dir, store, maxBatch: 4 });
    await ledger.append(makeEntry(0));
    failNext = true;
    const results = await Promise.allSettled([1, 2, 3].map((n) => ledger.append(makeEntry(n))));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ category: 'unavailable' });
    // Entry 0 and its map head only.
    expect(ledger.size).toBe(2);
    // maxBatch splits a burst into several commits, each with its own checkpoint (and map head).
    const receipts = await Promise.all([4, 5, 6, 7, 8, 9].map((n) => ledger.append(makeEntry(n))));
    expect(receipts.map((r) => r.index)).toEqual([2, 3, 4, 5, 7, 8]);
    expect(new Set(receipts.map((r) => r.size))).toEqual(new Set([7, 10]));
    expect((await ledger.verify()).ok).toBe(true);
    await ledger.close();
  });

  it('refuses to open a store whose newest checkpoint does not match its tree', async () => {
    const ledger = await Ledger.open({ dir: tmp.dir });
    await ledger.append([makeEntry(0), makeEntry(1)]);
    await ledger.close();
    const db = new DatabaseSync(path.join(tmp.dir, 'ledger.db'));
    // Open checks the stored peaks (here node (1, 0), slot 256 of tile 0) against the checkpoint.
    db.exec(
      `UPDATE tiles SET data = CAST(substr(data, 1, 8192) || X'00' || substr(data, 8194) AS BLOB) WHERE id = 0`,
    );
    db.close();
    await expect(Ledger.open({ dir: tmp.dir })).rejects.toMatchObject({
      code: 'STORE_CORRUPT',
      category: 'verification',
    });
  });
});
