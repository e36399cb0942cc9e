/**
 * Witness benchmarks (issue 17), each next to a reference measured in the same run:
 * - cosignatures/s of one witness for one log (sequential checkpoints, each with its consistency
 *   proof), and for 1,000 logs with one checkpoint each (16 requests in flight), through
 *   `Witness.addCheckpoint` (parse, signature, proof, durable atomic state write, cosignature),
 *   vs the floor of that work: one node:crypto Ed25519 signature plus one fsync'd write-and-rename
 *   per cosignature;
 * - the map-verifying witness's replay rate (entries/s read from the ledger's tiles, hashed to the
 *   root, map replayed) vs the embedded ledger's own append rate (batches of 100, full sync);
 * - the delay from an acknowledged append to a witnessed `/checkpoint` with 3 local witnesses
 *   (p50/p99; collector interval 20 ms) vs the append's own latency.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdir, open, rename } from 'node:fs/promises';
import path from 'node:path';
import { openLedgerClient } from '@notarize/client';
import { Ledger } from '@notarize/ledger';
import {
  formatAddCheckpoint,
  generateNoteKey,
  leafHash,
  noteSignerFromSkey,
  parseCheckpoint,
  parseNote,
  rootFromLeafHashes,
  signCheckpoint,
  type Hash,
} from '@notarize/tlog';
import { buildAssertion, type LedgerEntry } from '@notarize/trust';
import { MapCheck, openWitness, startWitnessServer } from '@notarize/witness';
import { generateApiKey } from '../packages/server/src/auth/api-keys.ts';
import {
  configFromDocument,
  EngineBackend,
  silentLogger,
  startLedgerService,
} from '../packages/server/src/service/index.ts';
import { readTile } from '../packages/server/src/service/tiles.ts';
import {
  higherIsBetter,
  lowerIsBetter,
  percentile,
  type BenchContext,
  type BenchRow,
} from './harness.ts';

function largest(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
/** RFC 9162 SUBPROOF over leaf hashes (proofs are made before timing starts). */
function subproof(m: number, leaves: readonly Hash[], b: boolean): Hash[] {
  if (m === leaves.length) return b ? [] : [rootFromLeafHashes(leaves)];
  const k = largest(leaves.length);
  if (m <= k) return [...subproof(m, leaves.slice(0, k), b), rootFromLeafHashes(leaves.slice(k))];
  return [...subproof(m - k, leaves.slice(k), false), rootFromLeafHashes(leaves.slice(0, k))];
}

/** The reference floor: Ed25519 signature (node:crypto) + fsync'd write-and-rename, per op. */
async function floorPerSecond(dir: string, ops: number): Promise<number> {
  await mkdir(dir, { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  const msg = Buffer.alloc(120, 7);
  const t = performance.now();
  for (let i = 0; i < ops; i++) {
    const sig = sign(null, msg, privateKey);
    const tmp = path.join(dir, `.s.tmp`);
    const h = await open(tmp, 'w');
    await h.writeFile(sig);
    await h.sync();
    await h.close();
    await rename(tmp, path.join(dir, 'state.json'));
  }
  return ops / ((performance.now() - t) / 1000);
}

async function oneLog(ctx: BenchContext, n: number): Promise<number> {
  const key = generateNoteKey('bench.example/log');
  const leaves = Array.from({ length: n + 1 }, (_, i) => leafHash(Buffer.from(`e${i}`)));
  const bodies: string[] = [];
  for (let size = 1; size <= n; size++) {
    const note = signCheckpoint(
      {
        origin: 'bench.example/log',
        size,
        root: rootFromLeafHashes(leaves.slice(0, size)),
        extensions: [],
      },
      noteSignerFromSkey(key.skey),
    );
    const old = size - 1;
    bodies.push(
      formatAddCheckpoint(old, old === 0 ? [] : subproof(old, leaves.slice(0, size), true), note),
    );
  }
  const w = await openWitness({
    dataDir: path.join(ctx.workDir, 'one'),
    logs: [key.vkey],
    name: 'bench/w',
  });
  const t = performance.now();
  for (const body of bodies) await w.witness.addCheckpoint(body);
  return n / ((performance.now() - t) / 1000);
}

async function manyLogs(ctx: BenchContext, logs: number): Promise<number> {
  const keys = Array.from({ length: logs }, (_, i) => generateNoteKey(`bench.example/log${i}`));
  const root = rootFromLeafHashes([leafHash(Buffer.from('x'))]);
  const bodies = keys.map((k, i) =>
    formatAddCheckpoint(
      0,
      [],
      signCheckpoint(
        { origin: `bench.example/log${i}`, size: 1, root, extensions: [] },
        noteSignerFromSkey(k.skey),
      ),
    ),
  );
  const w = await openWitness({
    dataDir: path.join(ctx.workDir, 'many'),
    logs: keys.map((k) => k.vkey),
    name: 'bench/w',
  });
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < bodies.length) await w.witness.addCheckpoint(bodies[next++]!);
    }),
  );
  return logs / ((performance.now() - t) / 1000);
}

const entry = (n: number): LedgerEntry => ({
  v: 1,
  ...buildAssertion({
    subjects: [{ name: `a${n}`, digest: `sha256:${n.toString(16).padStart(64, '0')}` }],
    status: 'trusted',
    reason: 'bench',
  }),
  identity: { name: 'bench', role: 'pipeline', auth: 'local' },
  time: new Date().toISOString(),
});

