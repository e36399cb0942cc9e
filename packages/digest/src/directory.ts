import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import type { Dirent, Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DigestError } from './errors.ts';
import { fsError } from './fs-errors.ts';
import { hashFile, hashSmallFileSync, type FileHash } from './hash.ts';
import { mapLimit } from './pool.ts';
import { throttledProgress } from './progress.ts';
import type { DigestOptions, SymlinkMode } from './types.ts';

/** A regular file found in the walk; paths are bytes so that non-UTF-8 names hash exactly. */
export interface WalkEntry {
  /** Path relative to the root, '/'-separated, as raw bytes. */
  rel: Buffer;
  /** Path to open (may go through followed symlinks). */
  abs: Buffer;
}

export interface DirectoryDigest {
  hex: string;
  size: number;
  files: number;
}

interface WalkOptions {
  symlinks: SymlinkMode;
  specialFiles: 'error' | 'skip';
  display: string;
}

const SLASH = Buffer.from('/');

/**
 * Digest of a directory: SHA-256 over the manifest of its regular files, one line
 * `<sha256 hex>  <relative path>\n` each, sorted by path bytes. This is Go's dirhash `h1` in hex and
 * what `find . -type f -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum` prints,
 * including coreutils' escaping of names that hold a backslash, CR or LF.
 */
export async function digestDirectory(
  dir: string,
  display: string,
  options: DigestOptions = {},
): Promise<DirectoryDigest> {
  const walkOptions: WalkOptions = {
    symlinks: options.symlinks ?? 'error',
    specialFiles: options.specialFiles ?? 'error',
    display,
  };
  const root = Buffer.from(dir);
  let rootStat: Stats;
  try {
    rootStat = await stat(root);
  } catch (error) {
    throw fsError(error, display);
  }
  const entries: WalkEntry[] = [];
  await walk(root, Buffer.alloc(0), [idOf(rootStat)], entries, walkOptions);
  if (entries.length === 0) {
    throw new DigestError(
      'DIGEST_EMPTY_DIRECTORY',
      `${display}: directory holds no regular file to digest; check that the build produced its output`,
    );
  }
  entries.sort((a, b) => Buffer.compare(a.rel, b.rel));

  const hashes = await hashEntries(entries, display, options);
  const manifest = createHash('sha256');
  let size = 0;
  entries.forEach((entry, i) => {
    const h = hashes[i];
    if (!h) throw new Error('internal: missing hash');
    size += h.size;
    manifest.update(manifestLine(h.hex, entry.rel));
  });
  return { hex: manifest.digest('hex'), size, files: entries.length };
}

/** Builds one manifest line, escaping like coreutils sha256sum does (`\` prefix, `\\`, `\n`, `\r`). */
export function manifestLine(hex: string, rel: Buffer): Buffer {
  const needsEscape = rel.includes(0x5c) || rel.includes(0x0a) || rel.includes(0x0d);
  if (!needsEscape) return Buffer.concat([Buffer.from(`${hex}  `), rel, Buffer.from('\n')]);
  const escaped: number[] = [];
  for (const byte of rel) {
    if (byte === 0x5c) escaped.push(0x5c, 0x5c);
    else if (byte === 0x0a) escaped.push(0x5c, 0x6e);
    else if (byte === 0x0d) escaped.push(0x5c, 0x72);
    else escaped.push(byte);
  }
  return Buffer.concat([Buffer.from(`\\${hex}  `), Buffer.from(escaped), Buffer.from('\n')]);
}

export function defaultConcurrency(): number {
  // Measured in bench/digest.bench.ts: large files are bound by hashing (one core each) and
  // reads overlap hashing inside hashFile, so a few per core is enough; more only adds seeks.
  return Math.max(2, Math.min(8, 2 * os.availableParallelism()));
}

/** The event loop is given a turn at least this often during synchronous small-file hashing. */
const SLICE_MS = 20;

/**
 * Hashes the walk's files in manifest order. Small files (one read) are hashed with direct
 * synchronous syscalls in time slices, yielding to the event loop between slices; larger files are
 * streamed afterwards with bounded concurrency.
 */
