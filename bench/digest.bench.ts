/**
 * Digest benchmarks (issue 2): each figure next to the standard tool doing the same work in the
 * same run on the same files.
 * - file: a >= 1 GiB file (64 MiB with --quick), throughput vs `openssl dgst -sha256`; page cache
 *   warmed first so both read from memory; best of 3 each, alternating.
 * - directory: 10,000 small files (1,000 with --quick) in 100 dirs, wall time vs the coreutils
 *   pipeline of docs/formats.md; the digests must be equal. Concurrency variants are measured
 *   too (that is how the default was chosen).
 * - registry: wall time of resolving a tag on a loopback docker-registry vs `skopeo inspect`,
 *   median of N, for the in-process API and for the CLI as a process.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { digestSubject } from '@notarize/digest';
import {
  higherIsBetter,
  lowerIsBetter,
  percentile,
  timeIt,
  type BenchContext,
  type BenchRow,
} from './harness.ts';
import { buildOciImage, pushOci, startRegistry } from '../test/support/registry.ts';

const pexecFile = promisify(execFile);
const sh = async (script: string, cwd?: string) =>
  (await pexecFile('bash', ['-c', script], { cwd, maxBuffer: 16 << 20 })).stdout;

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  return [...(await fileBench(ctx)), ...(await directoryBench(ctx)), ...(await registryBench(ctx))];
}

async function fileBench(ctx: BenchContext): Promise<BenchRow[]> {
  const size = ctx.quick ? 64 << 20 : 1 << 30;
  const file = path.join(ctx.workDir, 'big.bin');
  ctx.log(`file: writing ${size >> 20} MiB`);
  await sh(`head -c ${size} /dev/urandom > ${file} && cat ${file} > /dev/null`);
  let ours = Infinity;
  let openssl = Infinity;
  let oursDigest = '';
  let opensslDigest = '';
  for (let i = 0; i < 3; i++) {
    const o = await timeIt(() => pexecFile('openssl', ['dgst', '-sha256', '-r', file]));
    openssl = Math.min(openssl, o.ms);
    opensslDigest = `sha256:${o.value.stdout.slice(0, 64)}`;
    const d = await timeIt(() => digestSubject(file));
    ours = Math.min(ours, d.ms);
    oursDigest = d.value.digest;
  }
  if (oursDigest !== opensslDigest)
    throw new Error(`file digest differs from openssl: ${oursDigest}`);
  const mbps = (ms: number) => size / (1 << 20) / (ms / 1000);
  return [
    {
      name: `file digest, ${size >> 20} MiB`,
      value: mbps(ours),
      unit: 'MiB/s',
      reference: 'openssl dgst -sha256',
      referenceValue: mbps(openssl),
      ratio: higherIsBetter(mbps(ours), mbps(openssl)),
      target: '>= 0.9',
      notes: 'page cache warm, best of 3',
    },
  ];
}

const PIPELINE =
  "find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs -d '\\n' sha256sum | sha256sum";

/** Our directory digest vs the pipeline on `dir`, median of `rounds`, for each concurrency. */
async function compareDirectory(
  dir: string,
  rounds: number,
  variants: readonly (number | undefined)[],
): Promise<{ ref: number; ours: Map<number | undefined, number> }> {
  const refTimes: number[] = [];
  const times = new Map<number | undefined, number[]>();
  for (let r = 0; r < rounds; r++) {
    const ref = await timeIt(async () => `sha256:${(await sh(PIPELINE, dir)).slice(0, 64)}`);
    refTimes.push(ref.ms);
    for (const c of variants) {
      const t = await timeIt(() => digestSubject(dir, c === undefined ? {} : { concurrency: c }));
      if (t.value.digest !== ref.value) {
        throw new Error(`directory digest differs: ${t.value.digest} vs ${ref.value}`);
      }
      times.set(c, [...(times.get(c) ?? []), t.ms]);
    }
  }
  const median = (xs: number[]) => percentile(xs, 50);
  return {
    ref: median(refTimes),
    ours: new Map([...times].map(([c, xs]) => [c, median(xs)])),
  };
}

