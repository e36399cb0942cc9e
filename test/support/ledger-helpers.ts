/** Shared helpers of the ledger tests: temp dirs, proof checks, a CLI runner. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import {
  decodeBase64,
  leafHash,
  noteVerifierFromVkey,
  openCheckpoint,
  verifyInclusion,
  type Hash,
} from '@notarize/tlog';
import { encodeEntry, type LedgerEntry } from '@notarize/trust';
import { registerLedger } from '../../packages/cli/src/commands/ledger.ts';
import { describeError } from '../../packages/cli/src/cli-error.ts';

export async function tempDir(
  prefix = 'ledger-test-',
): Promise<{ dir: string; done(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, done: () => rm(dir, { recursive: true, force: true }) };
}

export function b64(text: string): Hash {
  const bytes = decodeBase64(text);
  if (!bytes) throw new Error(`not base64: ${text}`);
  return bytes;
}

/** Checks a proof the way an offline client does: checkpoint signature, then inclusion. */
export function checkInclusion(
  vkey: string,
  note: string,
  entry: LedgerEntry | Uint8Array,
  index: number,
  proof: readonly string[],
): { size: number } {
  const { checkpoint } = openCheckpoint(note, [noteVerifierFromVkey(vkey)]);
  const bytes = entry instanceof Uint8Array ? entry : encodeEntry(entry);
  verifyInclusion(leafHash(bytes), index, checkpoint.size, proof.map(b64), checkpoint.root);
  return { size: checkpoint.size };
}

export interface CliRun {
  code: number;
  out: string[];
  err: string[];
  json<T = unknown>(): T;
}

/** Runs `notarize ledger ...` through registerLedger on a fresh program, as program.ts would. */
export async function runLedgerCli(
  argv: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  let code = 0;
  const ctx = {
    output: {
      print: (t: string) => out.push(t),
      json: (v: unknown) => out.push(JSON.stringify(v)),
      notice: (t: string) => err.push(t),
      interactive: false,
    },
    env,
    cwd,
    setExitCode: (c: number) => (code = c),
  };
  const program = new Command('notarize').exitOverride().configureOutput({
    writeOut: (s) => out.push(s),
    writeErr: (s) => err.push(s),
  });
  registerLedger(program, ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) code = error.exitCode === 0 ? 0 : 10;
    else {
      const reported = describeError(error);
      err.push(`${reported.code}: ${reported.message}`);
      code = reported.exitCode;
    }
  }
  return { code, out, err, json: <T>() => JSON.parse(out.join('\n')) as T };
}
