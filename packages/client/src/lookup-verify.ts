/**
 * Verification of lookup answers, shared by the HTTP and the embedded client: the checkpoint and
 * the tree (verifier.ts), every entry's inclusion and relevance, and completeness through the
 * lookup map (map-check.ts).
 */
import type { LedgerEntry } from '@notarize/trust';
import { subjectKey } from '@notarize/ledger';
import { LOOKUP_PAGE_ENTRIES, statusKeys } from '@notarize/server/service';
import type {
  ProvedTree,
  VerifiedCheckpoint,
  VerifiedEntry,
  VerifiedLookup,
  VerifiedStatuses,
} from './ledger-client.ts';
import { checkAllEntries, checkLatestEntry, verifyMapMember } from './map-check.ts';
import { namesSubject } from './matchers.ts';
import { LedgerClientError, verificationError } from './errors.ts';
import type { LedgerVerifier } from './verifier.ts';
import type { WireBundle } from './wire.ts';

/** `--at` is a tree size >= 1 (the empty tree has nothing to read as of). */
export function checkAt(at: number | undefined): void {
  if (at !== undefined && (!Number.isSafeInteger(at) || at < 1)) {
    throw new LedgerClientError(
      'ARGUMENT_INVALID',
      'input',
      `--at must be a tree size >= 1, got ${at}`,
    );
  }
}

export type CheckpointCheck = (
  note: string,
  known: WireBundle['known'],
  notBefore: number,
) => Promise<VerifiedCheckpoint>;

export interface LookupSpec {
  matches: (entry: LedgerEntry) => boolean;
  what: string;
  /** The lookup key whose every entry the answer must hold (proved by the map). */
  completeKey?: string;
}

async function verifyTree(
  verifier: LedgerVerifier,
  checkCheckpoint: CheckpointCheck,
  bundle: WireBundle,
  at: number | undefined,
  notBefore: number,
): Promise<{ checkpoint: VerifiedCheckpoint; tree: ProvedTree }> {
  const checkpoint = await checkCheckpoint(bundle.checkpoint, bundle.known, notBefore);
  return { checkpoint, tree: verifier.tree(checkpoint, bundle.tree, bundle.consistency, at) };
}

/** Fetches one page of a lookup (entries [offset, ...)) as of `at` (undefined: the newest). */
export type PageSource = (offset: number, at: number | undefined) => Promise<WireBundle>;

/**
 * Reads and verifies a lookup. With `completeKey`, pages are read until the map's count is
 * reached, all in the tree of the first page, and the whole list is checked against the map.
 */
/**
 * Reads a lookup the way the caller asked: proved complete (the default), or — with
 * `acceptIncomplete` and `at` — unproved, where the ledger cannot prove it (see below).
 */
export function readLookup(
  verifier: LedgerVerifier,
  checkCheckpoint: CheckpointCheck,
  fetchPage: PageSource,
  options: { at?: number; unproved: boolean },
  spec: LookupSpec,
  notBefore: () => Promise<number>,
  lastEntry: (tree: ProvedTree) => Promise<VerifiedEntry>,
): Promise<VerifiedLookup> {
  if (options.unproved && options.at !== undefined) {
    const { matches, what } = spec;
    const read = { matches, what };
    return verifyUnprovedLookup(
      verifier,
      checkCheckpoint,
      fetchPage,
      options.at,
      read,
      notBefore,
      lastEntry,
    );
  }
  return verifyLookup(verifier, checkCheckpoint, fetchPage, options.at, spec, notBefore);
}

/**
 * Reads and verifies every page of a lookup that cannot be proved complete (before the ledger's
 * first map head): pages are read until a short one. Each entry's inclusion is still verified,
 * and the tree's last entry must not be a map head (else the answer could be proved complete).
 */
export async function verifyUnprovedLookup(
  verifier: LedgerVerifier,
  checkCheckpoint: CheckpointCheck,
  fetchPage: PageSource,
  at: number,
  spec: LookupSpec,
  notBefore: () => Promise<number>,
  lastEntry: (tree: ProvedTree) => Promise<VerifiedEntry>,
): Promise<VerifiedLookup> {
  const entries: VerifiedEntry[] = [];
  let result: { checkpoint: VerifiedCheckpoint; tree: ProvedTree } | undefined;
  for (;;) {
    const page = await fetchPage(entries.length, at);
    result = await verifyTree(verifier, checkCheckpoint, page, at, await notBefore());
    const more = verifier.entries(result.tree, page.entries, spec.matches, spec.what);
    const last = entries[entries.length - 1];
    if (last && more[0] && more[0].index <= last.index) {
      throw verificationError('INCOMPLETE_ANSWER', `the ledger's pages for ${spec.what} overlap`);
    }
    entries.push(...more);
    if (more.length < LOOKUP_PAGE_ENTRIES) break;
  }
  if ((await lastEntry(result.tree)).entry.kind === 'map-head') {
    throw verificationError(
      'INCOMPLETE_ANSWER',
      `the tree of size ${at} ends with a map head, so its answers can be proved complete: the ` +
        'ledger must not answer it unproved',
    );
  }
  return { ...result, entries };
}

