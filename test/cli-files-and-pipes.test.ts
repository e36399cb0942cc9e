/**
 * Issue 14, item 15: a YAML alias bomb in a policy is exit 10 POLICY_INVALID (not 70); a named
 * pipe (or any non-regular file) as --policy is refused at once instead of blocking forever; and
 * a reader that goes away (`notarize ledger verify | head -1`) ends no command with an EPIPE
 * stack: the CLI stops writing and exits with the code of its work.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parsePolicy } from '@notarize/trust';
import { notarizeCli } from './support/cli.ts';

const NODE = path.resolve('node_modules/node/bin/node');
const MAIN = path.resolve('packages/cli/src/main.ts');
const DIGEST = `sha256:${'c'.repeat(64)}`;

/** The billion-laughs shape: 9 levels of 9 aliases each would expand to 9^9 nodes. */
function aliasBomb(): string {
  const lines = ['version: 1', 'x0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) {
    const refs = Array.from({ length: 9 }, () => `*a${i - 1}`).join(',');
    lines.push(`x${i}: &a${i} [${refs}]`);
  }
  lines.push('require:', '  - status: trusted', '    reason: *a8');
  return `${lines.join('\n')}\n`;
}

let dir: string;
let ledger: string;
const env = () => ({ NOTARIZE_STATE: path.join(dir, 'state.json') });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'files-pipes-'));
  ledger = `file:${path.join(dir, 'ledger')}`;
  const r = await notarizeCli(['untrust', DIGEST, '--ledger', ledger, '--as', 'me'], {
    cwd: dir,
    env: env(),
  });
  expect(r.code).toBe(0);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('policy files', () => {
  it('an alias bomb is POLICY_INVALID (exit 10), quickly', async () => {
    await writeFile(path.join(dir, 'bomb.yml'), aliasBomb());
    const started = Date.now();
    const r = await notarizeCli(['gate', DIGEST, '--policy', 'bomb.yml', '--ledger', ledger], {
      cwd: dir,
      env: env(),
    });
    expect(r.code).toBe(10);
    expect(r.stderr).toMatch(/notarize: error POLICY_INVALID: .*\n.*alias/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(parsePolicy(aliasBomb(), { source: 'inline' })).rejects.toMatchObject({
      code: 'POLICY_INVALID',
      category: 'input',
    });
  });

  it('a named pipe as --policy is refused at once, not waited on', async () => {
    const fifo = path.join(dir, 'policy.fifo');
    await promisify(execFile)('mkfifo', [fifo]);
    const r = await Promise.race([
      notarizeCli(['gate', DIGEST, '--policy', fifo, '--ledger', ledger], { cwd: dir, env: env() }),
      new Promise<'blocked'>((resolve) => setTimeout(() => resolve('blocked'), 5000).unref()),
    ]);
    expect(r).not.toBe('blocked');
    expect(r).toMatchObject({
      code: 10,
      stderr: expect.stringMatching(/POLICY_UNREADABLE: .*special file.*not a regular file/),
    });
  });

  it('a directory or a device as --policy is refused too', async () => {
    await mkdir(path.join(dir, 'policy-dir'));
    for (const [policy, what] of [
      ['policy-dir', 'a directory'],
      ['/dev/zero', 'a special file'],
    ]) {
      const r = await notarizeCli(['gate', DIGEST, '--policy', policy!, '--ledger', ledger], {
        cwd: dir,
        env: env(),
      });
      expect({ code: r.code, what: r.stderr.includes(what!) }).toEqual({ code: 10, what: true });
    }
  });
});

describe('a reader that goes away', () => {
  /** Runs the CLI with its stdout's reader closed before it writes a byte. */
  function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(NODE, [MAIN, ...args], {
        cwd: dir,
        env: { PATH: process.env.PATH, HOME: dir, ...env() },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
  }

  it('`ledger verify | head -1`: no EPIPE stack, the exit code of the verification', async () => {
    const r = await runWithClosedStdout(['ledger', 'verify', '--data', path.join(dir, 'ledger')]);
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r.code).toBe(0);
  });

  it('a blocking decision keeps its exit code when nobody reads the report', async () => {
    const r = await runWithClosedStdout(['status', DIGEST, '--ledger', ledger]);
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r.code).toBe(1);
  });
});
