/**
 * Issue 14, item 13: damaged embedded stores end in a clear error, never exit 70 with a stack,
 * and are never "repaired" by writing into them: a 0-byte or garbage ledger.db and another
 * program's SQLite file are a verification failure (20); `--ledger file:<a regular file>` is a
 * usage error (10). Opening never creates a signing key for a ledger whose key is missing, nor an
 * empty database beside a ledger key whose database is missing.
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { notarizeCli, type CliRun } from './support/cli.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;
let dir: string;
let good: string;

const run = (args: string[]): Promise<CliRun> =>
  notarizeCli(args, { cwd: dir, env: { NOTARIZE_STATE: path.join(dir, 'state.json') } });
const hash = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

/** A copy of the good ledger, altered by `damage`. */
async function damaged(name: string, damage: (d: string) => Promise<void>): Promise<string> {
  const d = path.join(dir, name);
  await cp(good, d, { recursive: true });
  await damage(d);
  return d;
}

function expectClean(r: CliRun, code: number, errorCode: string): void {
  expect({ code: r.code, stderr: r.stderr }).toMatchObject({
    code,
    stderr: expect.stringContaining(`notarize: error ${errorCode}:`),
  });
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'damaged-'));
  good = path.join(dir, 'good');
  const r = await run(['trust', DIGEST, '--ledger', `file:${good}`, '--as', 'me']);
  expect(r.code).toBe(0);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('damaged stores', () => {
  it('a 0-byte ledger.db beside the key: 20, and the file stays as it was', async () => {
    const d = await damaged('zero', (d) => writeFile(path.join(d, 'ledger.db'), ''));
    for (const args of [
      ['status', DIGEST, '--ledger', `file:${d}`],
      ['trust', DIGEST, '--ledger', `file:${d}`, '--as', 'me'],
      ['ledger', 'verify', '--data', d],
    ]) {
      expectClean(await run(args), 20, 'STORE_CORRUPT');
    }
    expect((await readFile(path.join(d, 'ledger.db'))).length).toBe(0);
  });

  it('a 0-byte ledger.db read offline: 20', async () => {
    const d = path.join(dir, 'zero-alone');
    await mkdir(d);
    await writeFile(path.join(d, 'ledger.db'), '');
    expectClean(await run(['ledger', 'verify', '--data', d]), 20, 'STORE_CORRUPT');
    expect(await readdir(d)).toEqual(['ledger.db']);
  });

  it("another program's SQLite file: 20, and our schema is never written into it", async () => {
    const d = await damaged('foreign', async (d) => {
      await rm(path.join(d, 'ledger.db'));
      const db = new DatabaseSync(path.join(d, 'ledger.db'));
      db.exec("CREATE TABLE users (name TEXT); INSERT INTO users VALUES ('alice')");
      db.close();
    });
    const before = await hash(path.join(d, 'ledger.db'));
    for (const args of [
      ['status', DIGEST, '--ledger', `file:${d}`],
      ['trust', DIGEST, '--ledger', `file:${d}`, '--as', 'me'],
      ['ledger', 'verify', '--data', d],
    ]) {
      const r = await run(args);
      expectClean(r, 20, 'STORE_CORRUPT');
      expect(r.stderr).toMatch(/not a notarize ledger database/);
    }
    expect(await hash(path.join(d, 'ledger.db'))).toBe(before);
  });

  it('garbage bytes as ledger.db: 20', async () => {
    const d = await damaged('garbage', async (d) => {
      await writeFile(path.join(d, 'ledger.db'), Buffer.alloc(8192, 0x5a));
    });
    expectClean(await run(['status', DIGEST, '--ledger', `file:${d}`]), 20, 'STORE_CORRUPT');
  });

  it('--ledger file:<a regular file>: 10, for reads and writes', async () => {
    const file = path.join(dir, 'not-a-dir');
    await writeFile(file, 'hello\n');
    for (const args of [
      ['status', DIGEST, '--ledger', `file:${file}`],
      ['trust', DIGEST, '--ledger', `file:${file}`, '--as', 'me'],
      ['history', DIGEST, '--ledger', `file:${file}/below`],
    ]) {
      const r = await run(args);
      expectClean(r, 10, 'STORE_UNAVAILABLE');
    }
    expect(await readFile(file, 'utf8')).toBe('hello\n');
  });
});

describe('missing parts fail closed', () => {
  it('a ledger whose key is missing: no new key is created', async () => {
    const d = await damaged('no-key', async (d) => {
      await rm(path.join(d, 'ledger.key'));
      await rm(path.join(d, 'ledger.vkey'));
    });
    expectClean(await run(['status', DIGEST, '--ledger', `file:${d}`]), 10, 'KEY_INVALID');
    expectClean(
      await run(['trust', DIGEST, '--ledger', `file:${d}`, '--as', 'me']),
      10,
      'KEY_INVALID',
    );
    expect((await readdir(d)).filter((f) => f.startsWith('ledger.'))).toEqual(['ledger.db']);
  });

  it('a ledger whose database is missing: 20, and no empty ledger takes its place', async () => {
    const d = await damaged('no-db', async (d) => {
      for (const f of await readdir(d)) if (f.startsWith('ledger.db')) await rm(path.join(d, f));
    });
    expectClean(await run(['status', DIGEST, '--ledger', `file:${d}`]), 20, 'STORE_CORRUPT');
    expectClean(
      await run(['trust', DIGEST, '--ledger', `file:${d}`, '--as', 'me']),
      20,
      'STORE_CORRUPT',
    );
    // No ledger.db: only the key, and the (empty) writer lock the refused open took.
    expect((await readdir(d)).sort()).toEqual(['ledger.key', 'ledger.vkey', 'writer.lock']);
  });

  it('the good ledger still works', async () => {
    const r = await run(['status', DIGEST, '--ledger', `file:${good}`]);
    expect(r.code).toBe(0);
  });
});
