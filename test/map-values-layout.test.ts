/**
 * The map rows' table leads with the version (sqlite/schema.ts): appends write at the end of its
 * B-tree. A store written with the earlier key-first layout gets the new one on its first writable
 * open, with every row kept: the map rebuilt from them matches the signed map heads, reads stay
 * complete, and `ledger verify` passes.
 */
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Ledger } from '@notarize/ledger';
import { notarizeCli } from './support/cli.ts';
import { digestOf, makeEntry } from './support/ledger-fixtures.ts';
import { tempDir } from './support/ledger-helpers.ts';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  tmp = await tempDir();
});
afterEach(async () => {
  await tmp.done();
});

const tableSql = (db: DatabaseSync) =>
  (db.prepare("SELECT sql FROM sqlite_master WHERE name = 'map_values'").get() as { sql: string })
    .sql;

const rows = (db: DatabaseSync) =>
  db.prepare('SELECT hex(key) AS k, ver, hex(value) AS v FROM map_values ORDER BY k, ver').all();

it('a key-first map_values table is rebuilt version-first, rows and answers unchanged', async () => {
  const dir = tmp.dir;
  const ledger = await Ledger.open({ dir });
  for (let n = 0; n < 12; n++) {
    await ledger.append(
      makeEntry(n, { subject: n % 3 ? 'a' : 'b', identity: n % 2 ? 'ci' : 'qa' }),
    );
  }
  const vkey = ledger.vkey;
  await ledger.close();

  // Turn the table back into the earlier layout, as a store written before this change has it.
  const dbPath = path.join(dir, 'ledger.db');
  let db = new DatabaseSync(dbPath);
  expect(tableSql(db)).toMatch(/PRIMARY KEY \(ver, key\)/);
  const before = rows(db);
  expect(before.length).toBeGreaterThan(12);
  db.exec(`BEGIN;
    CREATE TABLE old_layout (key BLOB NOT NULL, ver INTEGER NOT NULL, value BLOB NOT NULL,
      PRIMARY KEY (key, ver)) STRICT, WITHOUT ROWID;
    INSERT INTO old_layout SELECT key, ver, value FROM map_values;
    DROP TABLE map_values;
    ALTER TABLE old_layout RENAME TO map_values;
    COMMIT;`);
  expect(tableSql(db)).toMatch(/PRIMARY KEY \(key, ver\)/);
  db.close();

  // Read-only opens leave it as it is (and still read it right).
  const reader = await Ledger.open({ dir, readOnly: true });
  expect((await reader.bySubject(`sha256:${digestOf('a')}`)).entries).toHaveLength(8);
  await reader.close();
  db = new DatabaseSync(dbPath);
  expect(tableSql(db)).toMatch(/PRIMARY KEY \(key, ver\)/);
  db.close();

  // A writable open converts it, keeps every row, and the ledger goes on.
  const writer = await Ledger.open({ dir });
  await writer.append(makeEntry(99, { subject: 'a', identity: 'ci' }));
  await writer.close();
  db = new DatabaseSync(dbPath);
  expect(tableSql(db)).toMatch(/PRIMARY KEY \(ver, key\)/);
  const after = rows(db) as { k: string; ver: number; v: string }[];
  db.close();
  const maxBefore = Math.max(...(before as { ver: number }[]).map((r) => r.ver));
  expect(after.filter((r) => r.ver <= maxBefore)).toEqual(before);

  const verify = await notarizeCli(['ledger', 'verify', '--data', dir, '--json'], { cwd: dir });
  expect(verify.code).toBe(0);
  const status = await notarizeCli(
    [
      'status',
      `sha256:${digestOf('a')}`,
      '--ledger',
      `file:${dir}`,
      '--ledger-key',
      vkey,
      '--json',
    ],
    { cwd: dir, env: { NOTARIZE_STATE: path.join(dir, 'state.json') } },
  );
  expect(status.code).toBe(0);
});
