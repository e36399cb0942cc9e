/**
 * Gate latency on a large ledger (issue 5): a verified gate decision for one subject on a ledger of
 * 1M entries (100k with --quick) — subject lookup, revocation lookups of the identities involved,
 * every inclusion proof and the checkpoint signature checked, policy evaluated — in process over
 * `file:` and HTTP, and as a whole `notarize gate` process. References measured in the same run:
 * the verified subject lookup alone (what a gate adds on top of a status read), and a bare `node`
 * process start (what the CLI adds on top of starting Node).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { evaluate } from '@notarize/cli';
import { createLedgerDispatcher, openLedgerClient, type LedgerClient } from '@notarize/client';
import { Ledger } from '@notarize/ledger';
import { configFromDocument, silentLogger, startLedgerService } from '@notarize/server/service';
import { buildAssertion, parsePolicy, toLedgerEntry, type LedgerEntry } from '@notarize/trust';
import { lowerIsBetter, latency, type BenchContext, type BenchRow } from './harness.ts';

const POLICY = `version: 1
require:
  - {identity: ci, status: trusted}
  - {role: qa, status: trusted}
block:
  - {status: untrusted}
`;
const IDENTITIES = [
  { name: 'ci', role: 'pipeline', auth: 'local' as const },
  { name: 'qa-alice', role: 'qa', auth: 'local' as const },
];
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const entry = (n: number, who: number): LedgerEntry =>
  toLedgerEntry(
    buildAssertion({ subjects: [{ name: `artifact-${n}`, digest: digest(n) }], status: 'trusted' }),
    { identity: IDENTITIES[who] as LedgerEntry['identity'], time: '2026-11-23T12:00:00Z' },
  );

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const total = ctx.quick ? 100_000 : 1_000_000;
  const subjects = total / 2;
  const dir = path.join(ctx.workDir, 'ledger');
  await mkdir(dir, { recursive: true });
  ctx.log(`gate: filling a ledger of ${total} entries (2 assertions per subject)`);
  const ledger = await Ledger.open({ dir, origin: 'bench.example/gate' });
  for (let start = 0; start < total; start += 10_000) {
    await ledger.append(
      Array.from({ length: 10_000 }, (_, k) =>
        entry(((start + k) >> 1) % subjects, (start + k) & 1),
      ),
    );
  }
  const vkey = ledger.vkey;
  await ledger.close();
  const policy = await parsePolicy(POLICY, { source: 'bench' });
  const samples = ctx.quick ? 200 : 500;
  const pick = (i: number) => {
    const d = digest((i * 7919) % subjects);
    return { subject: d, digest: d };
  };

  const measureClient = async (client: LedgerClient) => {
    const gate = await latency(samples, async (i) => {
      const report = await evaluate({ client, subjects: [pick(i)], policy });
      if (report.decision !== 'allow') throw new Error(`unexpected ${report.decision}`);
    });
    const read = await latency(samples, async (i) => {
      await client.subject(pick(i).digest);
    });
    return { gate, read };
  };

  const opts = { vkey, statePath: false as const, env: {}, notice: () => {} };
  const local = await openLedgerClient(`file:${dir}`, opts);
  let file;
  try {
    file = await measureClient(local);
  } finally {
    await local.close();
  }

  const config = configFromDocument({ origin: 'bench.example/gate' }, ctx.workDir, {
    dataDir: dir,
    listen: '127.0.0.1:0',
  });
  const service = await startLedgerService(config, { logger: silentLogger });
  const dispatcher = createLedgerDispatcher();
  const http = await openLedgerClient(service.url, { ...opts, dispatcher });
  let over;
  try {
    over = await measureClient(http);
  } finally {
    await http.close();
    await dispatcher.close();
    await service.close();
  }

  // A whole `notarize gate` process (the committed bundle), as a pipeline step runs it.
  const node = path.resolve('node_modules/.bin/node');
  const cli = path.resolve('dist/cli/index.js');
  const policyFile = path.join(ctx.workDir, 'policy.yaml');
  await writeFile(policyFile, POLICY);
  const runs = ctx.quick ? 5 : 15;
  const env = { ...process.env, NOTARIZE_STATE: path.join(ctx.workDir, 'state.json') };
  const cliRun = await latency(runs, async (i) => {
    execFileSync(
      node,
      [
        cli,
        'gate',
        pick(i).digest,
        '--policy',
        policyFile,
        '--ledger',
        `file:${dir}`,
        '--ledger-key',
        vkey,
        '--json',
      ],
      { env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
  });
  const bare = await latency(runs, async () => {
    execFileSync(node, ['-e', ''], { stdio: 'ignore' });
  });

  const size = ctx.quick ? '100k' : '1M';
  const row = (
    name: string,
    ours: number,
    reference: string,
    ref: number,
    notes?: string,
  ): BenchRow => ({
    name,
    value: ours,
    unit: 'ms',
    reference,
    referenceValue: ref,
    ratio: lowerIsBetter(ours, ref),
    ...(notes ? { notes } : {}),
  });
  return [
    row(
      `gate p50, file:, ${size} entries`,
      file.gate.p50,
      'verified subject read p50',
      file.read.p50,
      "3 verified lookups (subject + 2 identities' revocations) + policy",
    ),
    row(
      `gate p99, file:, ${size} entries`,
      file.gate.p99,
      'verified subject read p99',
      file.read.p99,
    ),
    row(
      `gate p50, HTTP, ${size} entries`,
      over.gate.p50,
      'verified subject read p50',
      over.read.p50,
    ),
    row(
      `gate p99, HTTP, ${size} entries`,
      over.gate.p99,
      'verified subject read p99',
      over.read.p99,
    ),
    row(
      `notarize gate process p50, ${size} entries`,
      cliRun.p50,
      'bare node start p50',
      bare.p50,
      'dist/cli bundle, file: ledger, pinned key',
    ),
  ];
}
