/**
 * Auditing a ledger service the way an outside monitor would: take its latest checkpoint
 * (verified: signature, consistency with this client's state), download every entry through the
 * C2SP tlog-tiles entry bundles, recompute the tree root from them and compare it with the
 * checkpoint, then re-derive the subject and job indexes from the entries and compare them, for a
 * sample, with what the service's lookups answer — which catches a service that hides entries
 * from lookups while keeping them in the log.
 */
import { createHash } from 'node:crypto';
import { decodeEntryBundle, entryBundlePath, TILE_WIDTH } from '@notarize/tlog';
import { MapReplay, type MapValueRow } from '@notarize/ledger';
import type { AuditFrontier, AuditMemory } from './audit-memory.ts';
import type { LedgerEntry } from '@notarize/trust';
import { verificationError } from './errors.ts';
import type { HttpLedgerClient } from './http-client.ts';
import type { VerifiedLookup } from './ledger-client.ts';

export interface AuditOptions {
  /** What earlier audits proved: resume after it, and record this one (`--resume FILE`). */
  memory?: AuditMemory;
  /** How many subjects (and jobs) to compare with the service's lookups (default 50). */
  sample?: number;
  /** Progress callback (entries read so far, total). */
  progress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface AuditReport {
  origin: string;
  size: number;
  root: string;
  entries: number;
  subjectsChecked: number;
  jobsChecked: number;
  /** Map heads replayed and found correct. */
  mapHeads: number;
  /** Where this audit started reading (0, or where the remembered one ended). */
  from: number;
}

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);
const sha = () => createHash('sha256');

/** RFC 9162 Merkle tree hash, streaming: a stack of perfect subtrees (node:crypto for speed). */
class RootBuilder {
  readonly stack: { hash: Buffer; size: number }[] = [];
  count = 0;

  /** Continues from a frontier an earlier audit proved (its perfect subtrees, largest first). */
  static resume(frontier: AuditFrontier): RootBuilder {
    const builder = new RootBuilder();
    for (const s of frontier.stack)
      builder.stack.push({ hash: Buffer.from(s.hash, 'base64'), size: s.size });
    builder.count = frontier.size;
    return builder;
  }

  /** Adds a leaf; returns its leaf hash. */
  add(entry: Uint8Array): Buffer {
    const leaf = sha().update(LEAF).update(entry).digest();
    let hash = leaf;
    let size = 1;
    while (this.stack.length > 0 && this.stack[this.stack.length - 1]!.size === size) {
      hash = sha().update(NODE).update(this.stack.pop()!.hash).update(hash).digest();
      size *= 2;
    }
    this.stack.push({ hash, size });
    this.count++;
    return leaf;
  }
  root(): Buffer {
    if (this.stack.length === 0) return sha().digest();
    let root = this.stack[this.stack.length - 1]!.hash;
    for (let i = this.stack.length - 2; i >= 0; i--) {
      root = sha().update(NODE).update(this.stack[i]!.hash).update(root).digest();
    }
    return root;
  }
}

function pick<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  const out: T[] = [];
  const step = items.length / n;
  for (let i = 0; i < n; i++) out.push(items[Math.floor(i * step)]!);
  return out;
}

/** Compares a lookup with the entries this audit read (those from index `from` on). */
function compare(
  what: string,
  expected: readonly number[],
  lookup: VerifiedLookup,
  from: number,
): void {
  const got = lookup.entries.map((e) => e.index).filter((i) => i >= from);
  const missing = expected.filter((i) => !got.includes(i));
  if (missing.length > 0) {
    throw verificationError(
      'ENTRY_MISSING',
      `the ledger's lookup for ${what} hides entries ${missing.slice(0, 10).join(', ')} that its log holds (tree size ${lookup.tree.size}): lookups are being tampered with`,
    );
  }
  const extra = got.filter((i) => !expected.includes(i));
  if (extra.length > 0) {
    throw verificationError(
      'ENTRY_MISMATCH',
      `the ledger's lookup for ${what} returns entries ${extra.slice(0, 10).join(', ')} that are not about it`,
    );
  }
}

