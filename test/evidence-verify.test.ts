/** `notarize ledger verify` checks evidence blobs against the log and collects orphans. */
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { blobPaths } from '@notarize/ledger';
import { notarizeCli } from './support/cli.ts';

describe('ledger verify and evidence blobs', () => {
  let dir: string;
  let ledger: string;
  const run = (argv: string[]) =>
    notarizeCli(argv, { cwd: dir, env: { NOTARIZE_STATE: path.join(dir, 'state.json') } });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'notarize-evverify-'));
    ledger = path.join(dir, 'ledger');
    await writeFile(path.join(dir, 'build.log'), 'step 1 ok\nstep 2 ok\n');
    const added = await run([
      'evidence',
      'add',
      'build.log',
      '--job',
      '7',
      '--as',
      'ci',
      '--ledger',
      `file:${ledger}`,
    ]);
    expect(added.code).toBe(0);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const blobFile = async () => {
    const digest = (await run(['digest', 'build.log', '--json'])).json<{ digest: string }[]>()[0]!
      .digest;
    return path.join(blobPaths(ledger).dir, digest.slice('sha256:'.length));
  };

  it('passes on an intact ledger and reports the evidence', async () => {
    const r = await run(['ledger', 'verify', '--data', ledger, '--json']);
    expect(r.code).toBe(0);
    const report = r.json<{
      ok: boolean;
      blobs: { evidenceEntries: number; blobs: number; problems: unknown[] };
    }>();
    expect(report.ok).toBe(true);
    expect(report.blobs).toMatchObject({ evidenceEntries: 1, blobs: 1, problems: [] });
  });

  it('exits 20 when a blob was altered in the store', async () => {
    await writeFile(await blobFile(), 'step 1 ok\nstep 2 FAILED\n');
    const r = await run(['ledger', 'verify', '--data', ledger]);
    expect(r.code).toBe(20);
    expect(r.stdout).toMatch(/BLOB_(DIGEST|SIZE)_MISMATCH/);
  });

  it('exits 20 when a blob is missing', async () => {
    await rm(await blobFile());
    const r = await run(['ledger', 'verify', '--data', ledger, '--json']);
    expect(r.code).toBe(20);
    expect(JSON.stringify(r.json())).toContain('BLOB_MISSING');
  });

  it('collects only old orphans with --gc-blobs', async () => {
    const { dir: blobs } = blobPaths(ledger);
    const orphan = path.join(blobs, 'a'.repeat(64));
    await writeFile(orphan, 'nobody references me');
    const fresh = await run(['ledger', 'verify', '--data', ledger, '--gc-blobs', '1h']);
    expect(fresh.code).toBe(0);
    expect(existsSync(orphan)).toBe(true);
    const old = new Date(Date.now() - 2 * 3600_000);
    await utimes(orphan, old, old);
    const gc = await run(['ledger', 'verify', '--data', ledger, '--gc-blobs', '1h']);
    expect(gc.code).toBe(0);
    expect(gc.stdout).toMatch(/1 removed/);
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(await blobFile())).toBe(true);
  });

  it('backs the blobs up with a directory backup and restores them verified', async () => {
    const backup = path.join(dir, 'backup');
    const b = await run(['ledger', 'backup', '--data', ledger, '--out', `${backup}/`, '--json']);
    expect(b.code).toBe(0);
    expect(b.json()).toMatchObject({ form: 'directory', blobs: { copied: 1, omitted: 0 } });
    const restored = path.join(dir, 'restored');
    expect((await run(['ledger', 'restore', '--from', backup, '--data', restored])).code).toBe(0);
    const v = await run(['ledger', 'verify', '--data', restored, '--json']);
    expect(v.code).toBe(0);
    expect(v.json()).toMatchObject({ ok: true, blobs: { blobs: 1, problems: [] } });

    // A backup whose blob was altered is refused, and nothing is restored.
    const name = path.basename(await blobFile());
    await writeFile(path.join(blobPaths(backup).dir, name), 'forged log\n');
    const again = path.join(dir, 'restored-bad');
    const bad = await run(['ledger', 'restore', '--from', backup, '--data', again]);
    expect(bad.code).toBe(20);
    expect(existsSync(path.join(again, 'ledger.db'))).toBe(false);
  });

  it('says which blobs a single-file backup leaves out', async () => {
    const b = await run(['ledger', 'backup', '--data', ledger, '--out', path.join(dir, 'one.db')]);
    expect(b.code).toBe(0);
    expect(b.stderr).toMatch(/1 evidence blobs in blobs\/ were not copied/);
  });
});
