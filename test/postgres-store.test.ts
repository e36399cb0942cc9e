/** PostgreSQL-specific behaviour of PostgresStore: migrations, URLs, initialization, failures. */
import pg from 'pg';
import { generateNoteKey, noteSignerFromSkey, signCheckpoint } from '@notarize/tlog';
import { LedgerError } from '@notarize/ledger';
import { FastCompactRange } from '../packages/ledger/src/compact-range.ts';
import {
  parsePostgresSpec,
  PostgresStore,
  redact,
  SCHEMA_VERSION,
} from '../packages/ledger/src/postgres/index.ts';
import { schemaUrl, startTestPostgres, type TestPostgres } from './support/postgres.ts';

let pgServer: TestPostgres;
let dbUrl: string;
let admin: pg.Client;

beforeAll(async () => {
  pgServer = await startTestPostgres();
  dbUrl = await pgServer.createDatabase('store');
  admin = new pg.Client({ connectionString: dbUrl });
  await admin.connect();
}, 60_000);

afterAll(async () => {
  await admin?.end();
  await pgServer?.stop();
});

function sizeZero(origin: string) {
  const signer = noteSignerFromSkey(generateNoteKey(origin).skey);
  const root = FastCompactRange.empty().root();
  return { size: 0, note: signCheckpoint({ origin, size: 0, root, extensions: [] }, signer) };
}

describe('schema migrations', () => {
  it('are applied once, even when several instances start together', async () => {
    const url = schemaUrl(dbUrl, 'racing');
    const stores = await Promise.all(Array.from({ length: 6 }, () => PostgresStore.open(url)));
    await Promise.all(stores.map((s) => s.close()));
    const { rows } = await admin.query('SELECT version, name FROM racing.schema_migrations');
    expect(SCHEMA_VERSION).toBe(2);
    expect(rows).toEqual([
      { version: '1', name: 'log tables' },
      { version: '2', name: 'lookup map values' },
    ]);
    // Opening again applies nothing new and changes nothing.
    await (await PostgresStore.open(url)).close();
    expect(
      (await admin.query('SELECT count(*)::int AS n FROM racing.schema_migrations')).rows[0].n,
    ).toBe(2);
  });

  it('refuse a schema newer than this version understands', async () => {
    const url = schemaUrl(dbUrl, 'future');
    await (await PostgresStore.open(url)).close();
    await admin.query(
      `INSERT INTO future.schema_migrations VALUES (${SCHEMA_VERSION + 1}, 'later', 'now')`,
    );
    const error = await PostgresStore.open(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerError);
    expect((error as LedgerError).message).toMatch(
      /newer than this version of notarize understands/,
    );
  });

  it('read-only opening neither creates nor migrates anything', async () => {
    const error = await PostgresStore.open({
      url: schemaUrl(dbUrl, 'absent'),
      readOnly: true,
    }).catch((e: unknown) => e);
    expect((error as LedgerError).code).toBe('STORE_UNAVAILABLE');
    const { rows } = await admin.query(
      `SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name = 'absent'`,
    );
    expect(rows[0].n).toBe(0);
  });
});

describe('initialization', () => {
  it('lets racing instances initialize the same ledger, refuses another origin', async () => {
    const url = schemaUrl(dbUrl, 'init');
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.open(url)));
    const cp = sizeZero('init.example/log');
    await Promise.all(
      stores.map((s) => s.initialize({ origin: 'init.example/log', format: 1 }, cp)),
    );
    expect(await stores[0]!.readMeta()).toEqual({ origin: 'init.example/log', format: 1 });
    expect(await stores[1]!.latestCheckpoint()).toEqual(cp);
    const error = await stores[2]!
      .initialize({ origin: 'other.example/log', format: 1 }, sizeZero('other.example/log'))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STORE_CONFLICT', category: 'conflict' });
    expect(await stores[3]!.readMeta()).toEqual({ origin: 'init.example/log', format: 1 });
    await Promise.all(stores.map((s) => s.close()));
  });
});

describe('connection specs', () => {
  it('take the schema from the URL and keep the rest for pg', () => {
    const spec = parsePostgresSpec(
      'postgres://u:secret@db.example:5433/notary?schema=shard_2026&sslmode=require',
    );
    expect(spec.schema).toBe('shard_2026');
    expect(spec.connectionString).toBe(
      'postgres://u:secret@db.example:5433/notary?sslmode=require',
    );
    expect(parsePostgresSpec('postgresql://h/db').schema).toBe('public');
  });

  it('refuse unusable schema names and non-PostgreSQL URLs', () => {
    expect(() => parsePostgresSpec('postgres://h/db?schema=Bad;drop')).toThrow(
      /not a usable schema name/,
    );
    expect(() => parsePostgresSpec('mysql://h/db')).toThrow(/postgres:\/\//);
  });

  it('never show the password', () => {
    expect(redact('postgres://u:secret@h/db')).toBe('postgres://u:***@h/db');
  });

  it('report an unreachable server as unavailable, without the password', async () => {
    const error = (await PostgresStore.open('postgres://u:hunter2@127.0.0.1:1/none').catch(
      (e: unknown) => e,
    )) as LedgerError;
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', category: 'unavailable' });
    expect(error.message).not.toMatch(/hunter2/);
  });
});
