/**
 * `notarize ledger verify --state FILE` is incremental: it resumes from what the last run proved
 * (the tree's root at its size, the lookup map's root at its last map head), re-checks that the
 * store still gives those roots, and reads only what was appended since — replaying every new
 * map head. A store changed behind the saved state is caught; a bad state file is exit 10.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { notarizeCli, type CliRun } from './support/cli.ts';
import { tempDir } from './support/ledger-helpers.ts';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let ledgerDir: string;
let stateFile: string;
beforeEach(async () => {
  tmp = await tempDir();
  ledgerDir = path.join(tmp.dir, 'ledger');
  stateFile = path.join(tmp.dir, 'monitor', 'verify.json');
});
afterEach(async () => {
  await tmp.done();
});

const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
function cli(args: string[]): Promise<CliRun> {
  return notarizeCli(args, {
    cwd: tmp.dir,
    env: { NOTARIZE_STATE: path.join(tmp.dir, 'state.json') },
  });
}
async function trust(n: number): Promise<void> {
  const r = await cli(['trust', digest(n), '--as', 'ci', '--ledger', `file:${ledgerDir}`]);
  expect(r.code).toBe(0);
}
const verify = () =>
  cli(['ledger', 'verify', '--data', ledgerDir, '--state', stateFile, '--json', '--skip-blobs']);

describe('incremental ledger verify', () => {
  it('resumes from its state and reads only what is new', async () => {
    for (let n = 0; n < 3; n++) await trust(n);
    const first = await verify();
    expect(first.code).toBe(0);
    expect(first.json<{ from: number; size: number }>()).toMatchObject({ from: 0, size: 6 });
    const state = JSON.parse(await readFile(stateFile, 'utf8')) as {
      size: number;
      mapHead: number;
    };
    expect(state).toMatchObject({ size: 6, mapHead: 5 });
    for (let n = 3; n < 5; n++) await trust(n);
    const second = await verify();
    expect(second.code).toBe(0);
    expect(second.json<{ from: number; size: number }>()).toMatchObject({ from: 6, size: 10 });
    expect(JSON.parse(await readFile(stateFile, 'utf8'))).toMatchObject({ size: 10, mapHead: 9 });
  });

  it('catches map rows changed behind the saved state', async () => {
    for (let n = 0; n < 3; n++) await trust(n);
    expect((await verify()).code).toBe(0);
    const db = new DatabaseSync(path.join(ledgerDir, 'ledger.db'));
    db.prepare('DELETE FROM map_values WHERE ver = 1').run();
    db.close();
    const again = await verify();
    expect(again.code).toBe(20);
    expect(again.json<{ problem: { code: string } }>().problem.code).toBe('MAP_ROWS_MISMATCH');
  });

  it('catches node tiles changed behind the saved state', async () => {
    for (let n = 0; n < 3; n++) await trust(n);
    expect((await verify()).code).toBe(0);
    const db = new DatabaseSync(path.join(ledgerDir, 'ledger.db'));
    const { id, data } = db.prepare('SELECT id, data FROM tiles ORDER BY id LIMIT 1').get() as {
      id: number;
      data: Uint8Array;
    };
    // Every node of the tile, the peaks the resumed tree is rebuilt from among them.
    const changed = Buffer.from(data).map((b) => b ^ 1);
    db.prepare('UPDATE tiles SET data = ? WHERE id = ?').run(changed, id);
    db.close();
    const again = await verify();
    expect(again.code).toBe(20);
    expect(again.json<{ problem: { code: string } }>().problem.code).toBe('NODE_MISMATCH');
  });

  it('refuses a state file that is not one', async () => {
    await trust(0);
    const bad = path.join(tmp.dir, 'bad.json');
    await writeFile(bad, '{"size": "many"}');
    const r = await cli(['ledger', 'verify', '--data', ledgerDir, '--state', bad]);
    expect(r.code).toBe(10);
    expect(r.stderr).toMatch(/not a verify state/);
  });
});
