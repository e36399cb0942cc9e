/**
 * Auditing a ledger service the way an outside monitor would: take its latest checkpoint
 * (verified: signature, consistency with this client's state), download every entry through the
 * C2SP tlog-tiles entry bundles, recompute the tree root from them and compare it with the
 * checkpoint, then re-derive the subject and job indexes from the entries and compare them, for a
 * sample, with what the service's lookups answer — which catches a service that hides entries
 * from lookups while keeping them in the log.
 */
import { MapReplay } from '@notarize/ledger';
import type { AuditMemory } from './audit-memory.ts';
import { RootBuilder, replayTiles } from './tile-replay.ts';
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
  // Every map head must carry the root the log itself gives; a wrong one is signed by the ledger.
  const replay = new MapReplay(checkpoint.origin, remembered?.map);
  const { mapHeads, mapRows } = await replayTiles(
    client,
    { size, root: checkpoint.root, builder, replay, signal: options.signal },
    (index, entry) => {
      // Map heads are the ledger's own entries: no lookup lists them.
      if (entry.kind === 'map-head') return;
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
    },
    options.progress,
  );
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
