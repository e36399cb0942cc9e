import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import {
  Ledger,
  checkLedgerExtends,
  verifyLedgerDir,
  type SignedCheckpoint,
} from '@notarize/ledger';
import { makeEntry } from './support/ledger-fixtures.ts';
import { runLedgerCli, tempDir } from './support/ledger-helpers.ts';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let base: string;
let olderCopy: string;
let newest: SignedCheckpoint;
let copies = 0;

beforeAll(async () => {
  tmp = await tempDir();
  base = path.join(tmp.dir, 'base');
  olderCopy = path.join(tmp.dir, 'older');
  const ledger = await Ledger.open({ dir: base, origin: 'tamper.example/log' });
  const batch = (b: number, n: number) =>
    Array.from({ length: n }, (_, i) => makeEntry(b * 100 + i, { jobId: String(i % 5) }));
  // Each batch of 100 is followed by its map head: entry b * 100 + i is at index b * 101 + i, and
  // the map heads are at 100, 201, 302, ... 605.
  for (let b = 0; b < 4; b++) await ledger.append(batch(b, 100));
  await ledger.close();
  // The copy a rollback would restore: 404 entries, older than what clients saw later.
  await cp(base, olderCopy, { recursive: true });
  const again = await Ledger.open({ dir: base });
  await again.append(batch(4, 100));
  await again.append(batch(5, 100));
  newest = again.checkpoint();
  await again.close();
});

afterAll(async () => {
  await tmp.done();
});

async function tampered(sql: string): Promise<string> {
  const dir = path.join(tmp.dir, `case-${copies++}`);
  await cp(base, dir, { recursive: true });
  const db = new DatabaseSync(path.join(dir, 'ledger.db'));
  db.exec(sql);
  db.close();
  return dir;
}

describe('verify finds tampering', () => {
  it('passes on the untouched store', async () => {
    const report = await verifyLedgerDir(base);
    expect(report).toMatchObject({ ok: true, size: 606, root: newest.root, checkpoints: 7 });
    expect(report.lookupRows).toBe(1800);
  });

  const cases: [string, string, string, number | undefined][] = [
    [
      'a flipped byte in an entry',
      `UPDATE entries SET data = CAST(replace(CAST(data AS TEXT), 'entry 123', 'entry 124') AS BLOB) WHERE idx = 124`,
      'NODE_MISMATCH',
      124,
    ],
    [
      'an entry made invalid',
      `UPDATE entries SET data = CAST(replace(CAST(data AS TEXT), '"v":1', '"v":2') AS BLOB) WHERE idx = 77`,
      'ENTRY_INVALID',
      77,
    ],
    [
      'a flipped byte in a stored hash',
      `UPDATE tiles SET data = CAST(substr(data, 1, 4000) || X'00' || substr(data, 4002) AS BLOB) WHERE id = 0`,
      'NODE_MISMATCH',
      undefined,
    ],
    [
      'a flipped byte in a checkpoint',
      `UPDATE checkpoints SET note = replace(note, '\n303\n', '\n304\n') WHERE size = 303`,
      'CHECKPOINT_INVALID',
      303,
    ],
    [
      'a changed index row',
      `UPDATE lookup SET key = key + 1 WHERE idx = 250 AND key = (SELECT min(key) FROM lookup WHERE idx = 250)`,
      'LOOKUP_MISMATCH',
      250,
    ],
    ['a deleted entry', `DELETE FROM entries WHERE idx = 10`, 'STRUCTURE', undefined],
    [
      'two entries swapped',
      `UPDATE entries SET data = CASE idx WHEN 5 THEN (SELECT data FROM entries WHERE idx = 6) ELSE (SELECT data FROM entries WHERE idx = 5) END WHERE idx IN (5, 6)`,
      'NODE_MISMATCH',
      5,
    ],
    ['a deleted checkpoint', `DELETE FROM checkpoints WHERE size = 606`, 'CHECKPOINT_MISSING', 606],
    ['a deleted index row', `DELETE FROM lookup WHERE idx = 599`, 'LOOKUP_MISMATCH', 599],
  ];

  it.each(cases)('reports %s', async (_name, sql, code, at) => {
    const dir = await tampered(sql);
    const report = await verifyLedgerDir(dir);
    expect(report.ok).toBe(false);
    expect(report.problem?.code).toBe(code);
    if (at !== undefined) expect(report.problem?.at).toBe(at);
  });

  it('fails the CLI with exit code 20 and names the problem', async () => {
    const dir = await tampered(
      `UPDATE entries SET data = CAST(replace(CAST(data AS TEXT), 'entry 9', 'entry 8') AS BLOB) WHERE idx = 9`,
    );
    const run = await runLedgerCli(['ledger', 'verify', '--data', dir, '--json'], tmp.dir);
    expect(run.code).toBe(20);
    expect(run.json<{ ok: boolean; problem: { at: number } }>()).toMatchObject({
      ok: false,
      problem: { at: 9 },
    });
    expect(run.err.join('\n')).toMatch(/verification failed: entry 9/);
    // The fixture's evidence entries name blobs that were never uploaded: check the log only.
    const good = await runLedgerCli(['ledger', 'verify', '--data', base, '--skip-blobs'], tmp.dir);
    expect(good.code).toBe(0);
    expect(good.out.join('\n')).toMatch(/ok: 606 entries/);
  });

  it('refuses checkpoints signed by another key when a vkey is pinned', async () => {
    const other = await tempDir();
    const l = await Ledger.open({ dir: other.dir, origin: 'tamper.example/log' });
    const pinned = l.vkey;
    await l.close();
    const report = await verifyLedgerDir(base, { vkey: pinned });
    expect(report.problem?.code).toBe('CHECKPOINT_INVALID');
    await other.done();
  });

  it('a client holding a newer checkpoint refuses a rolled-back copy', async () => {
    const report = await verifyLedgerDir(olderCopy);
    expect(report.ok).toBe(true); // internally consistent: only the client can tell
    const old = await Ledger.open({ dir: olderCopy });
    await expect(checkLedgerExtends(old, newest)).rejects.toMatchObject({
      code: 'ROLLBACK_DETECTED',
    });
    // A forked history of the same size is refused too (404 + 201 entries + their map head).
    await old.append(Array.from({ length: 201 }, (_, i) => makeEntry(9000 + i)));
    expect(old.size).toBe(newest.size);
    await expect(checkLedgerExtends(old, newest)).rejects.toMatchObject({
      code: 'ROLLBACK_DETECTED',
      category: 'verification',
    });
    await old.close();
  });
});

