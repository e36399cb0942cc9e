/**
 * Verification of the evidence blob store beside the log (issue 6): every blob an evidence entry
 * references must be present and hash to its digest with the recorded size; a blob altered or
 * lost on disk is reported with the entries that reference it. Unlike `verifyLedgerStore`, which
 * stops at the first inconsistency of the log itself, this lists every bad blob: each one is a
 * separate piece of evidence an auditor wants to know about.
 *
 * It also lists the orphans: blobs no evidence entry references. `evidence add` uploads every
 * blob before it appends the entries, so an interrupted call leaves orphans, never an entry
 * without its blob. Orphans carry no ledger meaning and can be removed (`removeOrphans`), but only
 * when older than any upload call could take: a blob uploaded moments ago is an orphan until its
 * batch is appended. Leftover `.part` files of crashed uploads are removed under the same rule.
 *
 * The layout is that of service/blob-store.ts: `<data>/blobs/sha256/<hex>`, temporary uploads in
 * `<data>/blobs/tmp/`.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { readEvidence } from '@notarize/trust';
import { openLedgerDirReadOnly } from './sqlite/open-ledger-dir.ts';
import type { LedgerStore } from './store.ts';
import { decodeStoredEntry } from './validate-entry.ts';

export type BlobProblemCode =
  | 'BLOB_MISSING'
  | 'BLOB_DIGEST_MISMATCH'
  | 'BLOB_SIZE_MISMATCH'
  | 'BLOB_UNREADABLE'
  | 'EVIDENCE_INVALID';

export interface BlobProblem {
  code: BlobProblemCode;
  message: string;
  /** The blob concerned (`sha256:<hex>`), when there is one. */
  digest?: string;
  /** Indexes of the evidence entries that reference it (ascending). */
  entries: number[];
}

export interface OrphanBlob {
  digest: string;
  size: number;
  modified: string;
  /** True when `removeOrphans` deleted it. */
  removed: boolean;
}

export interface BlobVerifyReport {
  ok: boolean;
  /** Log size that was read. */
  size: number;
  /** Evidence entries in the log. */
  evidenceEntries: number;
  /** Distinct blobs they reference. */
  blobs: number;
  /** Bytes hashed. */
  bytes: number;
  problems: BlobProblem[];
  orphans: OrphanBlob[];
  /** Leftover temporary uploads (`blobs/tmp/*.part`): [name, removed]. */
  partials: { name: string; removed: boolean }[];
}

export interface BlobVerifyOptions {
  /** Entries per read (default 16,384). */
  chunk?: number;
  /**
   * Delete orphans and leftover temporary uploads last modified longer than `olderThanMs` ago.
   * Choose more than the longest `evidence add` call takes (docs/evidence.md suggests 24 h).
   */
  removeOrphans?: { olderThanMs: number };
  /** The clock, for tests. */
  now?: () => number;
}

const HEX_NAME = /^[0-9a-f]{64}$/;

export function blobPaths(dataDir: string): { dir: string; tmp: string } {
  return {
    dir: path.join(dataDir, 'blobs', 'sha256'),
    tmp: path.join(dataDir, 'blobs', 'tmp'),
  };
}

interface Referenced {
  size: number;
  entries: number[];
  /** Sizes recorded by entries that disagree with the first one. */
  otherSizes: Set<number>;
}

async function referencedBlobs(
  store: LedgerStore,
  chunk: number,
  report: BlobVerifyReport,
): Promise<Map<string, Referenced>> {
  const refs = new Map<string, Referenced>();
  const size = await store.size();
  report.size = size;
  for (let from = 0; from < size; from += chunk) {
    const to = Math.min(size, from + chunk);
    const entries = await store.readEntries(from, to);
    entries.forEach((bytes, i) => {
      const index = from + i;
      let file: { digest: string; size: number };
      try {
        const entry = decodeStoredEntry(bytes, index);
        if (entry.kind !== 'evidence') return;
        file = readEvidence(entry).file;
      } catch (error) {
        // Only evidence entries matter here; a broken entry of any kind is verifyLedgerStore's
        // finding, but an evidence entry that cannot be read hides its blob from this check.
        const text = new TextDecoder().decode(bytes);
        if (!text.includes('"evidence"')) return;
        report.problems.push({
          code: 'EVIDENCE_INVALID',
          message: `entry ${index}: cannot read it as evidence: ${(error as Error).message}`,
          entries: [index],
        });
        return;
      }
      report.evidenceEntries++;
      const ref = refs.get(file.digest);
      if (!ref) refs.set(file.digest, { size: file.size, entries: [index], otherSizes: new Set() });
      else {
        ref.entries.push(index);
        if (file.size !== ref.size) ref.otherSizes.add(file.size);
      }
    });
  }
  return refs;
}

