/**
 * Tampering done directly in the PostgreSQL database (an updated row, a deleted row, a rolled-back
 * log) is found by `verify` and by a client that holds a newer checkpoint.
 */
import path from 'node:path';
import pg from 'pg';
import {
  checkLedgerExtends,
  Ledger,
  verifyLedgerStore,
  type SignedCheckpoint,
} from '@notarize/ledger';
import { noteVerifierFromVkey } from '@notarize/tlog';
import { PostgresStore } from '../packages/ledger/src/postgres/index.ts';
import { makeEntry } from './support/ledger-fixtures.ts';
import { checkInclusion, tempDir } from './support/ledger-helpers.ts';
import { schemaUrl, startTestPostgres, type TestPostgres } from './support/postgres.ts';

const ORIGIN = 'pg-tamper.example/log';
const TABLES = [
  'schema_migrations',
  'migration_lock',
  'meta',
  'log_state',
  'entries',
  'tiles',
  'checkpoints',
  'lookup',
  'map_values',
  'idempotency',
];

let pgServer: TestPostgres;
let dbUrl: string;
let admin: pg.Client;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let keyDir: string;
let vkey: string;
let newest: SignedCheckpoint;
let copies = 0;

beforeAll(async () => {
  tmp = await tempDir('pg-tamper-');
  keyDir = path.join(tmp.dir, 'key');
  pgServer = await startTestPostgres();
  dbUrl = await pgServer.createDatabase('tamper');
  admin = new pg.Client({ connectionString: dbUrl });
  await admin.connect();
  const ledger = await Ledger.open({
    dir: keyDir,
    origin: ORIGIN,
    store: await PostgresStore.open(schemaUrl(dbUrl, 'base')),
  });
  // Each batch of 100 is followed by its map head: entry b * 100 + i is at index b * 101 + i, and
  // the map heads are at 100, 201, 302, ... 605.
  for (let b = 0; b < 6; b++) {
    await ledger.append(
      Array.from({ length: 100 }, (_, i) => makeEntry(b * 100 + i, { jobId: String(i % 5) })),
    );
  }
  newest = ledger.checkpoint();
  vkey = ledger.vkey;
  await ledger.close();
}, 60_000);

afterAll(async () => {
  await admin?.end();
  await pgServer?.stop();
  await tmp?.done();
});

