/**
 * How long a CLI write to a `file:` ledger waits for another process that is writing to the same
 * directory (the engine's writer lock): `NOTARIZE_WRITER_WAIT` seconds, default 30.
 */
import { LedgerClientError } from './errors.ts';

export const DEFAULT_WRITER_WAIT_S = 30;

export function writerWaitMs(env: NodeJS.ProcessEnv): number {
  const text = env.NOTARIZE_WRITER_WAIT;
  if (text === undefined || text === '') return DEFAULT_WRITER_WAIT_S * 1000;
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !Number.isFinite(seconds)) {
    throw new LedgerClientError(
      'ARGUMENT_INVALID',
      'input',
      `NOTARIZE_WRITER_WAIT must be a number of seconds (0 refuses at once), not "${text}"`,
    );
  }
  return Math.round(seconds * 1000);
}
