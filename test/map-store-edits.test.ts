/**
 * Complete answers on an embedded (`file:`) ledger: whoever can edit the database (an
 * administrator, a compromised runner) cannot make a gate allow by deleting or rewriting the
 * rows that lookups read. Lookup rows are checked against the signed map, and map rows against
 * the map head in the signed log: every edit below ends in exit 20.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { notarizeCli, type CliRun } from './support/cli.ts';

const digest = `sha256:${'ab'.repeat(32)}`;

let dir: string;
let ledgerDir: string;
let untrustedIndex: number;

function run(args: string[]): Promise<CliRun> {
  return notarizeCli([...args, '--ledger', `file:${ledgerDir}`, '--json'], {
    cwd: dir,
    env: { NOTARIZE_STATE: path.join(dir, 'state.json') },
  });
}

function db(): DatabaseSync {
  return new DatabaseSync(path.join(ledgerDir, 'ledger.db'));
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'map-edits-'));
  ledgerDir = path.join(dir, 'ledger');
  expect((await run(['trust', digest, '--as', 'ci'])).code).toBe(0);
  const untrust = await run(['untrust', digest, '--as', 'scanner', '--reason', 'CVE-2026-1']);
  expect(untrust.code).toBe(0);
  untrustedIndex = untrust.json<{ index: number }[]>()[0]!.index;
  expect((await run(['status', digest])).code).toBe(1);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectCaught(): Promise<void> {
  for (const args of [
    ['status', digest],
    ['history', digest],
  ]) {
    const r = await run(args);
    expect({ args, code: r.code }).toEqual({ args, code: 20 });
    expect(r.stdout).not.toMatch(/"decision"/);
  }
}

describe('edited store rows against the embedded client', () => {
  it('DELETE FROM lookup of the untrusted entry: history is refused, status still blocks', async () => {
    const d = db();
    const { changes } = d.prepare('DELETE FROM lookup WHERE idx = ?').run(untrustedIndex);
    d.close();
    expect(changes).toBeGreaterThan(0);
    const history = await run(['history', digest]);
    expect(history.code).toBe(20);
    expect(history.stderr).toMatch(/INCOMPLETE_ANSWER|hidden/);
    // The status reads the proved latest assertions, not the lookup rows: still a block.
    expect((await run(['status', digest])).code).toBe(1);
  });

  it('deleting the newest map rows is caught', async () => {
    const d = db();
    const { m } = d.prepare('SELECT max(ver) AS m FROM map_values').get() as { m: number };
    d.prepare('DELETE FROM map_values WHERE ver = ?').run(m);
    d.close();
    await expectCaught();
  });

  it('rewriting a map value to drop the scanner is caught', async () => {
    const d = db();
    const rows = d.prepare('SELECT key, ver, value FROM map_values').all() as {
      key: Uint8Array;
      ver: number;
      value: Uint8Array;
    }[];
    let edited = 0;
    for (const row of rows) {
      const value = JSON.parse(Buffer.from(row.value).toString('utf8')) as {
        assert?: [string, number][];
      };
      if (!value.assert?.some(([name]) => name === 'scanner')) continue;
      value.assert = value.assert.filter(([name]) => name !== 'scanner');
      d.prepare('UPDATE map_values SET value = ? WHERE key = ? AND ver = ?').run(
        Buffer.from(JSON.stringify(value)),
        row.key,
        row.ver,
      );
      edited++;
    }
    d.close();
    expect(edited).toBeGreaterThan(0);
    await expectCaught();
  });
});