/** A copy of the base log in a new schema, with `sql` (on schema `t`) applied to it. */
async function tampered(sql: string): Promise<string> {
  const schema = `t${copies++}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  for (const t of TABLES) {
    await admin.query(`CREATE TABLE ${schema}.${t} (LIKE base.${t} INCLUDING ALL)`);
    await admin.query(`INSERT INTO ${schema}.${t} SELECT * FROM base.${t}`);
  }
  await admin.query(`SET search_path TO ${schema}`);
  await admin.query(sql);
  await admin.query('SET search_path TO public');
  return schemaUrl(dbUrl, schema);
}

async function verifyAt(url: string) {
  const store = await PostgresStore.open({ url, readOnly: true });
  try {
    return await verifyLedgerStore(store, { origin: ORIGIN, verifier: noteVerifierFromVkey(vkey) });
  } finally {
    await store.close();
  }
}

async function openClientView(url: string): Promise<Ledger> {
  return Ledger.open({
    dir: keyDir,
    store: await PostgresStore.open({ url, readOnly: true }),
    readOnly: true,
  });
}

describe('verify finds tampering in PostgreSQL', () => {
  it('passes on the untouched log', async () => {
    const report = await verifyAt(await tampered('SELECT 1'));
    expect(report).toMatchObject({
      ok: true,
      size: 606,
      root: newest.root,
      checkpoints: 7,
      lookupRows: 1800,
    });
  });

  const cases: [string, string, string, number | undefined][] = [
    [
      'an updated entry',
      `UPDATE entries SET data = convert_to(replace(convert_from(data, 'UTF8'), 'entry 123', 'entry 124'), 'UTF8') WHERE idx = 124`,
      'NODE_MISMATCH',
      124,
    ],
    [
      'an entry made invalid',
      `UPDATE entries SET data = convert_to(replace(convert_from(data, 'UTF8'), '"v":1', '"v":2'), 'UTF8') WHERE idx = 77`,
      'ENTRY_INVALID',
      77,
    ],
    [
      'a flipped byte in a stored hash',
      `UPDATE tiles SET data = set_byte(data, 4000, (get_byte(data, 4000) + 1) % 256) WHERE id = 0`,
      'NODE_MISMATCH',
      undefined,
    ],
    [
      'a changed checkpoint',
      `UPDATE checkpoints SET note = replace(note, E'\\n303\\n', E'\\n304\\n') WHERE size = 303`,
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
    ['a deleted tile', `DELETE FROM tiles WHERE id = 1`, 'STRUCTURE', undefined],
    [
      'the newest checkpoint row deleted',
      `DELETE FROM checkpoints WHERE size = 606`,
      'STRUCTURE',
      undefined,
    ],
    ['a deleted index row', `DELETE FROM lookup WHERE idx = 599`, 'LOOKUP_MISMATCH', 599],
    [
      'a rewound head',
      `UPDATE log_state SET size = 404, checkpoint = (SELECT note FROM checkpoints WHERE size = 404)`,
      'STRUCTURE',
      undefined,
    ],
  ];

  it.each(cases)('reports %s', async (_name, sql, code, at) => {
    const report = await verifyAt(await tampered(sql));
    expect(report.ok).toBe(false);
    expect(report.problem?.code).toBe(code);
    if (at !== undefined) expect(report.problem?.at).toBe(at);
  });
});

describe('a client holding a newer checkpoint', () => {
  it('refuses an updated entry: its proof does not reach the trusted root', async () => {
    const ledger = await openClientView(
      await tampered(
        `UPDATE entries SET data = convert_to(replace(convert_from(data, 'UTF8'), 'entry 123', 'entry 124'), 'UTF8') WHERE idx = 124`,
      ),
    );
    try {
      const { entry } = await ledger.entry(124);
      expect(() => checkInclusion(vkey, newest.note, entry.entry, 124, entry.proof)).toThrow();
      // The untouched neighbour still checks out against the same trusted checkpoint.
      const ok = await ledger.entry(123);
      expect(checkInclusion(vkey, newest.note, ok.entry.entry, 123, ok.entry.proof).size).toBe(606);
    } finally {
      await ledger.close();
    }
  });

  it('refuses a changed stored hash: the proof fails', async () => {
    const ledger = await openClientView(
      await tampered(
        `UPDATE tiles SET data = set_byte(data, 32, (get_byte(data, 32) + 1) % 256) WHERE id = 0`,
      ),
    );
    try {
      // Tile 0 slot 1 is the leaf hash of entry 1: a sibling in entry 0's proof.
      const { entry } = await ledger.entry(0);
      expect(() => checkInclusion(vkey, newest.note, entry.entry, 0, entry.proof)).toThrow();
    } finally {
      await ledger.close();
    }
  });

  it('gets an error, not an answer, for a deleted entry', async () => {
    const ledger = await openClientView(await tampered(`DELETE FROM entries WHERE idx = 10`));
    try {
      await expect(ledger.entry(10)).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    } finally {
      await ledger.close();
    }
  });

  it('detects a log rolled back consistently in the database', async () => {
    const url = await tampered(`
      DELETE FROM entries WHERE idx >= 404;
      DELETE FROM lookup WHERE idx >= 404;
      DELETE FROM map_values WHERE ver >= 404;
      DELETE FROM checkpoints WHERE size > 404;
      DELETE FROM tiles WHERE id = 2;
      UPDATE log_state SET size = 404, checkpoint = (SELECT note FROM checkpoints WHERE size = 404);
      UPDATE log_state SET root = decode(split_part(checkpoint, E'\\n', 3), 'base64');`);
    // Internally consistent, so only a client that saw the newer checkpoint can tell.
    expect((await verifyAt(url)).ok).toBe(true);
    const ledger = await openClientView(url);
    try {
      expect(ledger.size).toBe(404);
      await expect(checkLedgerExtends(ledger, newest)).rejects.toMatchObject({
        code: 'ROLLBACK_DETECTED',
        category: 'verification',
      });
    } finally {
      await ledger.close();
    }
  });
});
