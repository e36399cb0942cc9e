/**
 * A real PostgreSQL for the tests. By default each test file starts a PRIVATE cluster from
 * Debian's binaries (/usr/lib/postgresql/<v>/bin, package `postgresql`): initdb into a temp dir
 * owned by the `postgres` OS user (initdb refuses root, so as root it runs through `runuser`),
 * listening on 127.0.0.1 and a free port only, fsync on; `stop()` shuts it down (immediate) and
 * removes it, and an exit hook does the same if the worker dies first. With NOTARIZE_TEST_PG_URL
 * (a superuser-ish URL of an existing server) it uses that server instead and only creates and
 * drops its own databases.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface TestPostgres {
  /** URL of the server's maintenance database (`postgres`). */
  readonly adminUrl: string;
  /** Creates a fresh database and returns its URL. */
  createDatabase(label: string): Promise<string>;
  stop(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      'no PostgreSQL server binaries in /usr/lib/postgresql/*/bin: install the Debian package ' +
        '`postgresql`, or set NOTARIZE_TEST_PG_URL to an existing server',
    );
  }
  return path.join(root, versions[0] as string, 'bin');
}

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

function withUrlDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function databaseFactory(adminUrl: string, created: string[]) {
  return async (label: string): Promise<string> => {
    const name = `nt_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
    await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
    created.push(name);
    return withUrlDatabase(adminUrl, name);
  };
}

async function useExisting(url: string): Promise<TestPostgres> {
  const created: string[] = [];
  return {
    adminUrl: url,
    createDatabase: databaseFactory(url, created),
    async stop() {
      await admin(url, async (c) => {
        for (const name of created) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    },
  };
}

async function startPrivate(): Promise<TestPostgres> {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const base = mkdtempSync(path.join(os.tmpdir(), 'notarize-pg-'));
  const data = path.join(base, 'data');
  const socketDir = path.join(base, 'sock');
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(base, uid, gid);
    chmodSync(base, 0o700);
  }
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args]]
      : [path.join(bin, cmd), args];
    const result = spawnSync(file, argv, { encoding: 'utf8', cwd: base });
    if (result.status !== 0) {
      throw new Error(`${cmd} failed (${result.status}): ${result.stderr || result.stdout}`);
    }
  };
  run('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-instructions',
    '-N',
  ]);
  const port = await freePort();
  const mkSock = asRoot
    ? spawnSync('runuser', ['-u', 'postgres', '--', 'mkdir', '-p', socketDir])
    : spawnSync('mkdir', ['-p', socketDir]);
  if (mkSock.status !== 0) throw new Error('cannot create the socket directory');
  const options = [
    '-c listen_addresses=127.0.0.1',
    `-p ${port}`,
    `-k ${socketDir}`,
    '-c fsync=on',
    '-c max_connections=200',
    '-c shared_buffers=64MB',
  ].join(' ');
  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    const argv = ['-D', data, '-m', 'immediate', '-w', 'stop'];
    if (asRoot) spawnSync('runuser', ['-u', 'postgres', '--', path.join(bin, 'pg_ctl'), ...argv]);
    else spawnSync(path.join(bin, 'pg_ctl'), argv);
    rmSync(base, { recursive: true, force: true });
  };
  // Stop the cluster however this process ends: normally, or by SIGINT/SIGTERM (then die of the
  // same signal, as without the handler).
  const onSignal = (signal: NodeJS.Signals) => {
    stopSync();
    process.kill(process.pid, signal);
  };
  const unhook = () => {
    process.removeListener('exit', stopSync);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };
  process.once('exit', stopSync);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    run('pg_ctl', [
      '-D',
      data,
      '-o',
      options,
      '-l',
      path.join(base, 'server.log'),
      '-w',
      '-t',
      '60',
      'start',
    ]);
  } catch (error) {
    unhook();
    stopSync();
    throw error;
  }
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const created: string[] = [];
  return {
    adminUrl,
    createDatabase: databaseFactory(adminUrl, created),
    async stop() {
      unhook();
      stopSync();
    },
  };
}

/** Starts (or, with NOTARIZE_TEST_PG_URL, connects to) the PostgreSQL of one test file. */
export function startTestPostgres(): Promise<TestPostgres> {
  const url = process.env.NOTARIZE_TEST_PG_URL;
  return url ? useExisting(url) : startPrivate();
}

/** A URL for a fresh schema in `dbUrl` (each test gets its own log). */
export function schemaUrl(dbUrl: string, schema: string): string {
  const u = new URL(dbUrl);
  u.searchParams.set('schema', schema);
  return u.toString();
}
