/**
 * One writer process per ledger directory. Two processes that both append to one SQLite ledger
 * each keep their own tree head in memory; their checkpoints then disagree and every client that
 * pinned the other's sees a rollback (exit 20). The lock is an exclusive SQLite lock on
 * `<dir>/writer.lock`, held for as long as the writable Ledger is open: the operating system
 * drops it when the process ends, however it ends, so a crash never leaves a stale lock. The
 * holder writes its PID beside it (`writer.pid`) so that the refusal can name it.
 * Read-only openers never take it. Within one process, writable opens of one directory share it.
 */
import { DatabaseSync } from 'node:sqlite';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LedgerError } from './errors.ts';

export const WRITER_LOCK_FILE = 'writer.lock';
export const WRITER_PID_FILE = 'writer.pid';
const POLL_MS = 100;

export interface WriterLock {
  release(): void;
}

interface Held {
  db: DatabaseSync;
  count: number;
}

/** Locks this process holds, by directory. */
const held = new Map<string, Held>();

function tryLock(dir: string): DatabaseSync | undefined {
  const db = new DatabaseSync(path.join(dir, WRITER_LOCK_FILE), { timeout: 0 });
  try {
    db.exec('PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE');
    return db;
  } catch (error) {
    db.close();
    if ((error as { errcode?: number }).errcode === 5) return undefined; // SQLITE_BUSY
    throw new LedgerError(
      'STORE_UNAVAILABLE',
      'unavailable',
      `cannot lock ${path.join(dir, WRITER_LOCK_FILE)}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** The PID the holder recorded, if it is readable. */
export function writerPid(dir: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path.join(dir, WRITER_PID_FILE), 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function busy(dir: string, waitMs: number, waitedMs: number): LedgerError {
  const pid = writerPid(dir);
  const holder = pid === undefined ? 'another process' : `process ${pid}`;
  const waited = waitMs > 0 ? ` (waited ${Math.round(waitedMs / 1000)} s)` : '';
  return new LedgerError(
    'LEDGER_BUSY',
    'conflict',
    `the ledger in ${dir} is open for writing by ${holder}${waited}; one process writes to a ` +
      'ledger directory: stop it, or send the writes through it (notarize serve), or open this ' +
      'one read-only',
  );
}

/**
 * Takes the directory's writer lock, waiting up to `waitMs` for the holder to let go (0: refuse at
 * once). Fails with LEDGER_BUSY naming the holder's PID.
 */
export async function acquireWriterLock(dir: string, waitMs: number): Promise<WriterLock> {
  const key = path.resolve(dir);
  const started = Date.now();
  let entry = held.get(key);
  while (!entry) {
    const db = tryLock(key);
    if (db) {
      writeFileSync(path.join(key, WRITER_PID_FILE), `${process.pid}\n`, { mode: 0o600 });
      entry = { db, count: 0 };
      held.set(key, entry);
      break;
    }
    const waited = Date.now() - started;
    if (waited >= waitMs) throw busy(key, waitMs, waited);
    await sleep(Math.min(POLL_MS, waitMs - waited));
    entry = held.get(key);
  }
  entry.count += 1;
  const mine = entry;
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      mine.count -= 1;
      if (mine.count > 0) return;
      held.delete(key);
      if (writerPid(key) === process.pid) rmSync(path.join(key, WRITER_PID_FILE), { force: true });
      mine.db.close();
    },
  };
}
