/**
 * Several `notarize serve` processes sharing one ledger in PostgreSQL: concurrent appends through
 * every instance make one consistent log with nothing lost or duplicated; SIGKILL of one instance
 * under load loses no acknowledged entry while the others go on; `ledger verify` passes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { openLedgerClient, type LedgerClient } from '@notarize/client';
import { PostgresStore, verifyLedgerStore } from '@notarize/ledger';
import { generateApiKey } from '@notarize/server/auth';
import { noteVerifierFromVkey } from '@notarize/tlog';
import { buildAssertion } from '@notarize/trust';
import { startTestPostgres, type TestPostgres } from './support/postgres.ts';

const NODE = path.resolve('node_modules/.bin/node');
const MAIN = path.resolve('packages/cli/src/main.ts');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Instance {
  url: string;
  child: ChildProcess;
  vkey: string;
}

async function startInstance(config: string, cwd: string): Promise<Instance> {
  const port = await freePort();
  const child = spawn(NODE, [MAIN, 'serve', '--config', config, '--listen', `127.0.0.1:${port}`], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${err}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok && out.trim()) {
        return { url, child, vkey: out.trim().split('\n')[0] as string };
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`serve did not start: ${err}`);
}

const digestOf = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

describe('notarize serve on PostgreSQL, several instances', () => {
  let pg: TestPostgres;
  let dir: string;
  let dbUrl: string;
  let token: string;
  const instances: Instance[] = [];

  beforeAll(async () => {
    pg = await startTestPostgres();
    dbUrl = await pg.createDatabase('serve');
    dir = await mkdtemp(path.join(os.tmpdir(), 'notarize-pgserve-'));
    const key = generateApiKey();
    token = key.key;
    // One data directory: every instance of a ledger signs with the same ledger.key.
    await writeFile(
      path.join(dir, 'config.yaml'),
      [
        'origin: pg.example/ledger',
        `storage: ${dbUrl}`,
        'data: keys',
        'log: {level: error}',
        'identities: {ci: {role: pipeline}}',
        `apiKeys: [{hash: "${key.hash}", identity: ci}]`,
        '',
      ].join('\n'),
    );
    // The first start creates the key; the others start from it.
    instances.push(await startInstance('config.yaml', dir));
    instances.push(...(await Promise.all([1, 2].map(() => startInstance('config.yaml', dir)))));
  }, 60_000);

  afterAll(async () => {
    for (const i of instances) i.child.kill('SIGKILL');
    await pg?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const client = (url: string, vkey: string): Promise<LedgerClient> =>
    openLedgerClient(url, { token, vkey, statePath: false, retries: 0, notice: () => {} });

  it('serves one log from all instances and survives SIGKILL of one', async () => {
    const vkey = instances[0]!.vkey;
    expect(instances.every((i) => i.vkey === vkey)).toBe(true);
    const clients = await Promise.all(instances.map((i) => client(i.url, vkey)));
    const acknowledged = new Map<number, string>(); // index -> subject digest
    let next = 1;
    let killed = false;
    const writer = async (c: LedgerClient, instance: number) => {
      for (let round = 0; round < 25; round++) {
        const digests = [next++, next++, next++, next++].map(digestOf);
        const requests = digests.map((d) =>
          buildAssertion({ subjects: [{ name: d, digest: d }], status: 'trusted' }),
        );
        try {
          const receipts = await c.append(requests);
          receipts.forEach((r, i) => {
            expect(acknowledged.has(r.index)).toBe(false); // no duplicate index
            acknowledged.set(r.index, digests[i] as string);
          });
        } catch (error) {
          // Only the killed instance may fail.
          if (!(killed && instance === 0)) throw error;
          return;
        }
        if (instance === 1 && round === 8) {
          killed = true;
          instances[0]!.child.kill('SIGKILL');
        }
      }
    };
    // Four writers per instance.
    await Promise.all(clients.flatMap((c, i) => [0, 1, 2, 3].map(() => writer(c, i))));
    expect(killed).toBe(true);
    expect(acknowledged.size).toBeGreaterThan(2 * 4 * 25 * 4 - 1);

    // Every acknowledged entry is there, with its content, read through another instance.
    // Instances follow each other's appends within about a second (followMs): a reader on
    // another instance catches up to everything acknowledged anywhere.
    const reader = clients[2] as LedgerClient;
    const indexes = [...acknowledged.keys()].sort((a, b) => a - b);
    const highest = indexes[indexes.length - 1] as number;
    let cp = await reader.checkpoint();
    for (let i = 0; i < 100 && cp.size <= highest; i++) {
      await new Promise((r) => setTimeout(r, 100));
      cp = await reader.checkpoint();
    }
    expect(cp.size).toBeGreaterThan(highest);
    for (const index of indexes.filter((_, i) => i % 7 === 0)) {
      const { found } = await reader.entry(index);
      expect(found.entry.statement.subject[0]?.digest.sha256).toBe(
        acknowledged.get(index)?.slice(7),
      );
    }
    const lookup = await reader.subject(acknowledged.get(indexes[0] as number) as string);
    expect(lookup.entries.map((e) => e.index)).toEqual([indexes[0]]);
    for (const c of clients) await c.close();

    // The whole store verifies: one log, no gap, no fork.
    const store = await PostgresStore.open({ url: dbUrl, readOnly: true });
    try {
      const report = await verifyLedgerStore(store, {
        origin: 'pg.example/ledger',
        verifier: noteVerifierFromVkey(vkey),
      });
      expect(report).toMatchObject({ ok: true });
      expect(report.size).toBe(cp.size);
    } finally {
      await store.close();
    }
  }, 120_000);
});
