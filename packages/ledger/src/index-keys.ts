/**
 * Lookup keys derived from an entry (docs/architecture.md: indexes by digest, by CI job, by
 * identity), and their 53-bit key ids. The fields read:
 * - subject: every `statement.subject[].digest.sha256` -> `subject:sha256:<hex>`;
 * - job: `statement.predicate.ci.{provider, project, jobId}`, all three non-empty strings ->
 *   `job:<provider>\n<project>\n<jobId>` (entries without a job id are not in the job index);
 * - identity: `identity.name` -> `identity:<name>`;
 * - envelope: an entry with a DSSE envelope -> `envelope:sha256:<hex>` of its statement's canonical
 *   JSON (what the envelope signs), so the engine can refuse a signed statement recorded before.
 * Key ids are a fast non-cryptographic hash: stores keep small integer rows, and readers re-check
 * every hit against the entry itself, so a collision costs a wasted read, never a wrong answer.
 */
import { createHash } from 'node:crypto';
import { canonicalize, type LedgerEntry } from '@notarize/trust';

export type LookupKind = 'subject' | 'job' | 'identity' | 'envelope';

export interface JobRef {
  provider: string;
  project: string;
  jobId: string;
}

export function subjectKey(digest: string): string {
  return `subject:${digest}`;
}

export function jobKey(job: JobRef): string {
  return `job:${job.provider}\n${job.project}\n${job.jobId}`;
}

export function identityKey(name: string): string {
  return `identity:${name}`;
}

/** The envelope key of an entry that carries a DSSE envelope, else undefined. */
export function envelopeKey(entry: LedgerEntry): string | undefined {
  if (entry.envelope === undefined) return undefined;
  const hex = createHash('sha256').update(canonicalize(entry.statement)).digest('hex');
  return `envelope:sha256:${hex}`;
}

/** The job an entry names, if its predicate carries a complete CI context. */
export function entryJob(entry: LedgerEntry): JobRef | undefined {
  const ci = (entry.statement.predicate as { ci?: unknown } | undefined)?.ci;
  if (typeof ci !== 'object' || ci === null) return undefined;
  const { provider, project, jobId } = ci as Record<string, unknown>;
  if (typeof provider !== 'string' || typeof project !== 'string' || typeof jobId !== 'string') {
    return undefined;
  }
  if (provider === '' || project === '' || jobId === '') return undefined;
  return { provider, project, jobId };
}

/** Every lookup key of an entry, without repeats. Map heads, the ledger's own, have none. */
export function entryKeys(entry: LedgerEntry): string[] {
  if (entry.kind === 'map-head') return [];
  const keys: string[] = [];
  for (const s of entry.statement.subject) {
    const hex = s.digest.sha256;
    if (typeof hex === 'string') {
      const key = subjectKey(`sha256:${hex}`);
      if (!keys.includes(key)) keys.push(key);
    }
  }
  const job = entryJob(entry);
  if (job) keys.push(jobKey(job));
  keys.push(identityKey(entry.identity.name));
  const envelope = envelopeKey(entry);
  if (envelope) keys.push(envelope);
  return keys;
}

/** 53-bit key id of a lookup key (two 32-bit FNV-1a lanes, 21 + 32 bits). */
export function keyId(key: string): number {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 11) * 2 ** 32 + (b >>> 0);
}
