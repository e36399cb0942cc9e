/**
 * Job evidence (issue 6). Adding: every file is first streamed into the ledger's
 * content-addressed blob store, and only when all blobs are stored are the evidence entries
 * appended, as one batch. An interrupted call therefore never leaves an entry whose blob is
 * missing; at worst it leaves blobs no entry references, which `verifyEvidenceBlobs` lists as
 * orphans (garbage-collectable, docs/evidence.md). Getting: the verified lookup (by job or by
 * subject) lists the entries; each blob is downloaded with its digest checked before the file
 * appears.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { AppendRequest, LedgerClient, Receipt, VerifiedLookup } from '@notarize/client';
import {
  buildEvidence,
  digestFromDescriptor,
  evidenceJobStanding,
  readEvidence,
  type CiContext,
  type JobStanding,
  type LedgerEntry,
  type SubjectInput,
} from '@notarize/trust';
import { downloadBlob } from '../evidence/blob-download.ts';
import { EvidenceError } from '../evidence/errors.ts';
import { inspectEvidenceFile, openUpload, type EvidenceFileInfo } from '../evidence/file-source.ts';
import { OutputNames } from '../evidence/output-names.ts';

export interface EvidenceProgress {
  file: string;
  phase: 'upload' | 'download';
  bytes: number;
  totalBytes: number;
}

export interface AddEvidenceInput {
  client: LedgerClient;
  /** Paths as given by the user. */
  files: readonly string[];
  cwd: string;
  /** The job the evidence belongs to (ciContext with the user's overrides). */
  ci: CiContext;
  /** The artifacts the evidence is about; empty: each file is its own subject. */
  subjects?: readonly SubjectInput[];
  /** Overrides detection for every file. */
  mediaType?: string;
  metadata?: Record<string, string>;
  idempotencyKey?: string;
  onProgress?: (progress: EvidenceProgress) => void;
  signal?: AbortSignal;
}

/** One row of `evidence add --json` (docs/evidence.md), plus the full receipt. */
export interface EvidenceAddResult {
  /** The path as given. */
  file: string;
  /** The name recorded in the ledger (base name). */
  name: string;
  digest: string;
  mediaType: string;
  size: number;
  /** False when the ledger already held these bytes (deduplicated). */
  created: boolean;
  index: number;
  job: CiContext;
  subjects: SubjectInput[];
  checkpoint: { size: number; root: string };
  receipt: Receipt;
}

interface Uploaded {
  info: EvidenceFileInfo;
  digest: string;
  created: boolean;
}

const MiB = 1024 * 1024;

function subjectsOf(entry: LedgerEntry): SubjectInput[] {
  return entry.statement.subject.map((s) => ({
    name: s.name ?? '',
    digest: digestFromDescriptor(s.digest) ?? '',
  }));
}

async function inspectAll(input: AddEvidenceInput): Promise<EvidenceFileInfo[]> {
  if (input.files.length === 0) {
    throw new EvidenceError('EVIDENCE_FILE_MISSING', 'input', 'name at least one evidence file');
  }
  const infos: EvidenceFileInfo[] = [];
  const seen = new Set<string>();
  for (const file of input.files) {
    const info = await inspectEvidenceFile(file, input.cwd, input.mediaType);
    if (seen.has(info.path)) {
      throw new EvidenceError(
        'EVIDENCE_DUPLICATE',
        'input',
        `evidence file ${file} is named twice`,
      );
    }
    seen.add(info.path);
    infos.push(info);
  }
  return infos;
}

/** Refuses up front what the ledger would refuse anyway, before any byte is uploaded. */
async function checkLimits(
  client: LedgerClient,
  infos: readonly EvidenceFileInfo[],
): Promise<void> {
  const { limits } = await client.info();
  const maxBlob = limits?.maxBlobBytes;
  for (const info of infos) {
    if (maxBlob !== undefined && info.size > maxBlob) throw tooLarge(info, maxBlob);
  }
  const maxBatch = limits?.maxBatchEntries;
  if (maxBatch !== undefined && infos.length > maxBatch) {
    throw new EvidenceError(
      'EVIDENCE_TOO_LARGE',
      'input',
      `${infos.length} files in one call, but the ledger appends at most ${maxBatch} entries per batch; split the call`,
    );
  }
}

