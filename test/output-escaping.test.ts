/**
 * Issue 14, item 12: ledger data (reasons, file names, subject names) holding newlines, ANSI
 * escapes or `::error::` is shown escaped by `status`, `history` and `evidence get`, and can never
 * start a line of an action's log (where the runner would read it as a workflow command).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { printable } from '@notarize/cli';
import { forJobLog } from '../actions/shared/src/context.ts';
import { run as runGate } from '../actions/gate/src/main.ts';
import { notarizeCli } from './support/cli.ts';

const REASON = 'looks fine\n::error::release approved by security\x1b[2K\x1b[32m PASS\u202e';
const FILE = 'build\n::warning::forged.log';

/** No raw control characters, and no line that starts (after spaces) with `::`. */
function expectSafe(text: string): void {
  // eslint-disable-next-line no-control-regex -- looking for control characters
  expect(text).not.toMatch(/[\x1b\r\u202e]/);
  for (const line of text.split('\n')) expect(line).not.toMatch(/^\s*::/);
}

let dir: string;
let digest: string;
let ledger: string;
const cli = (args: string[]) =>
  notarizeCli([...args, '--ledger', ledger], {
    cwd: dir,
    env: { NOTARIZE_STATE: path.join(dir, 'state.json') },
  });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'escape-'));
  ledger = `file:${path.join(dir, 'ledger')}`;
  await writeFile(path.join(dir, 'app.bin'), 'the artifact\n');
  await writeFile(path.join(dir, 'github-output'), '');
  await writeFile(path.join(dir, FILE), 'a log\n');
  const untrust = await cli(['untrust', 'app.bin', '--as', 'mallory', '--reason', REASON]);
  expect(untrust.code).toBe(0);
  const digested = await notarizeCli(['digest', 'app.bin', '--json'], { cwd: dir });
  digest = digested.json<{ digest: string }[]>()[0]!.digest;
  const added = await cli([
    'evidence',
    'add',
    FILE,
    '--as',
    'mallory',
    '--job',
    '7',
    '--project',
    'acme/app',
    '--subject',
    'app.bin',
  ]);
  expect(added.code).toBe(0);
  expectSafe(added.stdout + added.stderr);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('printable', () => {
  it('escapes control characters, line separators and bidi overrides; keeps the rest', () => {
    expect(printable('a\nb\r\tc\x1b[31m\x7f\u0085\u2028\u202ez ü 🙂')).toBe(
      'a\\nb\\r\\tc\\x1b[31m\\x7f\\x85\\u2028\\u202ez ü 🙂',
    );
    expect(printable('one\ntwo\x1b', { multiline: true })).toBe('one\ntwo\\x1b');
  });

  it('forJobLog keeps data from starting a workflow command', () => {
    expect(forJobLog('ok\n  ::error::x\n::set-output name=a::b')).toBe(
      'ok\n  \\::error::x\n\\::set-output name=a::b',
    );
    expect(forJobLog('see ##[error]x')).toBe('see #\\#[error]x');
  });
});

describe('CLI human output escapes ledger data', () => {
  it('status', async () => {
    const r = await cli(['status', 'app.bin']);
    expect(r.code).toBe(1);
    expectSafe(r.stdout + r.stderr);
    expect(r.stdout).toContain('looks fine\\n::error::release approved by security\\x1b[2K');
  });

  it('history', async () => {
    const r = await cli(['history', digest]);
    expect(r.code).toBe(0);
    expectSafe(r.stdout + r.stderr);
    expect(r.stdout).toContain('looks fine\\n::error::release approved');
    expect(r.stdout).toContain('file build\\n::warning::forged.log');
  });

  it('evidence get', async () => {
    const r = await cli([
      'evidence',
      'get',
      '--job',
      '7',
      '--provider',
      'local',
      '--project',
      'acme/app',
      '--out',
      'out',
    ]);
    expect(r.code).toBe(0);
    expectSafe(r.stdout + r.stderr);
    expect(r.stdout).toContain('build\\n::warning::forged.log');
  });

  it('--json keeps the data exact', async () => {
    const r = await cli(['history', digest, '--json']);
    const report = r.json<{ events: { reason?: string }[] }>();
    expect(report.events.map((e) => e.reason)).toContain(REASON);
  });
});

describe('an action run', () => {
  it('the gate action never lets a name or reason start a line of the job log', async () => {
    const saved = { ...process.env };
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      Object.assign(process.env, {
        INPUT_SUBJECTS: `${dir}/app.bin\n${dir}/build*`,
        INPUT_POLICY: 'version: 1\nrequire:\n  - status: trusted\n',
        INPUT_LEDGER: ledger,
        INPUT_MODE: 'enforce',
        RUNNER_TEMP: dir,
        GITHUB_STEP_SUMMARY: '',
        GITHUB_OUTPUT: path.join(dir, 'github-output'),
      });
      await runGate();
    } finally {
      process.stdout.write = write;
      process.env = saved;
      process.exitCode = undefined;
    }
    const log = written.join('');
    // The step failed with annotations (commands @actions/core wrote and escaped itself) ...
    const commands = log.split('\n').filter((l) => l.startsWith('::'));
    expect(commands.some((l) => l.startsWith('::error'))).toBe(true);
    for (const line of commands) expect(line).toMatch(/^::(error|warning|debug)[^\n]*::/);
    expect(commands.join('\n')).not.toMatch(/^::(error|warning)::(release approved|forged)/m);
    // ... and no data line passes for one: the file name is escaped where it is printed.
    expect(log).toContain('build\\n::warning::forged.log');
    expect(log).not.toMatch(/^\s*::warning::forged/m);
    expect(log).not.toContain('\x1b');
  });
});
