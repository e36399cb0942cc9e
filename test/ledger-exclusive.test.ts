/**
 * Commits and the ledger's exclusive work (reindex, verify, refresh) never overlap: appends that
 * race them, on SQLite and on a real PostgreSQL, keep every lookup row, and every verification,
 * during and after, stays clean. If a commit ran while reindex() rebuilds the lookup index, the
 * rebuild, computed from the log as it was, would drop the new entries' rows (verify:
 * LOOKUP_MISMATCH); one running inside verify() would make it report a damaged store.
 * Plain SQLite answers every store call within the same turn of the event loop, so nothing can
 * interleave there; it also runs with one turn of latency added to every store call, as a disk
 * or network store has, which opens the same window as PostgreSQL's round trips.
 */
import { Ledger, SqliteStore, type LedgerStore, type Receipt } from '@notarize/ledger';
import path from 'node:path';
import { PostgresStore } from '../packages/ledger/src/postgres/index.ts';
import { makeEntry, digestOf } from './support/ledger-fixtures.ts';
import { tempDir } from './support/ledger-helpers.ts';
import { schemaUrl, startTestPostgres, type TestPostgres } from './support/postgres.ts';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let pgServer: TestPostgres;
let dbUrl: string;

beforeAll(async () => {
  tmp = await tempDir('ledger-exclusive-');
  pgServer = await startTestPostgres();
  dbUrl = await pgServer.createDatabase('exclusive');
}, 60_000);
afterAll(async () => {
  await pgServer?.stop();
  await tmp?.done();
});

/** Every store call answers one event-loop turn later (after the real SQLite call ran). */
function withLatency(store: LedgerStore): LedgerStore {
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.then((v) => new Promise((resolve) => setImmediate(() => resolve(v))));
      };
    },
  });
}

type Kind = 'sqlite' | 'sqlite with latency' | 'postgres';

async function open(kind: Kind): Promise<Ledger> {
  const dir = path.join(tmp.dir, kind.replace(/ /g, '-'));
  const origin = 'test.example/exclusive';
  switch (kind) {
    case 'sqlite':
      return Ledger.open({ dir, origin });
    case 'sqlite with latency':
      return Ledger.open({
        dir,
        origin,
        store: withLatency(SqliteStore.open({ path: path.join(tmp.dir, 'latency.db') })),
      });
    case 'postgres':
      return Ledger.open({
        dir,
        origin,
        store: await PostgresStore.open(schemaUrl(dbUrl, 'exclusive')),
      });
  }
}

const ROUNDS = 4;
const SEED = 3000;
const TURNS = 6;
const PER_ROUND = 2 + 3 * TURNS;

describe.each<Kind>(['sqlite', 'sqlite with latency', 'postgres'])('%s', (kind) => {
  it('appends racing reindex(), verify() and refresh() keep every lookup row', async () => {
    const ledger = await open(kind);
    try {
      let n = 0;
      const batch = (count: number) => Array.from({ length: count }, () => makeEntry(n++));
      await ledger.append(batch(SEED));
      const appended: { n: number; index: number }[] = [];
      const append = async (count: number) => {
        const first = n;
        const receipts = (await ledger.append(batch(count))) as Receipt[];
        receipts.forEach((r, i) => appended.push({ n: first + i, index: r.index }));
      };
      /** Appends `count` entries in each of the next `turns` turns of the event loop. */
      const appendDuring = async (turns: number, count: number) => {
        const work: Promise<void>[] = [];
        for (let t = 0; t < turns; t++) {
          work.push(append(count));
          await new Promise((r) => setImmediate(r));
        }
        await Promise.all(work);
      };
      for (let round = 0; round < ROUNDS; round++) {
        // An exclusive call issued while an append is queued runs after its commit...
        await Promise.all([append(2), ledger.reindex()]);
        // ...and appends that arrive while one runs (issued once the ledger is idle, so the call
        // starts at once) wait for it.
        const reindex = ledger.reindex();
        await Promise.all([reindex, appendDuring(TURNS, 1)]);
        const verify = ledger.verify();
        const [report] = await Promise.all([verify, appendDuring(TURNS, 1)]);
        expect(report.problem).toBeUndefined();
        expect(report.ok).toBe(true);
        await Promise.all([ledger.refresh(), appendDuring(TURNS, 1)]);
      }
      expect(appended).toHaveLength(ROUNDS * PER_ROUND);
      const final = await ledger.verify();
      expect(final.problem).toBeUndefined();
      // Every commit ended with the ledger's map head; everything else is an appended entry.
      const kinds = (await ledger.entryBytes(0, ledger.size)).map(
        (b) => (JSON.parse(Buffer.from(b).toString('utf8')) as { kind: string }).kind,
      );
      const heads = kinds.filter((k) => k === 'map-head').length;
      expect(kinds.at(-1)).toBe('map-head');
      expect(final).toMatchObject({ ok: true, size: SEED + ROUNDS * PER_ROUND + heads });
      // Every entry appended during the races is found by its subject, at its own index.
      const missing: number[] = [];
      for (const { n: k, index } of appended) {
        const found = await ledger.bySubject(`sha256:${digestOf(`s${k}`)}`);
        if (found.entries.map((e) => e.index).join() !== String(index)) missing.push(k);
      }
      expect(missing).toEqual([]);
      // And a rebuild from the log writes exactly the rows that were there.
      const rows = final.lookupRows;
      expect(await ledger.reindex()).toEqual({
        entries: SEED + ROUNDS * PER_ROUND + heads,
        rows,
        mapRows: expect.any(Number),
      });
    } finally {
      await ledger.close();
    }
  });
});
