/**
 * What the lookup map costs and saves (issue 13), each figure next to the engine before the map
 * (bench/baseline.ts: round 1's packages, run in the same process on the same machine):
 * - durable append throughput, 16 writers x 1000 entries/call and 256 x 1 (target >= 0.7 of
 *   the engine without the map; SQLite WAL, synchronous=FULL, a fresh ledger per run, 6 s per
 *   run, best of 3 runs alternating between the engines);
 * - gate latency p50/p99 on a 1M-entry file: ledger (100k with --quick), in process;
 * - `gate` over 10,000 subjects (target < 1.5 s) and over 1 subject with 10,000 assertions by
 *   5 identities (target < 100 ms), in process on a file: ledger; and the peak RSS of
 *   `notarize status` on that subject (the committed CLI bundle of each, target < 150 MB).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { buildAssertion, parsePolicy, toLedgerEntry, type LedgerEntry } from '@notarize/trust';
import type * as CliNs from '@notarize/cli';
import type * as ClientNs from '@notarize/client';
import type * as LedgerNs from '@notarize/ledger';
import { baselineRoot, importBaseline } from './baseline.ts';
import {
  higherIsBetter,
  lowerIsBetter,
  latency,
  type BenchContext,
  type BenchRow,
} from './harness.ts';
import { makeEntry } from '../test/support/ledger-fixtures.ts';

type LedgerModule = typeof LedgerNs;
type ClientModule = typeof ClientNs;
type CliModule = typeof CliNs;
interface Engine {
  name: string;
  ledger: LedgerModule;
  client: ClientModule;
  cli: CliModule;
}

const POLICY = `version: 1
require:
  - {role: pipeline, status: trusted}
block:
  - {status: untrusted}
`;
const ROLES = ['pipeline', 'scanner', 'qa', 'legal', 'pm'];
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const assertionOf = (n: number, who: number, time = '2026-11-29T12:00:00Z'): LedgerEntry =>
  toLedgerEntry(
    buildAssertion({ subjects: [{ name: `artifact-${n}`, digest: digest(n) }], status: 'trusted' }),
    { identity: { name: `${ROLES[who]}-bot`, role: ROLES[who]!, auth: 'local' }, time },
  );

async function engines(): Promise<Engine[]> {
  return [
    {
      name: 'with map',
      ledger: await import('@notarize/ledger'),
      client: await import('@notarize/client'),
      cli: await import('@notarize/cli'),
    },
    {
      name: 'before the map',
      ledger: await importBaseline<LedgerModule>('packages/ledger/src/index.ts'),
      client: await importBaseline<ClientModule>('packages/client/src/index.ts'),
      cli: await importBaseline<CliModule>('packages/cli/src/index.ts'),
    },
  ];
}

async function appendRate(
  engine: Engine,
  dir: string,
  writers: number,
  perCall: number,
  seconds: number,
): Promise<number> {
  await rm(dir, { recursive: true, force: true });
  const ledger = await engine.ledger.Ledger.open({ dir });
  const pool = Array.from({ length: 8192 }, (_, i) => makeEntry(i, { jobId: String(i % 97) }));
  let entries = 0;
  let next = 0;
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (performance.now() < deadline) {
        await ledger.append(Array.from({ length: perCall }, () => pool[next++ % pool.length]!));
        entries += perCall;
      }
    }),
  );
  const rate = entries / ((performance.now() - start) / 1000);
  await ledger.close();
  await rm(dir, { recursive: true, force: true });
  return rate;
}

/** Fills a ledger with `total` entries: 2 assertions (pipeline, qa) per subject. */
async function fill(engine: Engine, dir: string, total: number): Promise<string> {
  const ledger = await engine.ledger.Ledger.open({ dir, origin: 'bench.example/map' });
  const subjects = total / 2;
  for (let start = 0; start < total; start += 10_000) {
    await ledger.append(
      Array.from({ length: 10_000 }, (_, k) =>
        assertionOf(((start + k) >> 1) % subjects, (start + k) & 1 ? 2 : 0),
      ),
    );
  }
  const vkey = ledger.vkey;
  await ledger.close();
  return vkey;
}

async function gateLatency(engine: Engine, dir: string, vkey: string, subjects: number) {
  const policy = await parsePolicy(POLICY, { source: 'bench' });
  const client = await engine.client.openLedgerClient(`file:${dir}`, {
    vkey,
    statePath: false,
    env: {},
    notice: () => {},
  });
  try {
    return await latency(300, async (i) => {
      const d = digest((i * 7919) % subjects);
      const report = await engine.cli.evaluate({
        client,
        subjects: [{ subject: d, digest: d }],
        policy,
      });
      if (report.decision !== 'allow') throw new Error(`unexpected ${report.decision}`);
    });
  } finally {
    await client.close();
  }
}

/** One gate over `subjects` (best of 3, the first warms the caches). */
async function gateOnce(engine: Engine, dir: string, vkey: string, subjects: string[]) {
  const policy = await parsePolicy(POLICY, { source: 'bench' });
  const client = await engine.client.openLedgerClient(`file:${dir}`, {
    vkey,
    statePath: false,
    env: {},
    notice: () => {},
  });
  try {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await engine.cli.evaluate({
        client,
        subjects: subjects.map((d) => ({ subject: d, digest: d })),
        policy,
      });
      times.push(performance.now() - t);
    }
    return Math.min(...times);
  } finally {
    await client.close();
  }
}