async function replayVsAppend(ctx: BenchContext, entries: number) {
  const dir = path.join(ctx.workDir, 'ledger');
  const ledger = await Ledger.open({ dir, origin: 'bench.example/ledger' });
  const t = performance.now();
  for (let i = 0; i < entries; i += 100) {
    await ledger.append(Array.from({ length: 100 }, (_, j) => entry(i + j)));
  }
  const appendRate = entries / ((performance.now() - t) / 1000);
  const backend = new EngineBackend(ledger);
  const latest = await backend.latest();
  const check = new MapCheck(
    { tile: async (p) => (await readTile(backend, p)).body },
    path.join(ctx.workDir, 'map-witness'),
  );
  const r = performance.now();
  await check.check(
    'bench.example/ledger',
    undefined,
    parseCheckpoint(parseNote(latest.note).text),
  );
  const replayRate = latest.size / ((performance.now() - r) / 1000);
  await ledger.close();
  return { appendRate, replayRate, size: latest.size };
}

async function endToEnd(ctx: BenchContext, samples: number) {
  const dataDir = path.join(ctx.workDir, 'svc');
  const ledger = await Ledger.open({ dir: dataDir, origin: 'bench.example/svc' });
  const vkey = ledger.vkey;
  await ledger.close();
  const witnesses = [];
  for (let i = 0; i < 3; i++) {
    const w = await openWitness({
      dataDir: path.join(ctx.workDir, `w${i}`),
      logs: [vkey],
      name: `w${i}.bench/witness`,
    });
    const server = await startWitnessServer(
      w.witness,
      w.metrics,
      { host: '127.0.0.1', port: 0 },
      () => {},
    );
    witnesses.push({ name: w.identity.name, vkey: w.identity.vkey, url: server.url, server });
  }
  const apiKey = generateApiKey();
  const config = configFromDocument(
    {
      origin: 'bench.example/svc',
      identities: { bench: { role: 'pipeline' } },
      apiKeys: [{ hash: apiKey.hash, identity: 'bench' }],
      witnesses: witnesses.map(({ name, vkey: k, url }) => ({ name, vkey: k, url })),
      witnessIntervalMs: 20,
    },
    dataDir,
    { dataDir, listen: '127.0.0.1:0' },
  );
  const service = await startLedgerService(config, { logger: silentLogger });
  const client = await openLedgerClient(service.url, {
    vkey,
    statePath: false,
    token: apiKey.key,
    notice: () => {},
  });
  const collector = service.service.parts.witnesses as unknown as {
    witnessedSize(): number | undefined;
  };
  const delays: number[] = [];
  const appends: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    const [receipt] = await client.append([
      buildAssertion({
        subjects: [{ name: 'x', digest: `sha256:${(i + 1).toString(16).padStart(64, 'a')}` }],
        status: 'trusted',
        reason: 'bench',
      }),
    ]);
    appends.push(performance.now() - t);
    while ((collector.witnessedSize() ?? 0) < receipt!.checkpoint.size) {
      await new Promise((r) => setTimeout(r, 1));
    }
    delays.push(performance.now() - t);
  }
  await client.close();
  await service.close();
  for (const w of witnesses) await w.server.close();
  return {
    p50: percentile(delays, 50),
    p99: percentile(delays, 99),
    appendP50: percentile(appends, 50),
    appendP99: percentile(appends, 99),
  };
}

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const n = ctx.quick ? 100 : 1000;
  const floor = await floorPerSecond(path.join(ctx.workDir, 'floor'), n);
  ctx.log(`floor: ${floor.toFixed(0)} ops/s`);
  const one = await oneLog(ctx, n);
  ctx.log(`one log: ${one.toFixed(0)} cosignatures/s`);
  const many = await manyLogs(ctx, ctx.quick ? 100 : 1000);
  ctx.log(`many logs: ${many.toFixed(0)} cosignatures/s`);
  const replay = await replayVsAppend(ctx, ctx.quick ? 2000 : 20000);
  ctx.log(`replay ${replay.replayRate.toFixed(0)}/s vs append ${replay.appendRate.toFixed(0)}/s`);
  const e2e = await endToEnd(ctx, ctx.quick ? 20 : 100);
  ctx.log(`append -> witnessed p50 ${e2e.p50.toFixed(1)} ms, p99 ${e2e.p99.toFixed(1)} ms`);
  const floorRef = 'Ed25519 sign (node:crypto) + fsync write-rename, per op';
  return [
    {
      name: `witness cosignatures, 1 log, ${n} sequential checkpoints`,
      value: one,
      unit: 'cosig/s',
      reference: floorRef,
      referenceValue: floor,
      ratio: higherIsBetter(one, floor),
    },
    {
      name: `witness cosignatures, ${ctx.quick ? 100 : 1000} logs x 1 checkpoint, 16 in flight`,
      value: many,
      unit: 'cosig/s',
      reference: floorRef,
      referenceValue: floor,
      ratio: higherIsBetter(many, floor),
    },
    {
      name: `map-verifying witness replay, ${replay.size} entries`,
      value: replay.replayRate,
      unit: 'entries/s',
      reference: 'embedded ledger append rate (batches of 100, full sync)',
      referenceValue: replay.appendRate,
      ratio: higherIsBetter(replay.replayRate, replay.appendRate),
      target: '>= 1 (keeps up with the ledger)',
    },
    {
      name: 'append -> witnessed /checkpoint, 3 witnesses, p50',
      value: e2e.p50,
      unit: 'ms',
      reference: 'the append itself, p50',
      referenceValue: e2e.appendP50,
      ratio: lowerIsBetter(e2e.p50, e2e.appendP50),
      notes: 'collector interval 20 ms',
    },
    {
      name: 'append -> witnessed /checkpoint, 3 witnesses, p99',
      value: e2e.p99,
      unit: 'ms',
      reference: 'the append itself, p99',
      referenceValue: e2e.appendP99,
      ratio: lowerIsBetter(e2e.p99, e2e.appendP99),
      notes: 'collector interval 20 ms',
    },
  ];
}
