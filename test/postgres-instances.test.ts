/**
 * Several engine instances (separate processes) sequencing one PostgreSQL log under concurrent
 * load: no acknowledged entry lost, none duplicated, one consistent log that verifies; and a
 * SIGKILLed instance loses nothing it acknowledged while the others go on appending.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Ledger, verifyLedgerStore } from '@notarize/ledger';
import { noteVerifierFromVkey } from '@notarize/tlog';
import { PostgresStore } from '../packages/ledger/src/postgres/index.ts';
import { entryBytes } from './support/ledger-fixtures.ts';
import { tempDir } from './support/ledger-helpers.ts';
import { schemaUrl, startTestPostgres, type TestPostgres } from './support/postgres.ts';

const NODE = path.resolve('node_modules/.bin/node');
const CHILD = path.resolve('test/support/postgres-instance-child.ts');
const ORIGIN = 'instances.example/log';

let pgServer: TestPostgres;
let dbUrl: string;
let tmp: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  tmp = await tempDir('pg-instances-');
  pgServer = await startTestPostgres();
  dbUrl = await pgServer.createDatabase('instances');
}, 60_000);

afterAll(async () => {
  await pgServer?.stop();
  await tmp?.done();
});

interface Instance {
  acks: { index: number; n: number; at: number }[];
  failures: string[];
  ready: Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(): void;
}

function startInstance(url: string, dir: string, id: number, ms: number): Instance {
  const child = spawn(NODE, [CHILD, url, dir, String(id), String(ms)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acks: Instance['acks'] = [];
  const failures: string[] = [];
  let buffer = '';
  let stderr = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? ''; // an incomplete last line was not fully acknowledged
    for (const line of lines) {
      if (line === 'ready') onReady();
      else if (line.startsWith('fail ')) failures.push(line.slice(5));
      else if (line !== 'done') {
        const [index, n] = line.split(' ').map(Number);
        acks.push({ index: index as number, n: n as number, at: Date.now() });
      }
    }
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { acks, failures, ready, exit, kill: () => child.kill('SIGKILL') };
}

/** Creates the log (and its key) once, as the first instance of a deployment would. */
async function createLog(label: string): Promise<{ url: string; dir: string }> {
  const url = schemaUrl(dbUrl, label);
  const dir = path.join(tmp.dir, label);
  const ledger = await Ledger.open({ dir, origin: ORIGIN, store: await PostgresStore.open(url) });
  await ledger.close();
  return { url, dir };
}

/**
 * Checks the whole log: verifies, holds every acknowledged entry where it was acknowledged, no
 * duplicate. Returns the log's size and how many of its entries are appended ones (the rest are
 * the map heads that close each batch).
 */
async function checkLog(
  url: string,
  dir: string,
  instances: Instance[],
): Promise<{ size: number; appended: number }> {
  const store = await PostgresStore.open(url);
  const ledger = await Ledger.open({ dir, store, readOnly: true });
  try {
    const report = await verifyLedgerStore(store, {
      origin: ORIGIN,
      verifier: noteVerifierFromVkey(ledger.vkey),
    });
    expect(report.problem).toBeUndefined();
    expect(report.ok).toBe(true);
    const size = report.size;
    const acked = instances.flatMap((i) => i.acks);
    expect(new Set(acked.map((a) => a.index)).size).toBe(acked.length);
    const entries = await store.readEntries(0, size);
    const text = entries.map((e) => Buffer.from(e).toString('utf8'));
    for (const a of acked) {
      expect(
        Buffer.from(entries[a.index]!).equals(
          Buffer.from(entryBytes(a.n, { jobId: String(a.n % 7) })),
        ),
      ).toBe(true);
    }
    // Every batch, so the log too, ends with a map head; every other entry is an appended one.
    const isHead = text.map((t) => (JSON.parse(t) as { kind: string }).kind === 'map-head');
    expect(isHead[size - 1]).toBe(true);
    const appended = text.filter((_, i) => !isHead[i]);
    // No entry twice: every fixture carries its number in `reason`.
    const numbers = appended.map((t) => /"reason":"entry (-?\d+)"/.exec(t)?.[1]);
    expect(numbers.every((n) => n !== undefined)).toBe(true);
    expect(new Set(numbers).size).toBe(appended.length);
    return { size, appended: appended.length };
  } finally {
    await ledger.close();
  }
}

describe.each([2, 3])('%i engine instances on one PostgreSQL log', (count) => {
  it('appending concurrently keep one consistent log with every acknowledged entry once', async () => {
    const { url, dir } = await createLog(`multi${count}`);
    const instances = Array.from({ length: count }, (_, i) => startInstance(url, dir, i + 1, 4000));
    await Promise.all(instances.map((i) => i.ready));
    // Verification works on the live log while the instances append (and reads on another
    // instance follow them).
    await new Promise((r) => setTimeout(r, 500));
    const observer = await Ledger.open({ dir, store: url, readOnly: true, followMs: 50 });
    try {
      // Taken before the live verification (which replays the lookup map too), so the instances
      // are still appending during the wait below on a loaded machine.
      const seen = observer.size;
      const live = await verifyLedgerStore(observer.store, {
        origin: ORIGIN,
        verifier: noteVerifierFromVkey(observer.vkey),
      });
      expect(live.problem).toBeUndefined();
      expect(live.size).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 300));
      expect(observer.size).toBeGreaterThan(seen);
      const last = observer.size - 1;
      expect((await observer.entry(last)).entry.index).toBe(last);
    } finally {
      await observer.close();
    }
    const exits = await Promise.all(instances.map((i) => i.exit));
    for (const e of exits)
      expect({ ...e, stderr: e.code === 0 ? '' : e.stderr }).toMatchObject({
        code: 0,
        signal: null,
        stderr: '',
      });
    const { appended } = await checkLog(url, dir, instances);
    const acked = instances.reduce((n, i) => n + i.acks.length, 0);
    // Every instance really appended, interleaved with the others.
    for (const i of instances) expect(i.acks.length).toBeGreaterThan(20);
    expect(appended).toBeGreaterThanOrEqual(acked);
    const failures = instances.flatMap((i) => i.failures);
    // Conflicts between instances are re-sequenced by the engine, never surfaced to the caller.
    expect(failures).toEqual([]);
    expect(appended).toBe(acked);
    console.log(
      `${count} instances: ${acked} entries acknowledged, ${failures.length} appends rejected (${[...new Set(failures)].join(', ')})`,
    );
  }, 60_000);
});

describe('killing an instance under load', () => {
  it('loses nothing acknowledged and the others go on sequencing', async () => {
    const { url, dir } = await createLog('kill');
    const instances = [1, 2, 3].map((id) => startInstance(url, dir, id, 5000));
    await Promise.all(instances.map((i) => i.ready));
    await new Promise((r) => setTimeout(r, 600 + Math.random() * 400));
    const victim = instances[0]!;
    victim.kill();
    const killedAt = Date.now();
    const exits = await Promise.all(instances.map((i) => i.exit));
    expect(exits[0]!.signal).toBe('SIGKILL');
    for (const e of exits.slice(1)) expect(e).toMatchObject({ code: 0, signal: null });
    expect(victim.acks.length).toBeGreaterThan(0);
    // The survivors kept appending after the kill: they took over sequencing.
    for (const i of instances.slice(1))
      expect(i.acks.filter((a) => a.at > killedAt + 200).length).toBeGreaterThan(0);
    const { appended } = await checkLog(url, dir, instances);
    expect(appended).toBeGreaterThanOrEqual(instances.reduce((n, i) => n + i.acks.length, 0));
  }, 60_000);
});
