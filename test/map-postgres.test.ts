/**
 * Complete answers on PostgreSQL: a database administrator who deletes the lookup row of the
 * scanner's `untrusted` entry, or rewrites the map rows, cannot make a gate allow. Lookups that
 * come up short are refused by the client (exit 20); altered map rows are refused by the service
 * when it loads them (it will not start on them), never served.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { notarizeCli, type CliRun } from './support/cli.ts';
import { schemaUrl, startTestPostgres, type TestPostgres } from './support/postgres.ts';
import { assertion, digestOf, startHarness, type Harness } from './support/service-harness.ts';

let pgServer: TestPostgres;
let admin: pg.Client;
let storage: string;
let h: Harness | undefined;
let tmp: string;
let dataDir: string;
let untrustedIndex: number;
const digest = digestOf('pg-omission');

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'map-pg-'));
  dataDir = path.join(tmp, 'data');
  pgServer = await startTestPostgres();
  const dbUrl = await pgServer.createDatabase('mapomission');
  storage = schemaUrl(dbUrl, 'ledger');
  admin = new pg.Client({ connectionString: dbUrl });
  await admin.connect();
  h = await startHarness({ dataDir, config: { storage } });
  const pipeline = await h.client({ token: h.keys.pipeline });
  const scanner = await h.client({ token: h.keys.scanner });
  await pipeline.append([assertion(digest, 'trusted')]);
  const [receipt] = await scanner.append([assertion(digest, 'untrusted')]);
  untrustedIndex = receipt!.index;
  await writeFile(path.join(tmp, 'policy.yaml'), 'version: 1\nblock:\n  - {status: untrusted}\n');
}, 60_000);
afterAll(async () => {
  await h?.close();
  await admin?.end();
  await pgServer?.stop();
  await rm(tmp, { recursive: true, force: true });
});

let runs = 0;
function cli(args: string[]): Promise<CliRun> {
  return notarizeCli([...args, '--json'], {
    cwd: tmp,
    env: {
      NOTARIZE_LEDGER: h!.url,
      NOTARIZE_LEDGER_KEY: h!.vkey,
      NOTARIZE_STATE: path.join(tmp, `state-${runs++}.json`),
    },
  });
}

describe('edited PostgreSQL rows', () => {
  it('a deleted lookup row makes history fail verification; status still blocks', async () => {
    expect((await cli(['history', digest])).code).toBe(0);
    const { rowCount } = await admin.query('DELETE FROM ledger.lookup WHERE idx = $1', [
      untrustedIndex,
    ]);
    expect(rowCount).toBeGreaterThan(0);
    const history = await cli(['history', digest]);
    expect(history.code).toBe(20);
    expect(history.stderr).toMatch(/INCOMPLETE_ANSWER|hidden/);
    expect((await cli(['status', digest])).code).toBe(1);
    expect((await cli(['gate', digest, '--policy', 'policy.yaml'])).code).toBe(1);
  });

  it('rewritten map rows are refused when the service loads them', async () => {
    const rows = await admin.query<{ key: Buffer; ver: string; value: Buffer }>(
      'SELECT key, ver, value FROM ledger.map_values',
    );
    let edited = 0;
    for (const row of rows.rows) {
      const value = JSON.parse(row.value.toString('utf8')) as { assert?: [string, number][] };
      if (!value.assert?.some(([name]) => name === 'scanner-bot')) continue;
      value.assert = value.assert.filter(([name]) => name !== 'scanner-bot');
      if (value.assert.length === 0) delete value.assert;
      await admin.query('UPDATE ledger.map_values SET value = $1 WHERE key = $2 AND ver = $3', [
        Buffer.from(JSON.stringify(value)),
        row.key,
        row.ver,
      ]);
      edited++;
    }
    expect(edited).toBeGreaterThan(0);
    await h!.close();
    h = undefined;
    await expect(startHarness({ dataDir, config: { storage } })).rejects.toMatchObject({
      code: 'STORE_CORRUPT',
    });
  });
});