async function hashEntries(
  entries: readonly WalkEntry[],
  display: string,
  options: DigestOptions,
): Promise<FileHash[]> {
  const progress = throttledProgress(options.onProgress);
  const hashes = new Array<FileHash | undefined>(entries.length);
  const large: number[] = [];
  let bytes = 0;
  let done = 0;
  const where = (entry: WalkEntry) => path.join(display, entry.rel.toString());
  const report = () =>
    progress.report({ subject: display, bytes, files: done, totalFiles: entries.length });
  let sliceStart = Date.now();
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as WalkEntry;
    const h = hashSmallFileSync(entry.abs, where(entry));
    if (h === undefined) {
      large.push(i);
      continue;
    }
    hashes[i] = h;
    bytes += h.size;
    done++;
    if (Date.now() - sliceStart >= SLICE_MS) {
      report();
      await new Promise<void>((resolve) => setImmediate(resolve));
      options.signal?.throwIfAborted();
      sliceStart = Date.now();
    }
  }
  await mapLimit(large, options.concurrency ?? defaultConcurrency(), async (i) => {
    const entry = entries[i] as WalkEntry;
    hashes[i] = await hashFile(entry.abs, {
      display: where(entry),
      signal: options.signal,
      onBytes: (n) => {
        bytes += n;
        report();
      },
    });
    done++;
  });
  progress.done({ subject: display, bytes, files: done, totalFiles: entries.length });
  return hashes.map((h) => {
    if (!h) throw new Error('internal: a file was not hashed');
    return h;
  });
}

const idOf = (s: Stats): string => `${s.dev}:${s.ino}`;

function join(a: Buffer, b: Buffer): Buffer {
  return a.length === 0 ? b : Buffer.concat([a, SLASH, b]);
}

async function walk(
  abs: Buffer,
  rel: Buffer,
  ancestors: readonly string[],
  out: WalkEntry[],
  options: WalkOptions,
): Promise<void> {
  const where = () => path.join(options.display, rel.toString());
  let dirents: Dirent<Buffer>[];
  try {
    dirents = await readdir(abs, { withFileTypes: true, encoding: 'buffer' });
  } catch (error) {
    throw fsError(error, where());
  }
  for (const dirent of dirents) {
    const childAbs = join(abs, dirent.name);
    const childRel = join(rel, dirent.name);
    const childWhere = () => path.join(options.display, childRel.toString());
    if (dirent.isFile()) {
      out.push({ rel: childRel, abs: childAbs });
    } else if (dirent.isDirectory()) {
      let s: Stats;
      try {
        s = await stat(childAbs);
      } catch (error) {
        throw fsError(error, childWhere());
      }
      await walk(childAbs, childRel, [...ancestors, idOf(s)], out, options);
    } else if (dirent.isSymbolicLink()) {
      await onSymlink(childAbs, childRel, childWhere(), ancestors, out, options);
    } else if (options.specialFiles === 'error') {
      throw new DigestError(
        'DIGEST_SPECIAL_FILE',
        `${childWhere()}: is a ${kindOf(dirent)}, not a regular file; remove it or pass specialFiles: 'skip'`,
      );
    }
  }
}

async function onSymlink(
  abs: Buffer,
  rel: Buffer,
  where: string,
  ancestors: readonly string[],
  out: WalkEntry[],
  options: WalkOptions,
): Promise<void> {
  if (options.symlinks === 'skip') return;
  if (options.symlinks === 'error') {
    throw new DigestError(
      'DIGEST_SYMLINK',
      `${where}: is a symbolic link; a directory digest covers regular files only. ` +
        `Use --symlinks follow to hash what it points to, or --symlinks skip to leave it out`,
    );
  }
  let target: Stats;
  try {
    target = await stat(abs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new DigestError(
        'DIGEST_NOT_FOUND',
        `${where}: dangling symbolic link (its target does not exist); fix or remove it`,
        { cause: error },
      );
    }
    throw fsError(error, where);
  }
  if (target.isFile()) {
    out.push({ rel, abs });
  } else if (target.isDirectory()) {
    if (ancestors.includes(idOf(target))) {
      throw new DigestError(
        'DIGEST_SYMLINK_LOOP',
        `${where}: symbolic link loops back to a directory that contains it; remove the link or use --symlinks skip`,
      );
    }
    await walk(abs, rel, [...ancestors, idOf(target)], out, options);
  } else if (options.specialFiles === 'error') {
    throw new DigestError(
      'DIGEST_SPECIAL_FILE',
      `${where}: symbolic link to a special file, not a regular file; remove it or pass specialFiles: 'skip'`,
    );
  }
}

function kindOf(d: Dirent<Buffer>): string {
  if (d.isFIFO()) return 'FIFO (named pipe)';
  if (d.isSocket()) return 'socket';
  if (d.isBlockDevice()) return 'block device';
  if (d.isCharacterDevice()) return 'character device';
  return 'special file';
}
