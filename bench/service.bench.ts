/**
 * Ledger service benchmark (issue 4):
 * - appends over HTTP from 64 concurrent verifying clients, one entry per request and batched,
 *   vs the embedded engine appending the same entries with the same concurrency, in this run;
 * - verified status reads (subject lookup + signature + consistency + inclusion checks) on a
 *   ledger of 1M entries (100k with --quick), over HTTP vs the embedded client.
 * Sync mode: the embedded SQLite store's (WAL, synchronous=FULL): every acknowledged batch is
 * fsync'd. Batch sizes are stated in the row names.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createLedgerDispatcher, openLedgerClient, type LedgerClient } from '@notarize/client';
import { Ledger } from '@notarize/ledger';
import { buildAssertion, type LedgerEntry } from '@notarize/trust';
import { generateApiKey } from '../packages/server/src/auth/api-keys.ts';
import {
  configFromDocument,
  silentLogger,
  startLedgerService,
} from '../packages/server/src/service/index.ts';
import {
  higherIsBetter,
  lowerIsBetter,
  percentile,
  type BenchContext,
  type BenchRow,
} from './harness.ts';

const CLIENTS = 64;

const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const draft = (n: number) =>
  buildAssertion({
    subjects: [{ name: `a${n}`, digest: digest(n) }],
    status: 'trusted',
    reason: 'bench',
  });
const entry = (n: number): LedgerEntry => ({
  v: 1,
  ...draft(n),
  identity: { name: 'bench', role: 'pipeline', auth: 'local' },
  time: new Date().toISOString(),
});

interface Run {
  entriesPerSec: number;
  p50: number;
  p99: number;
}

/** `workers` loops, each doing `perWorker` calls of `op`; latency per call in ms. */
async function concurrently(
  workers: number,
  perWorker: number,
  entriesPerCall: number,
  op: (worker: number, i: number) => Promise<unknown>,
): Promise<Run> {
  const latencies: number[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; i < perWorker; i++) {
        const t = performance.now();
        await op(w, i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return {
    entriesPerSec: (workers * perWorker * entriesPerCall) / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

export interface LoadJob {
  kind: 'service-bench-load';
  url: string;
  vkey: string;
  token: string;
  plans: { batch: number; perWorker: number; first: number }[];
}

/**
 * The HTTP load generator runs in a worker thread: 64 verifying clients in the service's own
 * event loop would measure the clients' verification as much as the service.
 */
async function loadWorker(job: LoadJob): Promise<Run[]> {
  const dispatcher = createLedgerDispatcher({ connections: CLIENTS });
  const clients: LedgerClient[] = await Promise.all(
    Array.from({ length: CLIENTS }, () =>
      openLedgerClient(job.url, {
        vkey: job.vkey,
        token: job.token,
        statePath: false,
        dispatcher,
        env: {},
        notice: () => {},
      }),
    ),
  );
  try {
    // Warm-up (connections, JIT, schema compilation), not measured.
    await Promise.all(clients.map((c, w) => c.append([draft(2_000_000_000 + w)])));
    const runs: Run[] = [];
    for (const { batch, perWorker, first } of job.plans) {
      runs.push(
        await concurrently(CLIENTS, perWorker, batch, (w, i) =>
          clients[w]!.append(
            Array.from({ length: batch }, (_, k) => draft(first + (w * perWorker + i) * batch + k)),
          ),
        ),
      );
    }
    return runs;
  } finally {
    for (const c of clients) await c.close();
    await dispatcher.close();
  }
}

if (!isMainThread && (workerData as LoadJob | undefined)?.kind === 'service-bench-load') {
  parentPort!.postMessage(await loadWorker(workerData as LoadJob));
}

export function runLoad(job: LoadJob): Promise<Run[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: job });
    worker.once('message', (runs: Run[]) => resolve(runs));
    worker.once('error', reject);
  });
}

