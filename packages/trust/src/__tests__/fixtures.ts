/** Builders of log entries for tests: real statements through the package's own builders. */
import { buildAssertion, buildRevocation, toLedgerEntry } from '../statement.ts';
import type { IndexedEntry } from '../resolve.ts';
import type { CiContext } from '../predicates.ts';
import type { EntryIdentity } from '../entry.ts';

export const A = `sha256:${'a'.repeat(64)}`;
export const B = `sha256:${'b'.repeat(64)}`;
export const C = `sha256:${'c'.repeat(64)}`;

export const NOW = new Date('2026-11-23T12:00:00Z');

/** `days` days before NOW, RFC 3339. */
export function daysAgo(days: number): string {
  return new Date(NOW.getTime() - days * 86_400_000).toISOString();
}

export interface AssertOptions {
  role?: string;
  reason?: string;
  digests?: string[];
  time?: string;
  keys?: string[];
  ci?: CiContext;
  claims?: Record<string, unknown>;
  /** Signing time of a signed statement (`predicate.signer`, naming the identity). */
  signedAt?: string;
}

export function assert(
  index: number,
  identity: string,
  status: string,
  options: AssertOptions = {},
): IndexedEntry {
  const draft = buildAssertion({
    subjects: (options.digests ?? [A]).map((digest, i) => ({ name: `artifact-${i}`, digest })),
    status,
    reason: options.reason,
    ci: options.ci,
    ...(options.signedAt ? { signer: { identity, time: options.signedAt } } : {}),
  });
  const id: EntryIdentity = {
    name: identity,
    role: options.role ?? 'pipeline',
    auth: 'apikey',
    ...options.claims,
  };
  return {
    index,
    entry: toLedgerEntry(draft, { identity: id, time: options.time ?? daysAgo(1) }),
    verifiedKeyIds: options.keys ?? [],
  };
}

export async function revoke(index: number, identity: string, reason = 'key leaked') {
  const draft = await buildRevocation({ identity, reason });
  return {
    index,
    entry: toLedgerEntry(draft, {
      identity: { name: 'root', role: 'admin', auth: 'apikey' },
      time: daysAgo(1),
    }),
  } satisfies IndexedEntry;
}
