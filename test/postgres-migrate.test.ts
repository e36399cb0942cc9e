/**
 * `notarize ledger migrate` between the embedded store and PostgreSQL, both ways: the copy
 * verifies, keeps every checkpoint, root, lookup and idempotency key, and is a working ledger.
 */
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import pg from 'pg';
import { Ledger, verifyLedgerDir } from '@notarize/ledger';
import { registerLedgerMigrate } from '../packages/cli/src/commands/ledger-migrate.ts';
import { describeError } from '../packages/cli/src/cli-error.ts';
import { PostgresStore } from '../packages/ledger/src/postgres/index.ts';
import { makeEntry } from './support/ledger-fixtures.ts';
import { tempDir } from './support/ledger-helpers.ts';
import { schemaUrl, startTestPostgres, type TestPostgres } from './support/postgres.ts';

let pgServer: TestPostgres;
let dbUrl: string;
let tmp: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  tmp = await tempDir('pg-migrate-');
  pgServer = await startTestPostgres();
  dbUrl = await pgServer.createDatabase('migrate');
}, 60_000);

afterAll(async () => {
  await pgServer?.stop();
  await tmp?.done();
});

async function migrate(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  let code = 0;
  const ctx = {
    output: {
      print: (t: string) => out.push(t),
      json: (v: unknown) => out.push(JSON.stringify(v)),
      notice: (t: string) => err.push(t),
      interactive: false,
    },
    env: {},
    cwd: tmp.dir,
    setExitCode: (c: number) => (code = c),
  };
  const program = new Command('notarize').exitOverride().configureOutput({
    writeOut: (s) => out.push(s),
    writeErr: (s) => err.push(s),
  });
  registerLedgerMigrate(program.command('ledger'), ctx);
  try {
    await program.parseAsync(['ledger', 'migrate', ...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) code = error.exitCode === 0 ? 0 : 10;
    else {
      const reported = describeError(error);
      err.push(`${reported.code}: ${reported.message}`);
      code = reported.exitCode;
    }
  }
  return { code, out, err };
}

describe('notarize ledger migrate', () => {
  it('copies an embedded ledger to PostgreSQL and back, verified, and both copies work', async () => {
    const src = path.join(tmp.dir, 'src');
    const ledger = await Ledger.open({ dir: src, origin: 'migrate.example/log' });
    for (let b = 0; b < 5; b++) {
      await ledger.append(
        Array.from({ length: 60 + b }, (_, i) => makeEntry(b * 100 + i, { jobId: String(i % 4) })),
      );
    }
    const keyed = await ledger.append([makeEntry(9001), makeEntry(9002)], {
      idempotencyKey: 'deploy-42',
    });
    const head = ledger.checkpoint();
    const job3 = (
      await ledger.byJob({ provider: 'github', project: 'acme/widgets', jobId: '3' })
    ).entries.map((e) => e.index);
    // The first batch: 60 entries and its map head.
    const at61 = (await ledger.checkpointAt(61)).note;
    await ledger.close();

    const url = schemaUrl(dbUrl, 'copy1');
    const there = await migrate(['--from', `file:${src}`, '--to', url, '--json']);
    expect(there.err).toEqual([]);
    expect(there.code).toBe(0);
    expect(JSON.parse(there.out[0]!)).toMatchObject({
      size: head.size,
      root: head.root,
      checkpoints: 7,
      idempotencyKeys: 1,
      verified: true,
    });

    // The PostgreSQL copy is a working ledger with the same head, lookups and idempotency keys.
    const onPg = await Ledger.open({ dir: src, store: await PostgresStore.open(url) });
    expect(onPg.checkpoint()).toEqual(head);
    const replay = await onPg.append([makeEntry(9001), makeEntry(9002)], {
      idempotencyKey: 'deploy-42',
    });
    expect(replay.map((r) => r.index)).toEqual(keyed.map((r) => r.index));
    const pgJob3 = (await onPg.byJob({ provider: 'github', project: 'acme/widgets', jobId: '3' }))
      .entries;
    expect(pgJob3.map((e) => e.index)).toEqual(job3);
    expect(job3.length).toBe(76);
    expect((await onPg.checkpointAt(61)).note).toBe(at61);
    await onPg.append(makeEntry(777));
    const grown = onPg.checkpoint();
    await onPg.close();

    // And back into a new directory, which receives the key and verifies on its own.
    const back = path.join(tmp.dir, 'back');
    const home = await migrate(['--from', url, '--to', `file:${back}`, '--key-dir', src]);
    expect(home.err).toEqual([]);
    expect(home.out.join('\n')).toMatch(
      new RegExp(`migrated ${grown.size} entries and 8 checkpoints`),
    );
    const report = await verifyLedgerDir(back);
    expect(report).toMatchObject({ ok: true, size: grown.size, root: grown.root, checkpoints: 8 });
    const reopened = await Ledger.open({ dir: back });
    expect(reopened.checkpoint()).toEqual(grown);
    await reopened.append(makeEntry(778));
    await reopened.close();
  });

  it('refuses a destination that already holds a ledger', async () => {
    const src = path.join(tmp.dir, 'src2');
    const ledger = await Ledger.open({ dir: src, origin: 'migrate2.example/log' });
    await ledger.append(makeEntry(1));
    await ledger.close();
    const url = schemaUrl(dbUrl, 'copy2');
    expect((await migrate(['--from', src, '--to', url])).code).toBe(0);
    const again = await migrate(['--from', src, '--to', url]);
    expect(again.code).toBe(10);
    expect(again.err.join('\n')).toMatch(/already holds a ledger/);
  });

  it('refuses a source that does not verify and copies nothing', async () => {
    const src = path.join(tmp.dir, 'src3');
    const url = schemaUrl(dbUrl, 'bad_src');
    const ledger = await Ledger.open({
      dir: src,
      origin: 'migrate3.example/log',
      store: await PostgresStore.open(url),
    });
    await ledger.append(Array.from({ length: 10 }, (_, i) => makeEntry(i)));
    await ledger.close();
    const admin = new pg.Client({ connectionString: dbUrl });
    await admin.connect();
    await admin.query(
      `UPDATE bad_src.entries SET data = convert_to(replace(convert_from(data, 'UTF8'), 'entry 4', 'entry 5'), 'UTF8') WHERE idx = 4`,
    );
    await admin.end();
    const dest = path.join(tmp.dir, 'dest3');
    const run = await migrate(['--from', url, '--to', `file:${dest}`, '--key-dir', src]);
    expect(run.code).toBe(20);
    expect(run.err.join('\n')).toMatch(/source does not verify, nothing was copied: entry 4/);
  });

  it('asks for --key-dir between two databases', async () => {
    const run = await migrate(['--from', schemaUrl(dbUrl, 'a'), '--to', schemaUrl(dbUrl, 'b')]);
    expect(run.code).toBe(10);
    expect(run.err.join('\n')).toMatch(/--key-dir/);
  });
});