/** Peak RSS (MiB) of `notarize status` (the CLI bundle `cli`) on one subject, a fresh process. */
function gateRss(cli: string, dir: string, vkey: string, subject: string): number {
  // VmHWM of the process itself: getrusage's maxrss keeps the forking parent's peak across exec.
  const report = [
    'import fs from "node:fs";',
    'process.on("exit", () => process.stderr.write("maxRSS=" +',
    '/VmHWM:\\s*(\\d+)/.exec(fs.readFileSync("/proc/self/status", "utf8"))[1]));',
  ].join('');
  const args = ['--import', `data:text/javascript,${report}`, cli, 'status', subject];
  const run = spawnSync(
    path.resolve('node_modules/.bin/node'),
    [...args, '--ledger', `file:${dir}`, '--ledger-key', vkey, '--json'],
    { encoding: 'utf8', env: { ...process.env, NOTARIZE_STATE: `${dir}.state.json` } },
  );
  const kib = /maxRSS=(\d+)/.exec(run.stderr)?.[1];
  if (run.status !== 0 || !kib) throw new Error(`notarize status failed: ${run.stderr}`);
  return Number(kib) / 1024;
}

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const [ours, before] = (await engines()) as [Engine, Engine];
  const rows: BenchRow[] = [];
  const seconds = ctx.quick ? 1 : 6;
  for (const [writers, perCall] of [
    [16, 1000],
    [256, 1],
  ] as const) {
    ctx.log(`append ${writers} x ${perCall}`);
    // Alternating runs, best of each: a shared machine's background load then hits both alike.
    let theirs = 0;
    let mine = 0;
    for (let run = 0; run < (ctx.quick ? 1 : 3); run++) {
      const dir = path.join(ctx.workDir, 'append');
      theirs = Math.max(theirs, await appendRate(before, dir, writers, perCall, seconds));
      mine = Math.max(mine, await appendRate(ours, dir, writers, perCall, seconds));
    }
    rows.push({
      name: `durable append, ${writers} writers x ${perCall}/call, with the map`,
      value: mine,
      unit: 'entries/s',
      reference: 'same engine before the map',
      referenceValue: theirs,
      ratio: higherIsBetter(mine, theirs),
      target: '>= 0.7',
      notes: 'fresh ledger each run, best of 3 alternating runs; SQLite WAL, synchronous=FULL',
    });
  }

  const total = ctx.quick ? 100_000 : 1_000_000;
  const size = ctx.quick ? '100k' : '1M';
  const latencies = [];
  for (const engine of [ours, before]) {
    const dir = path.join(ctx.workDir, `big-${engine === ours ? 'map' : 'before'}`);
    await mkdir(dir, { recursive: true });
    ctx.log(`gate latency (${engine.name}): filling ${total} entries`);
    const vkey = await fill(engine, dir, total);
    latencies.push(await gateLatency(engine, dir, vkey, total / 2));
    await rm(dir, { recursive: true, force: true });
  }
  const [mapLat, beforeLat] = latencies as [
    { p50: number; p99: number },
    { p50: number; p99: number },
  ];
  for (const p of ['p50', 'p99'] as const) {
    rows.push({
      name: `gate ${p}, file:, ${size} entries, in process, with the map`,
      value: mapLat[p],
      unit: 'ms',
      reference: 'same gate before the map',
      referenceValue: beforeLat[p],
      ratio: lowerIsBetter(mapLat[p], beforeLat[p]),
      notes: 'the map adds completeness: a map head, its inclusion proof and a map proof',
    });
  }

  // 10,000 subjects, one assertion each, and one subject with 10,000 assertions by 5 identities.
  const many = ctx.quick ? 2_000 : 10_000;
  const subjects = Array.from({ length: many }, (_, i) => digest(i));
  const hot = digest(999_999);
  const results = new Map<string, { wide: number; deep: number; rss: number }>();
  for (const engine of [ours, before]) {
    const dir = path.join(ctx.workDir, `wide-${engine === ours ? 'map' : 'before'}`);
    const ledger = await engine.ledger.Ledger.open({ dir, origin: 'bench.example/wide' });
    await ledger.append(subjects.map((_, i) => assertionOf(i, 0)));
    for (let k = 0; k < many; k += 1000) {
      await ledger.append(
        Array.from({ length: 1000 }, (_, j) => assertionOf(999_999, (k + j) % 5)),
      );
    }
    const vkey = ledger.vkey;
    await ledger.close();
    ctx.log(`gate over ${many} subjects (${engine.name})`);
    const wide = await gateOnce(engine, dir, vkey, subjects);
    const deep = await gateOnce(engine, dir, vkey, [hot]);
    const root = engine === ours ? path.resolve('.') : await baselineRoot();
    const rss = gateRss(path.join(root, 'dist/cli/index.js'), dir, vkey, hot);
    results.set(engine.name, { wide, deep, rss });
    await rm(dir, { recursive: true, force: true });
  }
  const m = results.get(ours.name)!;
  const b = results.get(before.name)!;
  rows.push(
    {
      name: `gate over ${many} subjects, file:, in process`,
      value: m.wide,
      unit: 'ms',
      reference: 'same gate before the map (one lookup per subject)',
      referenceValue: b.wide,
      ratio: lowerIsBetter(m.wide, b.wide),
      target: '< 1500 ms',
    },
    {
      name: `gate over 1 subject with ${many} assertions by 5 identities`,
      value: m.deep,
      unit: 'ms',
      reference: 'same gate before the map (reads every assertion)',
      referenceValue: b.deep,
      ratio: lowerIsBetter(m.deep, b.deep),
      target: '< 100 ms',
    },
    {
      name: `peak RSS, notarize status on 1 subject with ${many} assertions`,
      value: m.rss,
      unit: 'MiB',
      reference: 'the CLI bundle before the map',
      referenceValue: b.rss,
      ratio: lowerIsBetter(m.rss, b.rss),
      target: '< 150 MiB',
    },
  );
  return rows;
}
