/**
 * Status resolution: from the log entries that mention one subject digest, the status each
 * identity holds for it. An identity's status is its latest assertion by log index, except that a
 * signed assertion (signature verified) whose signing time is not after that of an earlier signed
 * one of the same identity is stale and skipped;
 * revising one digest touches nothing else because only this digest's entries are read. An identity
 * revoked at index R keeps what it asserted before R, and everything it asserted after R counts as
 * `revoked`. "As of size N" reads only entries with index < N, which is exactly the tree of size N.
 */
import type { EntryIdentity, LedgerEntry } from './entry.ts';
import { subjectDigests, readAssertion, readRevocation } from './statement.ts';
import type { CiContext } from './predicates.ts';
import type { AssertableStatus, TrustStatus } from './status.ts';

/** A log entry with its index, and the key ids whose DSSE signatures on it verified. */
export interface IndexedEntry {
  index: number;
  entry: LedgerEntry;
  /** From verifyEntrySignatures with the keys the reader trusts; none when unsigned or unchecked. */
  verifiedKeyIds?: readonly string[];
}

/** Where an identity stands on a subject: its latest assertion and what it counts as. */
export interface IdentityStatus {
  identity: string;
  role: string;
  /** The effective status: what it asserted, or `revoked` when asserted after its revocation. */
  status: TrustStatus;
  asserted: AssertableStatus;
  index: number;
  /** RFC 3339 time the ledger accepted the assertion. */
  time: string;
  /**
   * RFC 3339 time the signer put in the statement (`predicate.signer.time`), only when a DSSE
   * signature on it verified with a key the reader trusts.
   */
  signedTime?: string;
  reason?: string;
  metadata?: Record<string, string>;
  ci?: CiContext;
  /** The identity record as the ledger verified it (auth method and claims). */
  claims: EntryIdentity;
  verifiedKeyIds: readonly string[];
  revocation?: { index: number; reason: string };
}

export interface ResolvedSubject {
  digest: string;
  /** One per identity that asserted anything about the digest, ordered by log index. */
  identities: IdentityStatus[];
}

export interface ResolveOptions {
  /** Time travel: only entries with index < asOfSize count. */
  asOfSize?: number;
}

/** Revoked identity name -> its earliest revocation (by index) within the size cut. */
export function revocationsByIdentity(
  revocations: readonly IndexedEntry[],
  options: ResolveOptions = {},
): Map<string, { index: number; reason: string }> {
  const out = new Map<string, { index: number; reason: string }>();
  for (const { index, entry } of revocations) {
    if (entry.kind !== 'revocation' || !within(index, options)) continue;
    const predicate = readRevocation(entry);
    const known = out.get(predicate.identity);
    if (!known || index < known.index) {
      out.set(predicate.identity, { index, reason: predicate.reason });
    }
  }
  return out;
}

function within(index: number, options: ResolveOptions): boolean {
  return options.asOfSize === undefined || index < options.asOfSize;
}

/**
 * Resolves one digest. `entries` may hold more than this digest's assertions (evidence, other
 * subjects); those are skipped. Invalid assertion entries throw, since a gate must not guess.
 */
export function resolveSubject(
  digest: string,
  entries: readonly IndexedEntry[],
  revocations: readonly IndexedEntry[] = [],
  options: ResolveOptions = {},
): ResolvedSubject {
  const revoked = revocationsByIdentity(revocations, options);
  const latest = new Map<string, IdentityStatus>();
  /** Per identity, the newest signing time among its verified signed assertions so far. */
  const newestSigned = new Map<string, number>();
  const ordered = entries
    .filter(({ index, entry }) => entry.kind === 'assertion' && within(index, options))
    .sort((a, b) => a.index - b.index);
  for (const { index, entry, verifiedKeyIds } of ordered) {
    if (!subjectDigests(entry.statement).includes(digest)) continue;
    const known = latest.get(entry.identity.name);
    if (known && known.index >= index) continue;
    const predicate = readAssertion(entry);
    const signedTime = verifiedSignedTime(predicate.signer?.time, verifiedKeyIds);
    if (signedTime !== undefined) {
      // An older (or equally old) signature never replaces a newer one: a signed statement
      // recorded again later (a replay) keeps the time it was signed at.
      const newest = newestSigned.get(entry.identity.name);
      if (newest !== undefined && Date.parse(signedTime) <= newest) continue;
      newestSigned.set(entry.identity.name, Date.parse(signedTime));
    }
    const revocation = revoked.get(entry.identity.name);
    const afterRevocation = revocation !== undefined && index > revocation.index;
    const status: IdentityStatus = {
      identity: entry.identity.name,
      role: entry.identity.role,
      status: afterRevocation ? 'revoked' : predicate.status,
      asserted: predicate.status,
      index,
      time: entry.time,
      claims: entry.identity,
      verifiedKeyIds: verifiedKeyIds ?? [],
    };
    if (signedTime !== undefined) status.signedTime = signedTime;
    if (predicate.reason !== undefined) status.reason = predicate.reason;
    if (predicate.metadata !== undefined) status.metadata = predicate.metadata;
    if (predicate.ci !== undefined) status.ci = predicate.ci;
    if (afterRevocation) status.revocation = revocation;
    latest.set(entry.identity.name, status);
  }
  return {
    digest,
    identities: [...latest.values()].sort((a, b) => a.index - b.index),
  };
}

/** The signing time of a statement whose signature verified, when it is a valid time. */
function verifiedSignedTime(
  time: string | undefined,
  verifiedKeyIds: readonly string[] | undefined,
): string | undefined {
  if (time === undefined || !verifiedKeyIds || verifiedKeyIds.length === 0) return undefined;
  return Number.isFinite(Date.parse(time)) ? time : undefined;
}

/** `{name: status}` as the CLI prints it. */
export function identityStatusMap(resolved: ResolvedSubject): Record<string, TrustStatus> {
  const out: Record<string, TrustStatus> = {};
  for (const s of resolved.identities) out[s.identity] = s.status;
  return out;
}
