/** The verified timeline of one subject: who asserted what, when and why, in log order. */
import type { LedgerClient } from '@notarize/client';
import type { CiContext } from '@notarize/trust';

export interface HistoryEvent {
  index: number;
  time: string;
  kind: string;
  identity: string;
  role: string;
  auth: string;
  /** Assertions: the status asserted. */
  status?: string;
  reason?: string;
  metadata?: Record<string, string>;
  ci?: CiContext;
  /** Evidence: the file recorded. */
  file?: { name: string; mediaType: string; size: number; digest: string };
  signed: boolean;
}

export interface HistoryReport {
  subject: string;
  digest: string;
  checkpoint: { size: number; root: string };
  events: HistoryEvent[];
}

export async function history(
  client: LedgerClient,
  subject: { subject: string; digest: string },
  at?: number,
): Promise<HistoryReport> {
  const lookup = await client.subject(subject.digest, at !== undefined ? { at } : {});
  const events = lookup.entries.map(({ index, entry }): HistoryEvent => {
    const predicate = (entry.statement.predicate ?? {}) as Record<string, unknown>;
    const event: HistoryEvent = {
      index,
      time: entry.time,
      kind: entry.kind,
      identity: entry.identity.name,
      role: entry.identity.role,
      auth: entry.identity.auth,
      signed: entry.envelope !== undefined,
    };
    if (typeof predicate.status === 'string') event.status = predicate.status;
    if (typeof predicate.reason === 'string') event.reason = predicate.reason;
    if (predicate.metadata) event.metadata = predicate.metadata as Record<string, string>;
    if (predicate.ci) event.ci = predicate.ci as CiContext;
    if (predicate.file) event.file = predicate.file as HistoryEvent['file'] & object;
    return event;
  });
  return {
    ...subject,
    checkpoint: { size: lookup.tree.size, root: lookup.tree.rootBase64 },
    events,
  };
}