function tooLarge(info: EvidenceFileInfo, max: number | undefined, cause?: unknown): EvidenceError {
  const limit =
    max === undefined
      ? `less (${cause instanceof Error ? cause.message : 'over its per-blob limit'})`
      : `at most ${max} bytes (${(max / MiB).toFixed(1)} MiB) per blob`;
  return new EvidenceError(
    'EVIDENCE_TOO_LARGE',
    'input',
    `evidence file ${info.given} is ${info.size} bytes (${(info.size / MiB).toFixed(1)} MiB); the ledger stores ${limit}: compress or split it, or ask the ledger's operator to raise limits.maxBlobBytes`,
    { cause },
  );
}

function draftFor(input: AddEvidenceInput, info: EvidenceFileInfo, digest: string) {
  const subjects = input.subjects ?? [];
  return buildEvidence({
    ...(subjects.length > 0 ? { subjects } : {}),
    ci: input.ci,
    file: { name: info.name, mediaType: info.mediaType, size: info.size, digest },
    ...(input.metadata && Object.keys(input.metadata).length > 0
      ? { metadata: input.metadata }
      : {}),
  });
}

/** The digest of the empty string: stands in for the real one while checking the entries. */
const PLACEHOLDER_DIGEST =
  'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

async function upload(input: AddEvidenceInput, info: EvidenceFileInfo): Promise<Uploaded> {
  const stream = await openUpload(info, (bytes) =>
    input.onProgress?.({ file: info.given, phase: 'upload', bytes, totalBytes: info.size }),
  );
  try {
    let stored;
    try {
      stored = await input.client.putBlob(stream.body, {
        size: info.size,
        ...(input.signal ? { signal: input.signal } : {}),
      });
    } catch (error) {
      // The stream's own failure (file changed or unreadable) explains more than the transport's.
      const failure = stream.failure();
      if (failure) throw failure;
      if ((error as { code?: string }).code === 'TOO_LARGE') throw tooLarge(info, undefined, error);
      throw error;
    }
    const failure = stream.failure();
    if (failure) throw failure;
    const digest = stream.digest();
    if (stored.digest !== digest || stored.size !== info.size) {
      throw new EvidenceError(
        'EVIDENCE_STORED_MISMATCH',
        'verification',
        `the ledger stored ${info.given} as ${stored.digest} (${stored.size} bytes), but the bytes sent hash to ${digest} (${info.size} bytes): the upload was altered on the way; nothing was appended`,
      );
    }
    return { info, digest, created: stored.created };
  } finally {
    await stream.close();
  }
}

