/**
 * Ledger benchmarks (issue 3): durable append throughput and latency at 1, 16 and 256 concurrent
 * writers against a raw fsync'd file append of the same bytes in the same batch sizes; proof
 * generation/verification, RSS and reopen time at 1M and 10M entries (`--quick`: 100k and 1M).
 * Sync mode everywhere: SQLite WAL with synchronous=FULL (every commit fsyncs the WAL).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { decodeBase64, leafHash, verifyConsistency, verifyInclusion } from '@notarize/tlog';
import { Ledger } from '@notarize/ledger';
import { makeEntry } from '../test/support/ledger-fixtures.ts';
import {
  higherIsBetter,
  lowerIsBetter,
  percentile,
  type BenchContext,
  type BenchRow,
} from './harness.ts';

const SYNC = 'WAL, synchronous=FULL';
const encoder = new TextEncoder();

/** Canonical entry bytes without going through objects: the bulk loader's input. */
function templateEntry(n: number): Uint8Array {
  const hex = createHash('sha256').update(String(n)).digest('hex');
  return encoder.encode(
    `{"identity":{"auth":"local","name":"ci-${n % 50}","role":"pipeline"},"kind":"assertion",` +
      `"statement":{"_type":"https://in-toto.io/Statement/v1","predicate":{"ci":{"jobId":"${n >> 4}",` +
      `"project":"acme/widgets","provider":"github"},"status":"trusted"},` +
      `"predicateType":"https://notarize-action.dev/assertion/v1","subject":[{"digest":{"sha256":"${hex}"},` +
      `"name":"artifact-${n}.tgz"}]},"time":"2026-11-23T20:00:00Z","v":1}`,
  );
}

interface AppendRun {
  entries: number;
  seconds: number;
  latencies: number[];
  avgBatch: number;
  bytes: Uint8Array[];
}

