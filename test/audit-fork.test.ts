/**
 * Evidence of a fork in `notarize audit`: a monitor that audited the ledger at size N and is
 * later served another tree of size N, signed by the same key, keeps both signed checkpoints
 * (a proof anyone with the ledger's vkey can check), prints them, and exits 20.
 */
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Ledger } from '@notarize/ledger';
import { noteVerifierFromVkey, openCheckpoint } from '@notarize/tlog';
import { notarizeCli } from './support/cli.ts';
import { assertion, digestOf, startHarness, type Harness } from './support/service-harness.ts';

let tmp: string;
let honest: Harness;
let fork: Harness;
let vkey: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'audit-fork-'));
  const honestDir = path.join(tmp, 'honest');
  const ledger = await Ledger.open({ dir: honestDir, origin: 'test.example/ledger' });
  vkey = ledger.vkey;
  await ledger.close();
  await cp(honestDir, path.join(tmp, 'fork'), { recursive: true });
  honest = await startHarness({ dataDir: honestDir });
  fork = await startHarness({ dataDir: path.join(tmp, 'fork') });
  await (
    await honest.client({ token: honest.keys.pipeline })
  ).append([assertion(digestOf('a'), 'untrusted')]);
  await (
    await fork.client({ token: fork.keys.pipeline })
  ).append([assertion(digestOf('a'), 'trusted')]);
});
afterAll(async () => {
  await honest.close();
  await fork.close();
  await rm(tmp, { recursive: true, force: true });
});

const audit = (url: string) =>
  notarizeCli(['audit', '--ledger', url, '--ledger-key', vkey, '--fork-evidence', tmp], {
    cwd: tmp,
    env: { NOTARIZE_STATE: path.join(tmp, 'monitor-state.json') },
  });

test('audit keeps and prints two signed checkpoints of one size with different roots', async () => {
  expect((await audit(honest.url)).code).toBe(0);
  const r = await audit(fork.url);
  expect(r.code).toBe(20);
  expect(r.stderr).toMatch(
    /FORK: ledger test\.example\/ledger signed two different trees of size 2/,
  );
  const files = (await readdir(tmp)).filter((f) => f.startsWith('notarize-fork-'));
  expect(files).toHaveLength(1);
  const evidence = JSON.parse(await readFile(path.join(tmp, files[0]!), 'utf8')) as {
    size: number;
    notes: [string, string];
  };
  const verifier = noteVerifierFromVkey(vkey);
  const [a, b] = evidence.notes.map((n) => openCheckpoint(n, [verifier]).checkpoint);
  expect([a!.size, b!.size]).toEqual([2, 2]);
  expect(Buffer.from(a!.root).equals(Buffer.from(b!.root))).toBe(false);
  for (const note of evidence.notes) expect(r.stderr).toContain(note.split('\n')[2]);
});