export async function addEvidence(input: AddEvidenceInput): Promise<EvidenceAddResult[]> {
  const infos = await inspectAll(input);
  // Build (and so validate) every entry before uploading anything: bad metadata or a bad
  // --media-type must not leave orphan blobs behind.
  for (const info of infos) draftFor(input, info, PLACEHOLDER_DIGEST);
  await checkLimits(input.client, infos);
  // Blobs first, one after the other (each streams at disk/network speed; parallel uploads of
  // large files only compete for the same bandwidth). Entries only after every blob is stored.
  const uploaded: Uploaded[] = [];
  for (const info of infos) uploaded.push(await upload(input, info));
  const requests: AppendRequest[] = uploaded.map((u) => {
    const draft = draftFor(input, u.info, u.digest);
    return { kind: draft.kind, statement: draft.statement };
  });
  const receipts = await input.client.append(requests, {
    ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  return receipts.map((receipt, i) => {
    const u = uploaded[i] as Uploaded;
    const predicate = readEvidence(receipt.entry);
    return {
      file: u.info.given,
      name: predicate.file.name,
      digest: predicate.file.digest,
      mediaType: predicate.file.mediaType,
      size: predicate.file.size,
      created: u.created,
      index: receipt.index,
      job: predicate.ci,
      subjects: subjectsOf(receipt.entry),
      checkpoint: { size: receipt.checkpoint.size, root: receipt.checkpoint.rootBase64 },
      receipt,
    };
  });
}

export type EvidenceQuery =
  | { job: { provider: string; project: string; jobId: string } }
  | { subject: { subject: string; digest: string } };

export interface GetEvidenceInput {
  client: LedgerClient;
  query: EvidenceQuery;
  /** Download into this directory (created if missing); list only when absent. */
  outDir?: string;
  at?: number;
  onProgress?: (progress: EvidenceProgress) => void;
  signal?: AbortSignal;
}

/** One row of `evidence get --json` (docs/evidence.md). */
export interface EvidenceListing {
  index: number;
  file: string;
  mediaType: string;
  size: number;
  digest: string;
  identity: string;
  role: string;
  time: string;
  job: CiContext;
  /**
   * `verified`: the job key matches the OIDC claims of the identity that added it (the job's own
   * evidence); `claimed`: the client only said so (an API key, another job).
   */
  jobStanding: JobStanding;
  subjects: SubjectInput[];
  metadata?: Record<string, string>;
  /** Where it was written (with --out). */
  path?: string;
}

export interface EvidenceReport {
  query: {
    job?: { provider: string; project: string; jobId: string };
    subject?: string;
    digest?: string;
  };
  checkpoint: { size: number; root: string };
  evidence: EvidenceListing[];
}

async function lookup(input: GetEvidenceInput): Promise<VerifiedLookup> {
  const options = {
    ...(input.at !== undefined ? { at: input.at } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  };
  if ('job' in input.query) {
    const { provider, project, jobId } = input.query.job;
    return input.client.job(provider, project, jobId, options);
  }
  return input.client.subject(input.query.subject.digest, options);
}

async function prepareOut(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new EvidenceError(
      'EVIDENCE_OUT_UNWRITABLE',
      'input',
      `cannot create the output directory ${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { cause: error },
    );
  }
}

/** A proved entry whose blob the ledger cannot produce: the evidence is lost, say so loudly. */
function missingBlob(error: unknown, row: EvidenceListing): unknown {
  if ((error as { code?: string }).code !== 'NOT_FOUND') return error;
  return new EvidenceError(
    'EVIDENCE_BLOB_MISSING',
    'verification',
    `entry ${row.index} (${row.file}) references blob ${row.digest}, which the ledger does not hold: it was lost or removed from the blob store; whoever still has the file can upload it again (same bytes, same digest)`,
    { cause: error },
  );
}

export async function getEvidence(input: GetEvidenceInput): Promise<EvidenceReport> {
  const result = await lookup(input);
  const evidence: EvidenceListing[] = [];
  for (const { index, entry } of result.entries) {
    if (entry.kind !== 'evidence') continue;
    const predicate = readEvidence(entry);
    evidence.push({
      index,
      file: predicate.file.name,
      mediaType: predicate.file.mediaType,
      size: predicate.file.size,
      digest: predicate.file.digest,
      identity: entry.identity.name,
      role: entry.identity.role,
      time: entry.time,
      job: predicate.ci,
      jobStanding: evidenceJobStanding(entry),
      subjects: subjectsOf(entry),
      ...(predicate.metadata ? { metadata: predicate.metadata } : {}),
    });
  }
  if (input.outDir !== undefined) {
    await prepareOut(input.outDir);
    const names = new OutputNames();
    // Verified evidence names its files first: a claimed file never takes a verified one's name.
    const byStanding = [
      ...evidence.filter((r) => r.jobStanding === 'verified'),
      ...evidence.filter((r) => r.jobStanding !== 'verified'),
    ];
    const targets = new Map(
      byStanding.map((r) => [r, path.join(input.outDir!, names.claim(r.file, r.index, r.digest))]),
    );
    for (const row of evidence) {
      const target = targets.get(row) as string;
      input.onProgress?.({ file: row.file, phase: 'download', bytes: 0, totalBytes: row.size });
      const { bytes } = await downloadBlob(
        input.client,
        row.digest,
        target,
        input.signal ? { signal: input.signal } : {},
      ).catch((error: unknown) => {
        throw missingBlob(error, row);
      });
      if (bytes !== row.size) {
        // The digest matched, so the entry's recorded size is what is wrong: report, do not hide.
        throw new EvidenceError(
          'EVIDENCE_STORED_MISMATCH',
          'verification',
          `entry ${row.index} records ${row.file} as ${row.size} bytes, but its blob ${row.digest} has ${bytes}`,
        );
      }
      input.onProgress?.({ file: row.file, phase: 'download', bytes, totalBytes: row.size });
      row.path = target;
    }
  }
  const query: EvidenceReport['query'] =
    'job' in input.query
      ? { job: input.query.job }
      : { subject: input.query.subject.subject, digest: input.query.subject.digest };
  return {
    query,
    checkpoint: { size: result.tree.size, root: result.tree.rootBase64 },
    evidence,
  };
}
