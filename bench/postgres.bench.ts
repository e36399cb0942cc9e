/**
 * PostgreSQL store benchmarks (issue 9), each next to the embedded store measured in the same run:
 * - append throughput and per-append latency with 1, 2 and 3 engine instances (separate
 *   processes, 16 concurrent single-entry writers each) on one PostgreSQL, for a fixed time;
 *   reference: one instance on the embedded store under the same load;
 * - verified read latency at 1M entries (100k with --quick): read a random entry with its
 *   inclusion proof and check it against the signed checkpoint as a client would; reference: the
 *   same on an embedded store of the same size.
 * PostgreSQL is a private cluster on this machine (test/support/postgres.ts), fsync on.
 *
 * The file is also its own child process: `node bench/postgres.bench.ts child <store> <dir> <ms>`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ledger } from '@notarize/ledger';
import { PostgresStore } from '../packages/ledger/src/postgres/index.ts';
import { makeEntry } from '../test/support/ledger-fixtures.ts';
import { checkInclusion } from '../test/support/ledger-helpers.ts';
import { schemaUrl, startTestPostgres } from '../test/support/postgres.ts';
import {
  higherIsBetter,
  lowerIsBetter,
  percentile,
  type BenchContext,
  type BenchRow,
} from './harness.ts';

const SELF = fileURLToPath(import.meta.url);
const NODE = process.execPath;
const WRITERS = 16;

async function openLedger(store: string, dir: string): Promise<Ledger> {
  return store.startsWith('postgres')
    ? Ledger.open({ dir, store: await PostgresStore.open(store) })
    : Ledger.open({ dir });
}

/** Child: waits for "go" on stdin, appends for `ms`, prints {count, latencies} as JSON. */
async function child(store: string, dir: string, ms: number, id: number): Promise<void> {
  const ledger = await openLedger(store, dir);
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  const until = Date.now() + ms;
  const latencies: number[] = [];
  let failed = 0;
  let n = id * 100_000_000;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (Date.now() < until) {
        const t0 = performance.now();
        try {
          await ledger.append(makeEntry(n++, { jobId: String(n % 9) }));
          latencies.push(performance.now() - t0);
        } catch {
          failed++;
        }
      }
    }),
  );
  await ledger.close();
  process.stdout.write(`${JSON.stringify({ count: latencies.length, failed, latencies })}\n`);
}

interface LoadResult {
  perSecond: number;
  p50: number;
  p99: number;
  failed: number;
}

async function load(
  store: string,
  dir: string,
  instances: number,
  ms: number,
): Promise<LoadResult> {
  const children = Array.from({ length: instances }, (_, i) => {
    const proc = spawn(NODE, [SELF, 'child', store, dir, String(ms), String(i + 1)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.setEncoding('utf8');
    const ready = new Promise<void>((resolve) =>
      proc.stdout.on('data', (c: string) => {
        out += c;
        if (out.startsWith('ready\n')) resolve();
      }),
    );
    const done = new Promise<{ count: number; failed: number; latencies: number[] }>(
      (resolve, reject) =>
        proc.on('exit', (code) =>
          code === 0
            ? resolve(JSON.parse(out.slice('ready\n'.length)))
            : reject(new Error(`bench child exited ${code}`)),
        ),
    );
    return { proc, ready, done };
  });
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.proc.stdin.end('go\n');
  const results = await Promise.all(children.map((c) => c.done));
  const latencies = results.flatMap((r) => r.latencies);
  return {
    perSecond: latencies.length / (ms / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    failed: results.reduce((n, r) => n + r.failed, 0),
  };
}

/** Fills a ledger with `size` entries in large batches. */
async function fill(ledger: Ledger, size: number, ctx: BenchContext): Promise<void> {
  const BATCH = 10_000;
  for (let from = ledger.size; from < size; from += BATCH) {
    const n = Math.min(BATCH, size - from);
    await ledger.append(
      Array.from({ length: n }, (_, i) => makeEntry(from + i, { jobId: String((from + i) % 97) })),
    );
    if ((from / BATCH) % 20 === 0) ctx.log(`  filled ${from + n}`);
  }
}

async function verifiedReads(ledger: Ledger, reads: number): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (let r = 0; r < reads; r++) {
    const index = Math.floor(Math.random() * ledger.size);
    const t0 = performance.now();
    const { entry, checkpoint } = await ledger.entry(index);
    checkInclusion(ledger.vkey, checkpoint.note, entry.entry, index, entry.proof);
    samples.push(performance.now() - t0);
  }
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const ms = ctx.quick ? 3000 : 8000;
  const readSize = ctx.quick ? 100_000 : 1_000_000;
  const server = await startTestPostgres();
  const rows: BenchRow[] = [];
  try {
    const db = await server.createDatabase('bench');
    ctx.log(`embedded store: 1 instance, ${WRITERS} writers, ${ms} ms`);
    const embedded = await load('file', path.join(ctx.workDir, 'embedded'), 1, ms);
    for (const instances of [1, 2, 3]) {
      const url = schemaUrl(db, `append${instances}`);
      const dir = path.join(ctx.workDir, `pg${instances}`);
      await (await openLedger(url, dir)).close(); // create the log and its key once
      ctx.log(`postgres: ${instances} instance(s), ${WRITERS} writers each, ${ms} ms`);
      const r = await load(url, dir, instances, ms);
      const notes = `p99 ${r.p99.toFixed(1)} ms (embedded ${embedded.p99.toFixed(1)}); ${r.failed} appends rejected`;
      rows.push({
        name: `append throughput, PostgreSQL, ${instances} instance(s)`,
        value: r.perSecond,
        unit: 'entries/s',
        reference: `embedded store, 1 instance`,
        referenceValue: embedded.perSecond,
        ratio: higherIsBetter(r.perSecond, embedded.perSecond),
        notes,
      });
      rows.push({
        name: `append latency p50, PostgreSQL, ${instances} instance(s)`,
        value: r.p50,
        unit: 'ms',
        reference: `embedded store, 1 instance`,
        referenceValue: embedded.p50,
        ratio: lowerIsBetter(r.p50, embedded.p50),
        notes,
      });
    }

    ctx.log(`verified reads at ${readSize} entries: filling both stores`);
    const pgLedger = await openLedger(schemaUrl(db, 'reads'), path.join(ctx.workDir, 'reads-pg'));
    const fileLedger = await openLedger('file', path.join(ctx.workDir, 'reads-file'));
    try {
      await fill(pgLedger, readSize, ctx);
      await fill(fileLedger, readSize, ctx);
      const reads = ctx.quick ? 500 : 2000;
      await verifiedReads(pgLedger, 50); // warm up
      await verifiedReads(fileLedger, 50);
      const p = await verifiedReads(pgLedger, reads);
      const f = await verifiedReads(fileLedger, reads);
      rows.push({
        name: `verified read latency p50 at ${readSize} entries, PostgreSQL`,
        value: p.p50,
        unit: 'ms',
        reference: 'embedded store, same size',
        referenceValue: f.p50,
        ratio: lowerIsBetter(p.p50, f.p50),
        notes: `p99 ${p.p99.toFixed(2)} ms (embedded ${f.p99.toFixed(2)}); ${reads} random entries, proof checked`,
      });
    } finally {
      await pgLedger.close();
      await fileLedger.close();
    }
  } finally {
    await server.stop();
  }
  return rows;
}

if (process.argv[1] === SELF && process.argv[2] === 'child') {
  const [, , , store, dir, ms, id] = process.argv;
  await child(store as string, dir as string, Number(ms), Number(id));
}