async function directoryBench(ctx: BenchContext): Promise<BenchRow[]> {
  const count = ctx.quick ? 1000 : 10_000;
  const small = path.join(ctx.workDir, 'small');
  ctx.log(`directory: writing ${count} small files`);
  for (let d = 0; d < 100; d++) await mkdir(path.join(small, `d${d}`), { recursive: true });
  for (let i = 0; i < count; i++) {
    await writeFile(
      path.join(small, `d${i % 100}`, `file-${i}.txt`),
      randomBytes(512 + (i % 8) * 512),
    );
  }
  const rounds = 5;
  const s = await compareDirectory(small, rounds, [undefined]);
  const oursSmall = s.ours.get(undefined) ?? NaN;

  // Concurrency only matters for files too large for one read: measured here.
  const bigCount = ctx.quick ? 16 : 64;
  const big = path.join(ctx.workDir, 'big');
  ctx.log(`directory: writing ${bigCount} files of 4 MiB`);
  await mkdir(big);
  await sh(
    `for i in $(seq 1 ${bigCount}); do head -c ${4 << 20} /dev/urandom > f$i.bin; done`,
    big,
  );
  const variants = [1, 2, 4, 8, 16];
  const b = await compareDirectory(big, 3, [undefined, ...variants]);
  const oursBig = b.ours.get(undefined) ?? NaN;
  const notes = variants.map((c) => `c=${c}: ${(b.ours.get(c) ?? NaN).toFixed(0)} ms`).join(', ');
  return [
    {
      name: `directory digest, ${count} small files`,
      value: oursSmall,
      unit: 'ms',
      reference: 'find|sort|xargs sha256sum|sha256sum',
      referenceValue: s.ref,
      ratio: lowerIsBetter(oursSmall, s.ref),
      target: '> 1 (faster)',
      notes: `median of ${rounds}, 0.5-4 KiB files in 100 dirs, page cache warm`,
    },
    {
      name: `directory digest, ${bigCount} files of 4 MiB`,
      value: oursBig,
      unit: 'ms',
      reference: 'find|sort|xargs sha256sum|sha256sum',
      referenceValue: b.ref,
      ratio: lowerIsBetter(oursBig, b.ref),
      notes: `median of 3, default concurrency; ${notes}`,
    },
  ];
}

async function registryBench(ctx: BenchContext): Promise<BenchRow[]> {
  const registry = await startRegistry();
  try {
    const layout = path.join(ctx.workDir, 'layout');
    await buildOciImage(layout, 'v1', { 'app.txt': 'bench' });
    await pushOci(layout, 'v1', `${registry.host}/bench/app:v1`);
    const ref = `docker://${registry.host}/bench/app:v1`;
    const n = ctx.quick ? 5 : 20;
    const skopeo: number[] = [];
    const api: number[] = [];
    const cli: number[] = [];
    const node = path.resolve('node_modules/node/bin/node');
    const main = path.resolve('packages/cli/src/main.ts');
    let expected = '';
    for (let i = 0; i < n; i++) {
      const s = await timeIt(() =>
        pexecFile('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', ref]),
      );
      skopeo.push(s.ms);
      expected = s.value.stdout.trim();
      const a = await timeIt(() => digestSubject(ref, { env: {} }));
      if (a.value.digest !== expected)
        throw new Error(`registry digest differs: ${a.value.digest}`);
      api.push(a.ms);
      const c = await timeIt(() => pexecFile(node, [main, 'digest', '--json', ref]));
      cli.push(c.ms);
    }
    const med = (xs: number[]) => percentile(xs, 50);
    return [
      {
        name: 'registry digest (API, in process)',
        value: med(api),
        unit: 'ms',
        reference: 'skopeo inspect --format {{.Digest}}',
        referenceValue: med(skopeo),
        ratio: lowerIsBetter(med(api), med(skopeo)),
        notes: `median of ${n}, loopback docker-registry, plain http`,
      },
      {
        name: 'registry digest (notarize digest process)',
        value: med(cli),
        unit: 'ms',
        reference: 'skopeo inspect --format {{.Digest}}',
        referenceValue: med(skopeo),
        ratio: lowerIsBetter(med(cli), med(skopeo)),
        notes: `median of ${n}; includes Node start-up`,
      },
    ];
  } finally {
    await registry.stop();
  }
}