async function appendRun(
  dir: string,
  writers: number,
  perCall: number,
  seconds: number,
): Promise<AppendRun> {
  await rm(dir, { recursive: true, force: true });
  const ledger = await Ledger.open({ dir });
  // A pool of distinct entries built up front (the writers' own cost is not the ledger's).
  const pool = Array.from({ length: 8192 }, (_, i) => makeEntry(i, { jobId: String(i % 97) }));
  const latencies: number[] = [];
  const sizes = new Set<number>();
  let entries = 0;
  let next = 0;
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (performance.now() < deadline) {
        const batch = Array.from({ length: perCall }, () => pool[next++ % pool.length]!);
        const t = performance.now();
        const receipts = await ledger.append(batch);
        latencies.push(performance.now() - t);
        sizes.add(receipts[0]!.size);
        entries += perCall;
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const bytes = await ledger.entryBytes(0, Math.min(ledger.size, 4096));
  await ledger.close();
  await rm(dir, { recursive: true, force: true });
  return { entries, seconds: elapsed, latencies, avgBatch: entries / sizes.size, bytes };
}

/** Raw reference: the same entry bytes appended to a file, one fsync per batch. */
function rawAppend(file: string, bytes: Uint8Array[], batch: number, total: number) {
  const fd = openSync(file, 'w');
  const latencies: number[] = [];
  const start = performance.now();
  let written = 0;
  while (written < total) {
    const t = performance.now();
    const parts: Uint8Array[] = [];
    for (let i = 0; i < batch; i++) {
      const b = bytes[(written + i) % bytes.length]!;
      const len = new Uint8Array(2);
      new DataView(len.buffer).setUint16(0, b.length);
      parts.push(len, b);
    }
    writeSync(fd, Buffer.concat(parts));
    fsyncSync(fd);
    latencies.push(performance.now() - t);
    written += batch;
  }
  const seconds = (performance.now() - start) / 1000;
  closeSync(fd);
  return { rate: written / seconds, latencies };
}

async function appendBenchmarks(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const seconds = ctx.quick ? 1.5 : 4;
  const configs: [number, number][] = [
    [1, 1],
    [16, 1],
    [256, 1],
    [16, 1000],
  ];
  for (const [writers, perCall] of configs) {
    const run = await appendRun(path.join(ctx.workDir, 'append'), writers, perCall, seconds);
    const rate = run.entries / run.seconds;
    const batch = Math.max(1, Math.round(run.avgBatch));
    const rawTotal = Math.min(Math.max(batch * 50, 2000), 400_000);
    const raw = rawAppend(path.join(ctx.workDir, 'raw.log'), run.bytes, batch, rawTotal);
    const label = `${writers} writer(s) x ${perCall} entr${perCall === 1 ? 'y' : 'ies'}/call`;
    const notes = `avg batch ${batch} entries/commit, ${SYNC}; objects validated+canonicalized per append`;
    ctx.log(`append ${label}: ${rate.toFixed(0)}/s (raw ${raw.rate.toFixed(0)}/s), batch ${batch}`);
    rows.push({
      name: `durable append, ${label}`,
      value: rate,
      unit: 'entries/s',
      reference: `raw file append + fsync per ${batch} entries`,
      referenceValue: raw.rate,
      ratio: higherIsBetter(rate, raw.rate),
      target: '>= 100,000 entries/s',
      notes,
    });
    for (const p of [50, 99]) {
      const ours = percentile(run.latencies, p);
      const ref = percentile(raw.latencies, p);
      rows.push({
        name: `append latency p${p}, ${label}`,
        value: ours,
        unit: 'ms',
        reference: `raw write+fsync of ${batch} entries, p${p}`,
        referenceValue: ref,
        ratio: lowerIsBetter(ours, ref),
        notes,
      });
    }
  }
  return rows;
}

/** Extends the ledger in `dir` to `size` entries through append() with 16,384-entry calls. */
async function bulkBuild(dir: string, size: number, ctx: BenchContext): Promise<number> {
  const ledger = await Ledger.open({ dir, origin: 'bench.example/log' });
  const start = performance.now();
  const from = ledger.size;
  const CALL = 16384;
  let inflight: Promise<unknown>[] = [];
  for (let n = from; n < size; n += CALL) {
    const count = Math.min(CALL, size - n);
    inflight.push(ledger.append(Array.from({ length: count }, (_, i) => templateEntry(n + i))));
    if (inflight.length >= 2) {
      await Promise.all(inflight);
      inflight = [];
    }
    if ((n / CALL) % 64 === 0) ctx.log(`bulk build: ${n}/${size}`);
  }
  await Promise.all(inflight);
  const rate = (size - from) / ((performance.now() - start) / 1000);
  await ledger.close();
  return rate;
}

interface ProofStats {
  openMs: number;
  rawOpenMs: number;
  rssMiB: number;
  inclusion: number[];
  inclusionVerify: number[];
  inclusionBytes: number;
  consistency: number[];
  consistencyVerify: number[];
  consistencyBytes: number;
  pointRead: number[];
}

/** Runs in a fresh process so that RSS and reopen time are the engine's, not the builder's. */
async function proofChild(dir: string): Promise<ProofStats> {
  const rawStart = performance.now();
  const raw = new DatabaseSync(path.join(dir, 'ledger.db'), { readOnly: true });
  raw.prepare('SELECT max(idx) FROM entries').get();
  const rawOpenMs = performance.now() - rawStart;
  const read = raw.prepare('SELECT data FROM entries WHERE idx = ?');
  const t0 = performance.now();
  const ledger = await Ledger.open({ dir, readOnly: true });
  const openMs = performance.now() - t0;
  const size = ledger.size;
  const root = decodeBase64(ledger.checkpoint().root)!;
  const stats: ProofStats = {
    openMs,
    rawOpenMs,
    rssMiB: 0,
    inclusion: [],
    inclusionVerify: [],
    inclusionBytes: 0,
    consistency: [],
    consistencyVerify: [],
    consistencyBytes: 0,
    pointRead: [],
  };
  const samples = 2000;
  for (let s = 0; s < samples; s++) {
    const index = Math.floor(Math.random() * size);
    const r0 = performance.now();
    const bytes = (read.get(index) as { data: Uint8Array }).data;
    stats.pointRead.push(performance.now() - r0);
    const a = performance.now();
    const proof = (await ledger.inclusion(index, size)).map((p) => decodeBase64(p)!);
    stats.inclusion.push(performance.now() - a);
    stats.inclusionBytes = Math.max(stats.inclusionBytes, proof.length * 32);
    const b = performance.now();
    verifyInclusion(leafHash(bytes), index, size, proof, root);
    stats.inclusionVerify.push(performance.now() - b);
  }
  const sizes = [] as number[];
  for (let after = -1; sizes.length < 400;) {
    const page = await ledger.store.listCheckpoints(after, 1000);
    if (page.length === 0) break;
    for (const cp of page) if (Math.random() < 0.2 && cp.size < size) sizes.push(cp.size);
    after = page[page.length - 1]!.size;
  }
  for (const size1 of sizes.slice(0, 400)) {
    const old = decodeBase64((await ledger.checkpointAt(size1)).root)!;
    const a = performance.now();
    const { proof } = await ledger.consistency(size1, size);
    stats.consistency.push(performance.now() - a);
    const hashes = proof.map((p) => decodeBase64(p)!);
    stats.consistencyBytes = Math.max(stats.consistencyBytes, hashes.length * 32);
    const b = performance.now();
    verifyConsistency(size1, size, old, root, hashes);
    stats.consistencyVerify.push(performance.now() - b);
  }
  stats.rssMiB = process.memoryUsage().rss / 2 ** 20;
  await ledger.close();
  raw.close();
  return stats;
}

function runProofChild(dir: string): Promise<ProofStats> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--proof-child', dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as ProofStats)
        : reject(new Error(`proof child exit ${code}`)),
    );
  });
}

