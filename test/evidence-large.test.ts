/**
 * A 300 MB evidence file through `notarize evidence add|get`, against a `file:` ledger and the
 * service on loopback: streamed both ways (the process's RSS grows by far less than the file),
 * stored and downloaded byte-identical.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { notarizeCli } from './support/cli.ts';
import { startHarness, type Harness } from './support/service-harness.ts';

const MB = 1024 * 1024;
const SIZE = 300 * MB;
const MAX_GROWTH = 200 * MB;

let dir: string;
let h: Harness;
let digest: string;

/** Random-looking, incompressible, no two MiB alike: a random MiB stamped with its number. */
async function writeLargeFile(file: string): Promise<string> {
  const block = randomBytes(MB);
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  for (let i = 0; i < SIZE / MB; i++) {
    block.writeUInt32BE(i, 0);
    hash.update(block);
    if (!out.write(Buffer.from(block))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return `sha256:${hash.digest('hex')}`;
}

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: MB }))
    hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/** Runs `fn` while sampling the RSS; returns the peak growth over the RSS before. */
async function peakRssGrowth(fn: () => Promise<void>): Promise<number> {
  global.gc?.();
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, process.memoryUsage.rss()) - base;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'notarize-evidence-large-'));
  h = await startHarness();
  digest = await writeLargeFile(path.join(dir, 'big.bin'));
}, 60_000);

afterAll(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

describe.each([
  ['file: ledger', () => ({ NOTARIZE_LEDGER: `file:${path.join(dir, 'ledger')}` })],
  [
    'service',
    () => ({
      NOTARIZE_LEDGER: h.url,
      NOTARIZE_LEDGER_KEY: h.vkey,
      NOTARIZE_TOKEN: h.keys.pipeline,
    }),
  ],
])('a 300 MB evidence file, %s', (what, ledgerEnv) => {
  it('streams up and down with bounded memory and arrives byte-identical', async () => {
    const env = { ...ledgerEnv(), NOTARIZE_STATE: path.join(dir, `state-${what}.json`) };
    const out = `out-${what.replace(/\W/g, '')}`;
    let added: { digest: string; size: number; mediaType: string }[] = [];
    const upGrowth = await peakRssGrowth(async () => {
      const r = await notarizeCli(['evidence', 'add', 'big.bin', '--job', 'large', '--json'], {
        cwd: dir,
        env,
      });
      expect(r.stderr).not.toMatch(/error/);
      expect(r.code).toBe(0);
      added = r.json();
    });
    expect(added[0]).toMatchObject({ digest, size: SIZE, mediaType: 'application/octet-stream' });
    const downGrowth = await peakRssGrowth(async () => {
      const r = await notarizeCli(['evidence', 'get', '--job', 'large', '--out', out, '--json'], {
        cwd: dir,
        env,
      });
      expect(r.code).toBe(0);
    });
    expect(await hashFile(path.join(dir, out, 'big.bin'))).toBe(digest);
    expect(upGrowth).toBeLessThan(MAX_GROWTH);
    expect(downGrowth).toBeLessThan(MAX_GROWTH);
    await rm(path.join(dir, out), { recursive: true });
  });
});