async function hashFile(file: string): Promise<{ hex: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).byteLength;
  }
  return { hex: hash.digest('hex'), size };
}

function entriesText(entries: readonly number[]): string {
  const shown = entries.slice(0, 5).join(', ');
  return entries.length > 5 ? `${shown} and ${entries.length - 5} more` : shown;
}

async function checkBlob(
  dir: string,
  digest: string,
  ref: Referenced,
  report: BlobVerifyReport,
): Promise<void> {
  const used = `referenced by evidence entr${ref.entries.length === 1 ? 'y' : 'ies'} ${entriesText(ref.entries)}`;
  const problem = (code: BlobProblemCode, message: string) =>
    report.problems.push({ code, message, digest, entries: ref.entries });
  const hex = digest.slice('sha256:'.length);
  let got;
  try {
    got = await hashFile(path.join(dir, hex));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      problem(
        'BLOB_MISSING',
        `blob ${digest} (${used}) is missing from the blob store; whoever holds the file can upload it again (same bytes, same digest)`,
      );
    } else {
      problem(
        'BLOB_UNREADABLE',
        `blob ${digest} (${used}) cannot be read: ${code ?? String(error)}`,
      );
    }
    return;
  }
  report.bytes += got.size;
  if (got.hex !== hex) {
    problem(
      'BLOB_DIGEST_MISMATCH',
      `blob ${digest} (${used}) was altered: its bytes hash to sha256:${got.hex}; the evidence it stood for is no longer available from this store`,
    );
    return;
  }
  if (got.size !== ref.size || ref.otherSizes.size > 0) {
    const recorded = [ref.size, ...ref.otherSizes].join(' / ');
    problem(
      'BLOB_SIZE_MISMATCH',
      `blob ${digest} (${used}) is ${got.size} bytes, but the entries record ${recorded}`,
    );
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function sweep(
  dataDir: string,
  refs: Map<string, Referenced>,
  options: BlobVerifyOptions,
  report: BlobVerifyReport,
): Promise<void> {
  const { dir, tmp } = blobPaths(dataDir);
  const now = (options.now ?? Date.now)();
  const removable = (mtimeMs: number) =>
    options.removeOrphans !== undefined && now - mtimeMs > options.removeOrphans.olderThanMs;
  for (const name of (await listDir(dir)).sort()) {
    if (!HEX_NAME.test(name) || refs.has(`sha256:${name}`)) continue;
    const file = path.join(dir, name);
    const s = await stat(file);
    const removed = removable(s.mtimeMs);
    if (removed) await rm(file, { force: true });
    report.orphans.push({
      digest: `sha256:${name}`,
      size: s.size,
      modified: new Date(s.mtimeMs).toISOString(),
      removed,
    });
  }
  for (const name of (await listDir(tmp)).sort()) {
    const file = path.join(tmp, name);
    const removed = removable((await stat(file)).mtimeMs);
    if (removed) await rm(file, { force: true });
    report.partials.push({ name, removed });
  }
}

/**
 * Checks every blob the evidence entries of `store` reference against the blob store of
 * `dataDir`, and lists (optionally removes) orphans. Never throws for a bad blob: see `ok` and
 * `problems`.
 */
export async function verifyEvidenceBlobs(
  store: LedgerStore,
  dataDir: string,
  options: BlobVerifyOptions = {},
): Promise<BlobVerifyReport> {
  const report: BlobVerifyReport = {
    ok: false,
    size: 0,
    evidenceEntries: 0,
    blobs: 0,
    bytes: 0,
    problems: [],
    orphans: [],
    partials: [],
  };
  const refs = await referencedBlobs(store, options.chunk ?? 16384, report);
  report.blobs = refs.size;
  const { dir } = blobPaths(dataDir);
  for (const [digest, ref] of [...refs].sort(
    (a, b) => (a[1].entries[0] ?? 0) - (b[1].entries[0] ?? 0),
  )) {
    await checkBlob(dir, digest, ref, report);
  }
  await sweep(dataDir, refs, options, report);
  report.ok = report.problems.length === 0;
  return report;
}

/** `verifyEvidenceBlobs` for a ledger directory (opens its store read-only). */
export async function verifyEvidenceBlobsInDir(
  dir: string,
  options: BlobVerifyOptions = {},
): Promise<BlobVerifyReport> {
  const store = openLedgerDirReadOnly(dir);
  try {
    return await verifyEvidenceBlobs(store, dir, options);
  } finally {
    await store.close();
  }
}