async function proofBenchmarks(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dir = path.join(ctx.workDir, 'big');
  await mkdir(dir, { recursive: true });
  const sizes = ctx.quick ? [100_000, 1_000_000] : [1_000_000, 10_000_000];
  for (const size of sizes) {
    const buildRate = await bulkBuild(dir, size, ctx);
    const s = await runProofChild(dir);
    const label = size >= 1e6 ? `${size / 1e6}M` : `${size / 1e3}k`;
    ctx.log(
      `${label}: open ${s.openMs.toFixed(1)} ms, rss ${s.rssMiB.toFixed(0)} MiB, build ${buildRate.toFixed(0)}/s`,
    );
    rows.push({
      name: `bulk append (16,384 entries/call) to ${label}`,
      value: buildRate,
      unit: 'entries/s',
      reference: 'target',
      referenceValue: 100_000,
      ratio: higherIsBetter(buildRate, 100_000),
      target: '>= 100,000 entries/s',
      notes: `canonical bytes in, ${SYNC}`,
    });
    const p = (xs: number[], q: number) => percentile(xs, q);
    for (const q of [50, 99]) {
      rows.push({
        name: `inclusion proof generation p${q} at ${label}`,
        value: p(s.inclusion, q),
        unit: 'ms',
        reference: 'SQLite point read of one entry',
        referenceValue: p(s.pointRead, q),
        ratio: lowerIsBetter(p(s.inclusion, q), p(s.pointRead, q)),
        notes: `proof ${s.inclusionBytes} bytes`,
      });
      rows.push({
        name: `inclusion proof verification p${q} at ${label}`,
        value: p(s.inclusionVerify, q),
        unit: 'ms',
        reference: 'proof generation',
        referenceValue: p(s.inclusion, q),
        ratio: lowerIsBetter(p(s.inclusionVerify, q), p(s.inclusion, q)),
      });
      rows.push({
        name: `consistency proof generation p${q} at ${label}`,
        value: p(s.consistency, q),
        unit: 'ms',
        reference: 'SQLite point read of one entry',
        referenceValue: p(s.pointRead, q),
        ratio: lowerIsBetter(p(s.consistency, q), p(s.pointRead, q)),
        notes: `proof <= ${s.consistencyBytes} bytes; verification p${q} ${p(s.consistencyVerify, q).toFixed(3)} ms`,
      });
    }
    rows.push({
      name: `reopen time at ${label}`,
      value: s.openMs,
      unit: 'ms',
      reference: 'raw SQLite open + SELECT max(idx)',
      referenceValue: s.rawOpenMs,
      ratio: lowerIsBetter(s.openMs, s.rawOpenMs),
    });
    rows.push({
      name: `engine RSS after open + 2,400 proofs at ${label}`,
      value: s.rssMiB,
      unit: 'MiB',
      reference: 'SQLite page cache limit',
      referenceValue: 32,
      ratio: lowerIsBetter(s.rssMiB, 32),
    });
  }
  return rows;
}

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  return [...(await appendBenchmarks(ctx)), ...(await proofBenchmarks(ctx))];
}

if (process.argv[2] === '--proof-child') {
  const stats = await proofChild(process.argv[3] as string);
  process.stdout.write(JSON.stringify(stats));
}