export async function verifyLookup(
  verifier: LedgerVerifier,
  checkCheckpoint: CheckpointCheck,
  fetchPage: PageSource,
  at: number | undefined,
  spec: LookupSpec,
  notBefore: () => Promise<number>,
): Promise<VerifiedLookup> {
  const first = await fetchPage(0, at);
  const { checkpoint, tree } = await verifyTree(
    verifier,
    checkCheckpoint,
    first,
    at,
    await notBefore(),
  );
  const entries = verifier.entries(tree, first.entries, spec.matches, spec.what);
  if (spec.completeKey === undefined) return { checkpoint, tree, entries };
  const key = spec.completeKey;
  const value = verifyMapMember(verifier, tree, first.map, [key]).get(key);
  const expected = value?.n ?? 0;
  let latest = checkpoint;
  while (entries.length < expected) {
    const page = await fetchPage(entries.length, tree.size);
    const next = await verifyTree(verifier, checkCheckpoint, page, tree.size, await notBefore());
    latest = next.checkpoint;
    verifyMapMember(verifier, next.tree, page.map, [key]);
    const more = verifier.entries(next.tree, page.entries, spec.matches, spec.what);
    const last = entries[entries.length - 1];
    if (more.length === 0 || (last && (more[0] as VerifiedEntry).index <= last.index)) {
      throw verificationError(
        'INCOMPLETE_ANSWER',
        `the ledger's page at offset ${entries.length} for ${key} does not continue the list`,
      );
    }
    entries.push(...more);
  }
  checkAllEntries(key, value, entries);
  return { checkpoint: latest, tree, entries };
}

/**
 * Verifies a status answer: per digest every identity's latest assertion, and for each of those
 * identities its first revocation — exactly the entries the map names, no more, no fewer.
 */
export async function verifyStatuses(
  verifier: LedgerVerifier,
  checkCheckpoint: CheckpointCheck,
  bundle: WireBundle,
  digests: readonly string[],
  at: number | undefined,
  notBefore: number,
): Promise<VerifiedStatuses> {
  const { checkpoint, tree } = await verifyTree(verifier, checkCheckpoint, bundle, at, notBefore);
  const wireKeys =
    bundle.map?.keys ?? (tree.size === 0 ? [...new Set(digests.map(subjectKey))] : []);
  // The proof must cover the keys rebuilt from the proved subject values: verify against the
  // keys as sent, then check they are exactly the expected ones.
  const values = verifyMapMember(verifier, tree, bundle.map, wireKeys);
  // The service's own rule, applied to the values this client just proved.
  const subjectKeys = [...new Set(digests.map(subjectKey))];
  const expected = await statusKeys(
    digests,
    subjectKeys.map((k) => values.get(k)),
  );
  if (expected.length !== wireKeys.length || expected.some((k, i) => k !== wireKeys[i])) {
    throw verificationError(
      'INCOMPLETE_ANSWER',
      'the status answer does not prove the lookup keys it must (subjects and the revocations of every identity that asserted them)',
    );
  }
  const entries = verifier.entries(tree, bundle.entries, () => true, 'a status lookup');
  const byIndex = new Map(entries.map((e) => [e.index, e]));
  const used = new Set<number>();
  const take = (index: number, expect: Parameters<typeof checkLatestEntry>[2]): VerifiedEntry => {
    const found = byIndex.get(index);
    if (!found) {
      throw verificationError(
        'INCOMPLETE_ANSWER',
        `the ledger left out entry ${index}, which its signed map names as ${expect.what}`,
      );
    }
    checkLatestEntry(found.entry, index, expect);
    used.add(index);
    return found;
  };
  const subjects = [...new Set(digests)].map((digest) => {
    const value = values.get(subjectKey(digest));
    const matches = namesSubject(digest);
    const latest = (value?.assert ?? []).map(([identity, index]) => {
      const what = `the latest assertion of ${identity} on ${digest}`;
      const e = take(index, { kind: 'assertion', identity, what });
      if (!matches(e.entry)) {
        throw verificationError('ENTRY_MISMATCH', `entry ${index} (${what}) does not name it`);
      }
      return e;
    });
    return { digest, entries: latest.sort((a, b) => a.index - b.index) };
  });
  const revocations: VerifiedEntry[] = [];
  for (const key of expected) {
    const revoke = values.get(key)?.revoke;
    if (revoke === undefined) continue;
    const what = `the first revocation under ${key}`;
    const e = take(revoke, { kind: 'revocation', what });
    if (!namesSubject(key.slice('subject:'.length))(e.entry)) {
      throw verificationError('ENTRY_MISMATCH', `entry ${revoke} (${what}) does not name it`);
    }
    if (!revocations.includes(e)) revocations.push(e);
  }
  if (used.size !== entries.length) {
    const extra = entries.find((e) => !used.has(e.index));
    throw verificationError(
      'INCOMPLETE_ANSWER',
      `the ledger added entry ${extra?.index}, which its signed map does not name for this status`,
    );
  }
  return { checkpoint, tree, subjects, revocations };
}

/** One answer from the parts of a large status lookup (all proved in the same tree). */
export function mergeStatuses(parts: readonly VerifiedStatuses[]): VerifiedStatuses {
  const [first, ...rest] = parts;
  if (!first) throw new Error('no status parts');
  const revocations = new Map(first.revocations.map((e) => [e.index, e]));
  const subjects = [...first.subjects];
  for (const part of rest) {
    subjects.push(...part.subjects);
    for (const e of part.revocations) revocations.set(e.index, e);
  }
  const last = parts[parts.length - 1] as VerifiedStatuses;
  return {
    checkpoint: last.checkpoint,
    tree: first.tree,
    subjects,
    revocations: [...revocations.values()].sort((a, b) => a.index - b.index),
  };
}
