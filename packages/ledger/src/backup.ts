/**
 * Backup, restore and offline verification of an embedded ledger directory.
 * - A backup is an online, consistent copy made with SQLite's backup API (appends may continue).
 *   `out` as a directory receives `ledger.db`, `ledger.key` (0600) and `ledger.vkey`, i.e. a
 *   ledger directory; `out` as a file is one SQLite file that also carries the key pair in its
 *   `meta` table (`backup.skey`, `backup.vkey`). Either way the backup holds the signing key:
 *   protect it like the ledger itself.
 * - A directory backup also copies the evidence blobs (`blobs/sha256/*`). Blobs are immutable
 *   and stored before the entries that reference them, so copying them after the database
 *   snapshot captures every blob the snapshot references. A single-file backup holds the log and
 *   the key only: copy `blobs/` separately, or back up to a directory.
 * - A restore verifies the copy completely (the log, and the blobs a directory backup carries)
 *   before it replaces anything, and refuses to overwrite a ledger that holds entries unless forced.
 */
import { randomBytes } from 'node:crypto';
import { chmod, cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { backup, DatabaseSync } from 'node:sqlite';
import { noteVerifierFromVkey } from '@notarize/tlog';
import { LedgerError } from './errors.ts';
import { DB_FILE, type Ledger } from './ledger.ts';
import { KEY_FILE, loadLedgerKey, VKEY_FILE } from './signing-key.ts';
import { openLedgerDirReadOnly } from './sqlite/open-ledger-dir.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import { blobPaths, verifyEvidenceBlobsInDir } from './verify-blobs.ts';
import { verifyLedgerStore, type VerifyReport, type VerifyState } from './verify-store.ts';

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

function failed(message: string, cause?: unknown): LedgerError {
  return new LedgerError('BACKUP_FAILED', 'unavailable', message, { cause });
}

export interface BackupResult {
  out: string;
  form: 'directory' | 'file';
  size: number;
  /** Evidence blobs copied (directory backups), or left out (file backups: copy them yourself). */
  blobs: { copied: number; omitted: number };
}

async function blobCount(dataDir: string): Promise<number> {
  try {
    return (await readdir(blobPaths(dataDir).dir)).length;
  } catch {
    return 0;
  }
}

/** Copies `from`'s evidence blobs into `to` (content-addressed: an existing file is the same blob). */
async function copyBlobs(from: string, to: string): Promise<number> {
  const count = await blobCount(from);
  if (count === 0) return 0;
  await cp(blobPaths(from).dir, blobPaths(to).dir, { recursive: true, force: false });
  return count;
}

/** Writes an online, consistent backup of an open ledger to `out` (a directory or a file). */
export async function backupLedger(ledger: Ledger, out: string): Promise<BackupResult> {
  const store = ledger.store;
  if (!(store instanceof SqliteStore)) {
    throw new LedgerError(
      'BACKUP_FAILED',
      'input',
      "only embedded (SQLite) ledgers are backed up here; use the database's own tools",
    );
  }
  const target = path.resolve(out);
  const asDir = (await isDirectory(target)) || /[\\/]$/.test(out);
  const dbPath = asDir ? path.join(target, DB_FILE) : target;
  if (await exists(dbPath)) {
    throw new LedgerError(
      'BACKUP_FAILED',
      'input',
      `${dbPath} exists; choose a new file or an empty directory`,
    );
  }
  const key = await loadLedgerKey(ledger.dir, ledger.origin, { create: false });
  if (!key.skey) throw failed(`${ledger.dir} has no ${KEY_FILE} to back up`);
  const size = ledger.size;
  const partial = `${dbPath}.partial-${randomBytes(4).toString('hex')}`;
  try {
    if (asDir) await mkdir(target, { recursive: true, mode: 0o700 });
    await store.backupTo(partial);
    if (!asDir) {
      const copy = new DatabaseSync(partial);
      try {
        const put = copy.prepare('INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)');
        put.run('backup.skey', key.skey);
        put.run('backup.vkey', key.vkey);
        copy.exec('PRAGMA journal_mode = DELETE');
      } finally {
        copy.close();
      }
    }
    await chmod(partial, 0o600);
    await rename(partial, dbPath);
    if (asDir) {
      await writeFile(path.join(target, KEY_FILE), `${key.skey}\n`, { mode: 0o600 });
      await writeFile(path.join(target, VKEY_FILE), `${key.vkey}\n`, { mode: 0o644 });
    }
  } catch (error) {
    await rm(partial, { force: true });
    if (error instanceof LedgerError) throw error;
    throw failed(`backup to ${out} failed: ${(error as Error).message}`, error);
  }
  let blobs: BackupResult['blobs'];
  try {
    blobs = asDir
      ? { copied: await copyBlobs(ledger.dir, target), omitted: 0 }
      : { copied: 0, omitted: await blobCount(ledger.dir) };
  } catch (error) {
    throw failed(`copying evidence blobs to ${out} failed: ${(error as Error).message}`, error);
  }
  return { out: target, form: asDir ? 'directory' : 'file', size, blobs };
}

export interface VerifyDirOptions {
  /** A pinned vkey: checkpoints must verify with it rather than with the directory's own. */
  vkey?: string;
  /** Resume from what an earlier verification proved (verify-store.ts). */
  resume?: VerifyState;
}

/** Verifies a ledger directory offline (see verify-store.ts). */
export async function verifyLedgerDir(
  dir: string,
  options: VerifyDirOptions = {},
): Promise<VerifyReport> {
  const store = openLedgerDirReadOnly(dir);
  try {
    const meta = await store.readMeta();
    if (!meta)
      throw new LedgerError('STORE_CORRUPT', 'verification', `${dir} has no ledger metadata`);
    const vkey = options.vkey ?? (await loadLedgerKey(dir, meta.origin, { create: false })).vkey;
    let verifier;
    try {
      verifier = noteVerifierFromVkey(vkey);
    } catch (error) {
      throw new LedgerError('KEY_INVALID', 'input', `invalid vkey: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return await verifyLedgerStore(store, {
      origin: meta.origin,
      verifier,
      ...(options.resume ? { resume: options.resume } : {}),
    });
  } finally {
    await store.close();
  }
}

export interface RestoreOptions {
  /** A backup: a directory written by `backupLedger` or a single backup file. */
  from: string;
  /** The ledger directory to restore into. */
  dir: string;
  /** Overwrite a ledger that holds entries. */
  force?: boolean;
}

const LEDGER_FILES = [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`, KEY_FILE, VKEY_FILE];

async function existingSize(dir: string): Promise<number> {
  const dbPath = path.join(dir, DB_FILE);
  if (!(await exists(dbPath))) return 0;
  const store = SqliteStore.open({ path: dbPath, readOnly: true });
  try {
    return await store.size();
  } finally {
    await store.close();
  }
}

/** Restores a backup into `dir` after verifying it completely. */
export async function restoreLedger(options: RestoreOptions): Promise<VerifyReport> {
  const dir = path.resolve(options.dir);
  const from = path.resolve(options.from);
  const present = await existingSize(dir);
  if (present > 0 && !options.force) {
    throw new LedgerError(
      'RESTORE_REFUSED',
      'conflict',
      `${dir} already holds a ledger with ${present} entries; restore elsewhere or pass --force to replace it`,
    );
  }
  const fromDir = await isDirectory(from);
  const sourceDb = fromDir ? path.join(from, DB_FILE) : from;
  if (!(await exists(sourceDb))) {
    throw new LedgerError('RESTORE_REFUSED', 'input', `${sourceDb} does not exist`);
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stage = path.join(dir, `.restore-${randomBytes(4).toString('hex')}`);
  await mkdir(stage, { mode: 0o700 });
  try {
    const source = new DatabaseSync(sourceDb, { readOnly: true });
    try {
      await backup(source, path.join(stage, DB_FILE));
    } finally {
      source.close();
    }
    const staged = new DatabaseSync(path.join(stage, DB_FILE));
    let skey: string | undefined;
    let vkey: string | undefined;
    try {
      const get = staged.prepare('SELECT value FROM meta WHERE key = ?');
      skey = (get.get('backup.skey') as { value: string } | undefined)?.value;
      vkey = (get.get('backup.vkey') as { value: string } | undefined)?.value;
      staged.exec("DELETE FROM meta WHERE key IN ('backup.skey', 'backup.vkey')");
      staged.exec('PRAGMA journal_mode = WAL');
    } catch (error) {
      throw new LedgerError(
        'RESTORE_REFUSED',
        'input',
        `${sourceDb} is not a ledger backup: ${(error as Error).message}`,
        { cause: error },
      );
    } finally {
      staged.close();
    }
    if (fromDir) {
      skey = (await readFile(path.join(from, KEY_FILE), 'utf8').catch(() => undefined))?.trim();
      vkey = (await readFile(path.join(from, VKEY_FILE), 'utf8').catch(() => undefined))?.trim();
    }
    if (!skey || !vkey) {
      throw new LedgerError(
        'RESTORE_REFUSED',
        'input',
        `${from} does not carry the ledger's key pair`,
      );
    }
    await writeFile(path.join(stage, KEY_FILE), `${skey}\n`, { mode: 0o600 });
    await writeFile(path.join(stage, VKEY_FILE), `${vkey}\n`, { mode: 0o644 });
    const report = await verifyLedgerDir(stage);
    if (!report.ok) {
      throw new LedgerError(
        'VERIFY_FAILED',
        'verification',
        `the backup does not verify, nothing was restored: ${report.problem?.message}`,
      );
    }
    const blobsCopied = fromDir ? await copyBlobs(from, stage) : 0;
    if (blobsCopied > 0) {
      const blobs = await verifyEvidenceBlobsInDir(stage);
      if (!blobs.ok) {
        throw new LedgerError(
          'VERIFY_FAILED',
          'verification',
          `the backup's evidence blobs do not verify, nothing was restored: ${blobs.problems[0]?.message}`,
        );
      }
    }
    for (const f of LEDGER_FILES) await rm(path.join(dir, f), { force: true });
    for (const f of [DB_FILE, KEY_FILE, VKEY_FILE]) {
      await rename(path.join(stage, f), path.join(dir, f));
    }
    // Blobs merge into what the directory holds: identical names are identical bytes.
    if (blobsCopied > 0) await copyBlobs(stage, dir);
    return report;
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