async function appendRows(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const key = generateApiKey();
  const dataDir = path.join(ctx.workDir, 'http');
  const config = configFromDocument(
    {
      origin: 'bench.example/ledger',
      identities: { bench: { role: 'pipeline' } },
      apiKeys: [{ hash: key.hash, identity: 'bench' }],
      limits: { maxInflightRequests: 4096, maxQueuedEntries: 1_000_000 },
    },
    ctx.workDir,
    { dataDir, listen: '127.0.0.1:0' },
  );
  const service = await startLedgerService(config, { logger: silentLogger });
  const embedded = await Ledger.open({
    dir: path.join(ctx.workDir, 'embedded'),
    origin: 'bench.example/embedded',
  });
  const plans = [
    { batch: 1, perWorker: ctx.quick ? 10 : 40, first: 0 },
    { batch: 50, perWorker: ctx.quick ? 4 : 10, first: 100_000_000 },
  ];
  try {
    ctx.log(`appends over HTTP (load in a worker thread): ${JSON.stringify(plans)}`);
    const httpRuns = await runLoad({
      kind: 'service-bench-load',
      url: service.url,
      vkey: service.vkey,
      token: key.key,
      plans,
    });
    await Promise.all(
      Array.from({ length: CLIENTS }, (_, w) => embedded.append([entry(3_000_000_000 + w)])),
    );
    for (const [p, { batch, perWorker, first }] of plans.entries()) {
      const http = httpRuns[p]!;
      const base = first + 500_000_000;
      ctx.log(`appends embedded: ${CLIENTS} callers x ${perWorker} x ${batch}`);
      const engine = await concurrently(CLIENTS, perWorker, batch, (w, i) =>
        embedded.append(
          Array.from({ length: batch }, (_, k) => entry(base + (w * perWorker + i) * batch + k)),
        ),
      );
      const label = batch === 1 ? 'single' : `batches of ${batch}`;
      rows.push(
        {
          name: `HTTP appends, ${CLIENTS} clients, ${label}`,
          value: http.entriesPerSec,
          unit: 'entries/s',
          reference: `embedded engine, ${CLIENTS} concurrent callers`,
          referenceValue: engine.entriesPerSec,
          ratio: higherIsBetter(http.entriesPerSec, engine.entriesPerSec),
          notes: 'fsync per group commit; clients (worker thread) verify every receipt',
        },
        {
          name: `HTTP append latency p50, ${label}`,
          value: http.p50,
          unit: 'ms',
          reference: 'embedded engine p50',
          referenceValue: engine.p50,
          ratio: lowerIsBetter(http.p50, engine.p50),
        },
        {
          name: `HTTP append latency p99, ${label}`,
          value: http.p99,
          unit: 'ms',
          reference: 'embedded engine p99',
          referenceValue: engine.p99,
          ratio: lowerIsBetter(http.p99, engine.p99),
        },
      );
    }
  } finally {
    await service.close();
    await embedded.close();
  }
  return rows;
}

async function readRows(ctx: BenchContext): Promise<BenchRow[]> {
  const total = ctx.quick ? 100_000 : 1_000_000;
  const subjects = total / 2;
  const dir = path.join(ctx.workDir, 'reads');
  await mkdir(dir, { recursive: true });
  ctx.log(`reads: filling a ledger of ${total} entries (engine, batches of 10000)`);
  const ledger = await Ledger.open({ dir, origin: 'bench.example/reads' });
  for (let start = 0; start < total; start += 10_000) {
    await ledger.append(Array.from({ length: 10_000 }, (_, k) => entry((start + k) % subjects)));
  }
  await ledger.close();

  const config = configFromDocument({ origin: 'bench.example/reads' }, ctx.workDir, {
    dataDir: dir,
    listen: '127.0.0.1:0',
  });
  const service = await startLedgerService(config, { logger: silentLogger });
  const dispatcher = createLedgerDispatcher();
  const opts = { vkey: service.vkey, statePath: false as const, env: {}, notice: () => {} };
  const http = await openLedgerClient(service.url, { ...opts, dispatcher });
  const samples = ctx.quick ? 300 : 1000;
  const measure = async (client: LedgerClient) => {
    const lat: number[] = [];
    for (let i = 0; i < samples; i++) {
      const d = digest((i * 7919) % subjects);
      const t = performance.now();
      const r = await client.subject(d);
      lat.push(performance.now() - t);
      if (r.entries.length !== 2)
        throw new Error(`expected 2 entries for ${d}, got ${r.entries.length}`);
    }
    return { p50: percentile(lat, 50), p99: percentile(lat, 99) };
  };
  let over: { p50: number; p99: number };
  try {
    over = await measure(http);
  } finally {
    await http.close();
    await dispatcher.close();
    await service.close();
  }
  const local = await openLedgerClient(`file:${dir}`, opts);
  let embedded: { p50: number; p99: number };
  try {
    embedded = await measure(local);
  } finally {
    await local.close();
  }
  const size = ctx.quick ? '100k' : '1M';
  return [
    {
      name: `verified status read p50, ${size} entries`,
      value: over.p50,
      unit: 'ms',
      reference: 'embedded (file:) verified read p50',
      referenceValue: embedded.p50,
      ratio: lowerIsBetter(over.p50, embedded.p50),
      notes: 'subject lookup, 2 entries, signature + inclusion checks',
    },
    {
      name: `verified status read p99, ${size} entries`,
      value: over.p99,
      unit: 'ms',
      reference: 'embedded (file:) verified read p99',
      referenceValue: embedded.p99,
      ratio: lowerIsBetter(over.p99, embedded.p99),
    },
  ];
}

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  return [...(await appendRows(ctx)), ...(await readRows(ctx))];
}