export async function auditLedger(
  client: HttpLedgerClient,
  options: AuditOptions = {},
): Promise<AuditReport> {
  const checkpoint = await client.checkpoint(options.signal ? { signal: options.signal } : {});
  const size = checkpoint.size;
  const remembered = await options.memory?.load(checkpoint.origin);
  if (remembered && remembered.frontier.size > size) {
    throw verificationError(
      'ROLLBACK',
      `the ledger's tree has ${size} entries, fewer than the ${remembered.frontier.size} this monitor audited: it was rolled back`,
    );
  }
  const builder = remembered ? RootBuilder.resume(remembered.frontier) : new RootBuilder();
  const from = builder.count;
  const subjects = new Map<string, number[]>();
  const jobs = new Map<
    string,
    { provider: string; project: string; jobId: string; indexes: number[] }
  >();
  const decoder = new TextDecoder();
  // Every map head must carry the root the log itself gives; a wrong one is signed by the ledger.
  const replay = new MapReplay(checkpoint.origin, remembered?.map);
  const mapRows: MapValueRow[] = [];
  let mapHeads = 0;
  for (let tile = Math.floor(from / TILE_WIDTH); tile * TILE_WIDTH < size; tile++) {
    const width = Math.min(TILE_WIDTH, size - tile * TILE_WIDTH);
    const bundle = await client.tile(entryBundlePath(tile, width), options.signal);
    let entries: Uint8Array[];
    try {
      entries = decodeEntryBundle(bundle);
    } catch (error) {
      throw verificationError(
        'BAD_RESPONSE',
        `entry bundle ${tile} is malformed: ${(error as Error).message}`,
        error,
      );
    }
    if (entries.length !== width) {
      throw verificationError(
        'ENTRY_MISSING',
        `entry bundle ${tile} holds ${entries.length} entries, not ${width}`,
      );
    }
    // A resumed audit starts inside the tile where the last one ended.
    for (const bytes of entries.slice(builder.count - tile * TILE_WIDTH)) {
      const index = builder.count;
      const leaf = builder.add(bytes);
      let entry: LedgerEntry;
      try {
        entry = JSON.parse(decoder.decode(bytes)) as LedgerEntry;
      } catch (error) {
        throw verificationError('BAD_RESPONSE', `entry ${index} is not JSON`, error);
      }
      const replayed = replay.add(index, entry, leaf);
      if (replayed && 'message' in replayed) {
        throw verificationError(
          'MAP_HEAD_INVALID',
          `${replayed.message}. The ledger signed this lie: entry ${index} is in its log, ` +
            `proved by its checkpoint of size ${size} (keep the checkpoint and the entry as evidence)`,
        );
      }
      if (replayed) {
        mapHeads++;
        mapRows.push(...replayed.rows);
      }
      // Map heads are the ledger's own entries: no lookup lists them.
      if (entry.kind === 'map-head') continue;
      for (const s of entry.statement?.subject ?? []) {
        const hex = s?.digest?.sha256;
        if (typeof hex !== 'string') continue;
        const d = `sha256:${hex}`;
        const list = subjects.get(d) ?? [];
        if (list[list.length - 1] !== index) list.push(index);
        subjects.set(d, list);
      }
      const ci = (entry.statement?.predicate as { ci?: Record<string, unknown> } | undefined)?.ci;
      if (
        typeof ci?.provider === 'string' &&
        typeof ci.project === 'string' &&
        typeof ci.jobId === 'string'
      ) {
        const key = `${ci.provider}\n${ci.project}\n${ci.jobId}`;
        const job = jobs.get(key) ?? {
          provider: ci.provider,
          project: ci.project,
          jobId: ci.jobId,
          indexes: [],
        };
        job.indexes.push(index);
        jobs.set(key, job);
      }
    }
    options.progress?.(builder.count, size);
  }
  const root = builder.root();
  if (!root.equals(Buffer.from(checkpoint.root))) {
    throw verificationError(
      'INCLUSION_FAILED',
      `the ${size} entries the ledger serves as tiles do not hash to its signed root: the tiles were altered`,
    );
  }
  const sample = options.sample ?? 50;
  const pickedSubjects = pick([...subjects.entries()], sample);
  for (const [digest, expected] of pickedSubjects) {
    compare(digest, expected, await client.subject(digest, { at: size }), from);
  }
  const pickedJobs = pick([...jobs.values()], sample);
  for (const job of pickedJobs) {
    compare(
      `job ${job.provider}/${job.project}/${job.jobId}`,
      job.indexes,
      await client.job(job.provider, job.project, job.jobId, { at: size }),
      from,
    );
  }
  options.memory?.save(
    {
      origin: checkpoint.origin,
      size,
      stack: builder.stack.map((s) => ({ hash: s.hash.toString('base64'), size: s.size })),
    },
    replay.lastHead,
    mapRows,
  );
  return {
    origin: checkpoint.origin,
    from,
    size,
    root: checkpoint.rootBase64,
    entries: builder.count,
    subjectsChecked: pickedSubjects.length,
    jobsChecked: pickedJobs.length,
    mapHeads,
  };
}
