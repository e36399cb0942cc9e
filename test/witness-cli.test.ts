/**
 * `notarize witness serve|info`: the first start creates the key and prints its vkey (type 0x04)
 * on stdout; a restart keeps it; `info` prints name, vkey, statement and fork evidence; bad
 * settings are usage errors (exit 10) with a message that says what to do.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import {
  cosignatureVerifierFromVkey,
  formatAddCheckpoint,
  generateNoteKey,
  noteSignerFromSkey,
  signCheckpoint,
  verifyCosignatures,
} from '@notarize/tlog';
import { registerWitness } from '../packages/cli/src/commands/witness.ts';
import type { CommandContext } from '../packages/cli/src/context.ts';
import { notarizeCli } from './support/cli.ts';

async function serve(args: string[], cwd: string) {
  const printed: string[] = [];
  const notices: string[] = [];
  const ctx: CommandContext = {
    output: {
      print: (t) => printed.push(t),
      json: (v) => printed.push(JSON.stringify(v)),
      notice: (t) => notices.push(t),
      interactive: false,
    },
    env: {},
    cwd,
    setExitCode: () => {},
  };
  const program = new Command('notarize').exitOverride();
  registerWitness(program, ctx);
  const done = program.parseAsync(['witness', 'serve', ...args], { from: 'user' });
  for (let i = 0; i < 500 && printed.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  const url = /at (http:\/\/\S+)\/add-checkpoint/.exec(notices.join('\n'))?.[1];
  return {
    printed,
    notices,
    url: url!,
    stop: async () => {
      process.emit('SIGTERM', 'SIGTERM');
      await done;
    },
  };
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'witness-cli-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const log = generateNoteKey('log.test/ledger');
const checkpoint = signCheckpoint(
  { origin: 'log.test/ledger', size: 1, root: new Uint8Array(32).fill(9), extensions: [] },
  noteSignerFromSkey(log.skey),
);

test('serve prints its vkey, cosigns, and keeps its key across restarts; info shows it', async () => {
  const first = await serve(
    ['--data', 'w', '--listen', '127.0.0.1:0', '--log', log.vkey, '--name', 'w.test/witness'],
    tmp,
  );
  let vkey: string;
  try {
    vkey = first.printed[0]!;
    expect(vkey).toMatch(/^w\.test\/witness\+[0-9a-f]{8}\+B[A-P]/); // base64 of 0x04 || key
    expect(first.notices.join('\n')).toMatch(/\(consistency\).*\(new key\)/);
    const r = await fetch(`${first.url}/add-checkpoint`, {
      method: 'POST',
      body: formatAddCheckpoint(0, [], checkpoint),
    });
    expect(r.status).toBe(200);
    const lines = await r.text();
    expect(
      verifyCosignatures(checkpoint + lines, [cosignatureVerifierFromVkey(vkey)]).valid,
    ).toHaveLength(1);
  } finally {
    await first.stop();
  }
  const again = await serve(['--data', 'w', '--listen', '127.0.0.1:0', '--log', log.vkey], tmp);
  try {
    expect(again.printed[0]).toBe(vkey);
    expect(again.notices.join('\n')).not.toMatch(/new key/);
  } finally {
    await again.stop();
  }
  const info = await notarizeCli(['witness', 'info', '--data', 'w', '--json'], { cwd: tmp });
  expect(info.code).toBe(0);
  expect(info.json()).toEqual({
    name: 'w.test/witness',
    vkey,
    statement: 'consistency',
    algorithm: 'ed25519',
    forks: [],
  });
  const text = await notarizeCli(['witness', 'info', '--data', 'w'], { cwd: tmp });
  expect(text.stdout).toMatch(/statement: consistency \(plain witness\)/);
});

test('an ML-DSA-44 witness (--key-type ml-dsa-44): vkey type 0x06, cosignatures that verify', async () => {
  const s = await serve(
    [
      '--data',
      'pq',
      '--listen',
      '127.0.0.1:0',
      '--log',
      log.vkey,
      '--name',
      'pq.test/witness',
      '--key-type',
      'ml-dsa-44',
    ],
    tmp,
  );
  let vkey: string;
  try {
    vkey = s.printed[0]!;
    expect(Buffer.from(vkey.split('+').slice(2).join('+'), 'base64')[0]).toBe(0x06);
    const r = await fetch(`${s.url}/add-checkpoint`, {
      method: 'POST',
      body: formatAddCheckpoint(0, [], checkpoint),
    });
    expect(r.status).toBe(200);
    const lines = await r.text();
    expect(
      verifyCosignatures(checkpoint + lines, [cosignatureVerifierFromVkey(vkey)]).valid,
    ).toHaveLength(1);
  } finally {
    await s.stop();
  }
  const mismatch = await notarizeCli(
    ['witness', 'serve', '--data', 'pq', '--log', log.vkey, '--key-type', 'ed25519'],
    { cwd: tmp },
  );
  expect(mismatch.code).toBe(10);
  expect(mismatch.stderr).toMatch(/is an ml-dsa-44 key, not ed25519/);
  const info = await notarizeCli(['witness', 'info', '--data', 'pq'], { cwd: tmp });
  expect(info.stdout).toMatch(/key type: ml-dsa-44/);
  expect(info.stdout).toContain(vkey);
});

test.each([
  [
    ['witness', 'serve', '--data', 'x', '--log', log.vkey, '--key-type', 'rsa'],
    /--key-type rsa: use ed25519 or ml-dsa-44/,
  ],
  [['witness', 'serve', '--data', 'x', '--log', 'not-a-key'], /not a ledger vkey/],
  [['witness', 'serve', '--data', 'x'], /at least one log/],
  [
    ['witness', 'serve', '--data', 'x', '--log', log.vkey, '--verify-map'],
    /--verify-map needs --ledger/,
  ],
  [['witness', 'serve', '--data', 'x', '--log', log.vkey, '--listen', 'nope'], /HOST:PORT/],
  [
    ['witness', 'serve', '--data', 'w', '--log', log.vkey, '--name', 'other.test/w'],
    /is named w\.test\/witness/,
  ],
  [
    [
      'witness',
      'serve',
      '--data',
      'w',
      '--log',
      log.vkey,
      '--verify-map',
      '--ledger',
      'http://127.0.0.1:9',
    ],
    /makes one statement/,
  ],
  [['witness', 'info', '--data', 'nowhere'], /holds no witness/],
])('%j is exit 10', async (args, message) => {
  const r = await notarizeCli(args, { cwd: tmp });
  expect(r.code).toBe(10);
  expect(r.stderr).toMatch(message);
});
