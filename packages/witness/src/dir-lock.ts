/**
 * One witness process per data directory: the spec's race between two requests is closed inside
 * a process (StateStore's per-origin lock), so two processes on one directory must not run. The
 * lock is an exclusive SQLite transaction on `witness.lock`, held while the witness runs; the OS
 * drops it when the process ends, so a crash leaves no stale lock.
 */
import { DatabaseSync } from 'node:sqlite';
import path from 'node:path';
import { WitnessError } from './errors.ts';

export function lockDataDir(dataDir: string): { release(): void } {
  const file = path.join(dataDir, 'witness.lock');
  const db = new DatabaseSync(file, { timeout: 0 });
  try {
    db.exec('PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;');
  } catch (error) {
    db.close();
    throw new WitnessError(
      'CONFIG_INVALID',
      `another witness process is using ${dataDir} (${(error as Error).message}); run one witness per data directory`,
      { cause: error },
    );
  }
  return {
    release() {
      try {
        db.exec('ROLLBACK');
      } finally {
        db.close();
      }
    },
  };
}
