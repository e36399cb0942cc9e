/**
 * Evidence benchmarks (issue 6): upload (`evidence add`: stream, hash, store, fsync, append) and
 * download (`evidence get --out`: stream, verify, write, rename) throughput of one large file,
 * for a `file:` ledger and for the service on loopback (in a child process, as deployed), each
 * next to `fs.copyFile` of the same file on the same disk in the same run (and, since the blob
 * store fsyncs every blob, next to copyFile + fsync as well). Best of 3 each; the file's first
 * bytes change before every upload so each one stores a new blob (no deduplication shortcut).
 * 256 MiB (32 MiB with --quick); page cache warm for both sides.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, open, rm, writeFile as writeText } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ciContext } from '@notarize/ci';
import { openLedgerClient, type LedgerClient } from '@notarize/client';
import { addEvidence, getEvidence } from '../packages/cli/src/operations/evidence.ts';
import { higherIsBetter, timeIt, type BenchContext, type BenchRow } from './harness.ts';

const MiB = 1024 * 1024;
const RUNS = 3;

async function writeFile(file: string, size: number): Promise<void> {
  const block = randomBytes(MiB);
  const out = createWriteStream(file);
  for (let i = 0; i < size / MiB; i++) {
    block.writeUInt32BE(i, 0);
    if (!out.write(Buffer.from(block))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function stamp(file: string, run: number): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.write(Buffer.from(`run ${run} ${Date.now()}`), 0, undefined, 0);
  } finally {
    await handle.close();
  }
}

async function copyBest(file: string, workDir: string, sync: boolean): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const target = path.join(workDir, `copy-${i}`);
    const copy = async () => {
      await copyFile(file, target);
      if (!sync) return;
      const handle = await open(target, 'r');
      await handle.sync();
      await handle.close();
    };
    best = Math.min(best, (await timeIt(copy)).ms);
    await rm(target);
  }
  return best;
}

interface ChildService {
  url: string;
  vkey: string;
  token: string;
  close(): Promise<void>;
}

/** The service in its own process (as deployed), so client and server do not share a thread. */
async function startChildService(workDir: string): Promise<ChildService> {
  const harness = fileURLToPath(new URL('../test/support/service-harness.ts', import.meta.url));
  const script = path.join(workDir, 'service-child.ts');
  await writeText(
    script,
    `import { startHarness } from ${JSON.stringify(harness)};
const h = await startHarness();
process.stdout.write(JSON.stringify({ url: h.url, vkey: h.vkey, token: h.keys.pipeline }) + '\\n');
process.stdin.on('end', () => void h.close().then(() => process.exit(0)));
process.stdin.resume();
`,
  );
  const child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  const info = JSON.parse(line) as { url: string; vkey: string; token: string };
  return {
    ...info,
    async close() {
      child.stdin.end();
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

async function measure(
  ctx: BenchContext,
  client: LedgerClient,
  file: string,
  label: string,
): Promise<{ up: number; down: number }> {
  let up = Infinity;
  let down = Infinity;
  for (let i = 0; i < RUNS; i++) {
    await stamp(file, i);
    const jobId = `${label}-${i}-${Date.now()}`;
    const ci = ciContext({ env: {}, cwd: ctx.workDir, overrides: { jobId } });
    const added = await timeIt(() => addEvidence({ client, files: [file], cwd: ctx.workDir, ci }));
    if (!added.value[0]?.created) throw new Error('the benchmark upload was deduplicated');
    up = Math.min(up, added.ms);
    const outDir = path.join(ctx.workDir, `out-${label}-${i}`);
    const query = { job: { provider: 'local', project: ci.project, jobId } };
    down = Math.min(down, (await timeIt(() => getEvidence({ client, query, outDir }))).ms);
    await rm(outDir, { recursive: true });
  }
  ctx.log(`${label}: best upload ${up.toFixed(0)} ms, best download ${down.toFixed(0)} ms`);
  return { up, down };
}

function rows(
  label: string,
  size: number,
  ms: { up: number; down: number },
  copyMs: number,
  copySyncMs: number,
): BenchRow[] {
  const mibps = (t: number) => size / MiB / (t / 1000);
  const reference = 'fs.copyFile of the same file, same disk';
  const common = { unit: 'MiB/s', reference, referenceValue: mibps(copyMs) };
  return [
    {
      name: `evidence add, ${label}, ${size / MiB} MiB`,
      value: mibps(ms.up),
      ...common,
      ratio: higherIsBetter(mibps(ms.up), mibps(copyMs)),
      notes: 'stream + SHA-256 on both sides + fsync + one append; best of 3',
    },
    {
      name: `evidence add, ${label}, ${size / MiB} MiB (vs durable copy)`,
      value: mibps(ms.up),
      unit: 'MiB/s',
      reference: 'fs.copyFile + fsync of the copy',
      referenceValue: mibps(copySyncMs),
      ratio: higherIsBetter(mibps(ms.up), mibps(copySyncMs)),
      notes: 'the blob store fsyncs every blob before acknowledging it',
    },
    {
      name: `evidence get, ${label}, ${size / MiB} MiB`,
      value: mibps(ms.down),
      ...common,
      ratio: higherIsBetter(mibps(ms.down), mibps(copyMs)),
      notes: 'verified lookup + streamed download, digest checked before rename; best of 3',
    },
  ];
}

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const size = (ctx.quick ? 32 : 256) * MiB;
  const file = path.join(ctx.workDir, 'evidence.bin');
  ctx.log(`writing ${size / MiB} MiB`);
  await writeFile(file, size);
  const copyMs = await copyBest(file, ctx.workDir, false);
  const copySyncMs = await copyBest(file, ctx.workDir, true);
  ctx.log(`fs.copyFile: best ${copyMs.toFixed(0)} ms; with fsync ${copySyncMs.toFixed(0)} ms`);

  const embedded = await openLedgerClient(`file:${path.join(ctx.workDir, 'ledger')}`, {
    identity: 'bench',
    statePath: false,
    env: {},
    notice: () => {},
  });
  let fileMs;
  try {
    fileMs = await measure(ctx, embedded, file, 'file');
  } finally {
    await embedded.close();
  }

  const service = await startChildService(ctx.workDir);
  let serviceMs;
  try {
    const client = await openLedgerClient(service.url, {
      vkey: service.vkey,
      token: service.token,
      statePath: false,
      env: {},
      notice: () => {},
    });
    try {
      serviceMs = await measure(ctx, client, file, 'service');
    } finally {
      await client.close();
    }
  } finally {
    await service.close();
  }
  return [
    ...rows('file: ledger', size, fileMs, copyMs, copySyncMs),
    ...rows('service (loopback, own process)', size, serviceMs, copyMs, copySyncMs),
  ];
}