describe('backup and restore', () => {
  it('backs up to a file and a directory, restores after verifying', async () => {
    const file = path.join(tmp.dir, 'backup.db');
    const dirOut = path.join(tmp.dir, 'backup-dir') + path.sep;
    const ledger = await Ledger.open({ dir: base });
    const backupRun = await runLedgerCli(
      ['ledger', 'backup', '--data', base, '--out', file, '--json'],
      tmp.dir,
    );
    expect(backupRun.code).toBe(0);
    expect(backupRun.json()).toMatchObject({ form: 'file', size: 606 });
    expect(
      (await runLedgerCli(['ledger', 'backup', '--data', base, '--out', dirOut], tmp.dir)).code,
    ).toBe(0);
    await ledger.close();

    const target = path.join(tmp.dir, 'restored');
    const r1 = await runLedgerCli(
      ['ledger', 'restore', '--from', file, '--data', target, '--json'],
      tmp.dir,
    );
    expect(r1.code).toBe(0);
    expect(r1.json()).toMatchObject({ ok: true, size: 606, root: newest.root });
    const info = await runLedgerCli(['ledger', 'info', '--data', target, '--json'], tmp.dir);
    expect(info.json()).toMatchObject({
      origin: 'tamper.example/log',
      size: 606,
      root: newest.root,
    });
    expect(
      (await readFile(path.join(target, 'ledger.key'), 'utf8')).startsWith('PRIVATE+KEY+'),
    ).toBe(true);

    // A non-empty ledger is not overwritten without --force.
    const refused = await runLedgerCli(
      ['ledger', 'restore', '--from', dirOut, '--data', target],
      tmp.dir,
    );
    expect(refused.code).toBe(10);
    expect(refused.err.join('\n')).toMatch(/RESTORE_REFUSED.*--force/);
    const forced = await runLedgerCli(
      ['ledger', 'restore', '--from', dirOut, '--data', target, '--force'],
      tmp.dir,
    );
    expect(forced.code).toBe(0);
    const reopened = await Ledger.open({ dir: target });
    expect((await reopened.append(makeEntry(1234))).index).toBe(606);
    await reopened.close();
  });

  it('refuses to restore a backup that does not verify', async () => {
    const dir = await tampered(`DELETE FROM lookup WHERE idx = 3`);
    const target = path.join(tmp.dir, 'restored-bad');
    const run = await runLedgerCli(['ledger', 'restore', '--from', dir, '--data', target], tmp.dir);
    expect(run.code).toBe(20);
    expect(run.err.join('\n')).toMatch(/VERIFY_FAILED/);
    await expect(readFile(path.join(target, 'ledger.db'))).rejects.toThrow();
  });

  it('reindexes through the CLI', async () => {
    const dir = await tampered(`DELETE FROM lookup`);
    expect((await runLedgerCli(['ledger', 'verify', '--data', dir], tmp.dir)).code).toBe(20);
    const run = await runLedgerCli(['ledger', 'reindex', '--data', dir, '--json'], tmp.dir);
    // 606 log entries (600 and six map heads); map rows: per map head, its batch's 100 subjects,
    // 5 jobs and 1 identity.
    expect(run.json()).toEqual({ entries: 606, rows: 1800, mapRows: 636 });
    // The fixture's evidence entries name blobs that were never uploaded: check the log only.
    expect(
      (await runLedgerCli(['ledger', 'verify', '--data', dir, '--skip-blobs'], tmp.dir)).code,
    ).toBe(0);
  });

  it('detects a raw byte flipped in the database file', async () => {
    const dir = path.join(tmp.dir, `raw-${copies++}`);
    await cp(base, dir, { recursive: true });
    const file = path.join(dir, 'ledger.db');
    const bytes = await readFile(file);
    // Flip a byte inside an entry's text (found by content, so the test does not depend on layout).
    const at = bytes.indexOf(Buffer.from('"reason":"entry 321"'));
    expect(at).toBeGreaterThan(0);
    bytes[at + 10] = bytes[at + 10]! ^ 0x01;
    await writeFile(file, bytes);
    const report = await verifyLedgerDir(dir);
    expect(report.ok).toBe(false);
    expect(['NODE_MISMATCH', 'ENTRY_INVALID', 'STRUCTURE']).toContain(report.problem?.code);
  });
});
