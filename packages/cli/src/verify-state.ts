/**
 * The state file of `notarize ledger verify --state FILE`: what the last verification proved
 * (VerifyState), so the next one reads only what was appended since. Keep it where the ledger's
 * operator cannot write: it is the monitor's memory, not the ledger's.
 */
import { readFile } from 'node:fs/promises';
import type { VerifyState } from '@notarize/ledger';
import { writeFileAtomic } from './atomic-file.ts';
import { CliError } from './cli-error.ts';

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= -1;

/** The saved state, or undefined when the file does not exist yet (a first, full run). */
export async function readVerifyState(file: string): Promise<VerifyState | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(
      'STATE_INVALID',
      'input',
      `cannot read ${file}: ${(error as Error).message}`,
    );
  }
  let v: Partial<VerifyState> | undefined;
  try {
    v = JSON.parse(text) as Partial<VerifyState>;
  } catch {
    v = undefined;
  }
  if (
    !v ||
    typeof v.origin !== 'string' ||
    !isCount(v.size) ||
    typeof v.root !== 'string' ||
    !isCount(v.mapHead) ||
    typeof v.mapRoot !== 'string'
  ) {
    throw new CliError(
      'STATE_INVALID',
      'input',
      `${file} is not a verify state ({origin, size, root, mapHead, mapRoot}); remove it for a full verification`,
    );
  }
  return v as VerifyState;
}

export async function writeVerifyState(file: string, state: VerifyState): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`, {
    mode: 0o600,
    dirMode: 0o700,
  });
}
