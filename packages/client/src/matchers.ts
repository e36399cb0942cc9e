/**
 * What makes a returned entry an answer to a lookup. A ledger that returns a validly included but
 * unrelated entry for a subject (to drown out the real answer, say) is caught here.
 */
import type { LedgerEntry } from '@notarize/trust';

export function namesSubject(digest: string): (entry: LedgerEntry) => boolean {
  const hex = digest.slice('sha256:'.length);
  return (entry) =>
    Array.isArray(entry.statement?.subject) &&
    entry.statement.subject.some((s) => s?.digest?.sha256 === hex);
}

export function isForJob(
  provider: string,
  project: string,
  jobId: string,
): (entry: LedgerEntry) => boolean {
  return (entry) => {
    const ci = (entry.statement?.predicate as { ci?: Record<string, unknown> } | undefined)?.ci;
    return ci?.provider === provider && ci?.project === project && ci?.jobId === jobId;
  };
}

/** True when `got` is what was asked to be appended (the ledger only adds identity and time). */
export function isAppendOf(
  request: { kind: string; statement: unknown; envelope?: unknown },
  got: LedgerEntry,
  canonical: (v: unknown) => string,
): boolean {
  return (
    got.kind === request.kind &&
    canonical(got.statement) === canonical(request.statement) &&
    canonical(got.envelope ?? null) === canonical(request.envelope ?? null)
  );
}
