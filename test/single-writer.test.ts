/**
 * One writer process per ledger directory, and a `serve` that fails cleanly. Two writable
 * processes on one `file:` directory used to disagree on the tree size and clients got ROLLBACK
 * (exit 20); now the CLI waits (bounded) for the holder and `serve` refuses, both naming the
 * holder's PID, while read-only openers carry on. A busy port is exit 10 that creates nothing.
 * Real processes: the CLI and `notarize serve` run as children of this test.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Ledger, WRITER_PID_FILE } from '@notarize/ledger';

const NODE = path.resolve('node_modules/.bin/node');
const MAIN = path.resolve('packages/cli/src/main.ts');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [MAIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: cwd, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A child that should have exited but serves on is a failure, not a hung test.
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

function listenOnFreePort(): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'notarize-writer-'));
  await writeFile(path.join(dir, 'app.txt'), 'app\n');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('one writer process per ledger directory', () => {
  test('the CLI waits for the holder, bounded, and then names its PID; reads carry on', async () => {
    const data = path.join(dir, 'ledger');
    const holder = await Ledger.open({ dir: data });
    try {
      const refused = await run(
        ['trust', 'app.txt', '--as', 'ci', '--ledger', `file:${data}`],
        dir,
        {
          NOTARIZE_WRITER_WAIT: '1',
        },
      );
      expect(refused.code).toBe(10);
      expect(refused.stderr).toContain(`open for writing by process ${process.pid} (waited 1 s)`);
      expect(refused.stderr).toContain('LEDGER_BUSY');
      expect(refused.stderr).not.toMatch(/\n\s+at /);
      expect(refused.ms).toBeGreaterThanOrEqual(1000);
      expect(holder.size).toBe(0);

      // A reader is not a writer: status opens read-only and answers (nothing trusted yet: 2).
      const status = await run(['status', 'app.txt', '--ledger', `file:${data}`], dir);
      expect(status.stderr).not.toContain('LEDGER_BUSY');
      expect(status.code).toBe(2);

      // The waiting writer gets its turn once the holder closes.
      const waiting = run(['trust', 'app.txt', '--as', 'ci', '--ledger', `file:${data}`], dir, {
        NOTARIZE_WRITER_WAIT: '60',
      });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await holder.close();
      const done = await waiting;
      expect(done.stderr).not.toContain('LEDGER_BUSY');
      expect(done.code).toBe(0);
    } finally {
      await holder.close();
    }
    // The holder's PID file goes with its lock.
    expect(existsSync(path.join(data, WRITER_PID_FILE))).toBe(false);
  }, 60_000);

  test('a second writable serve refuses at once, naming the holder', async () => {
    const data = path.join(dir, 'ledger');
    await writeFile(path.join(dir, 'config.yaml'), 'log: {level: error}\n');
    const holder = await Ledger.open({ dir: data });
    try {
      const refused = await run(
        ['serve', '--config', 'config.yaml', '--data', data, '--listen', '127.0.0.1:0'],
        dir,
      );
      expect(refused.code).toBe(10);
      expect(refused.stderr).toContain(
        `error LEDGER_BUSY: the ledger in ${data} is open for writing by process ${process.pid};`,
      );
      expect(refused.stderr).not.toMatch(/\n\s+at /);
      expect(refused.ms).toBeLessThan(15_000);
    } finally {
      await holder.close();
    }
  }, 30_000);
});

describe('serve on a busy port', () => {
  test('exits 10 naming the address and creates nothing', async () => {
    const busy = await listenOnFreePort();
    const { port } = busy.address() as net.AddressInfo;
    try {
      await writeFile(path.join(dir, 'config.yaml'), 'log: {level: error}\n');
      const data = path.join(dir, 'new-ledger');
      for (const config of [[], ['--config', 'config.yaml']]) {
        const result = await run(
          ['serve', ...config, '--data', data, '--listen', `127.0.0.1:${port}`],
          dir,
        );
        expect(result.code).toBe(10);
        expect(result.stderr).toContain(
          `LISTEN_FAILED: 127.0.0.1:${port} is in use; pass --listen HOST:PORT`,
        );
        expect(result.stderr).not.toMatch(/\n\s+at /);
        expect(existsSync(data)).toBe(false);
      }
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  }, 30_000);
});
