/**
 * Builds the proof bundles of API.md: the latest checkpoint, the tree the entries are proved in
 * (the checkpoint's, or the tree of size `at` with its consistency proof), an optional consistency
 * proof from the client's last trusted size (`known`), and each entry with its inclusion proof.
 */
import type { MapValue } from '@notarize/map';
import type { Hash } from '@notarize/tlog';
import type { LedgerEntry } from '@notarize/trust';
import type { BackendCheckpoint, ServiceBackend } from './backend.ts';
import { ServiceError } from './errors.ts';

export const b64 = (h: Uint8Array): string =>
  Buffer.from(h.buffer, h.byteOffset, h.byteLength).toString('base64');
export const b64s = (hs: readonly Hash[]): string[] => hs.map(b64);

const decoder = new TextDecoder();

export interface WireEntry {
  index: number;
  entry: LedgerEntry;
  proof: string[];
}

/** Validates `at` against the checkpoint; returns the size reads are proved in. */
export function treeSizeFor(cp: BackendCheckpoint, at: number | undefined): number {
  if (at === undefined) return cp.size;
  if (at < 1 || at > cp.size) {
    throw new ServiceError(
      'AT_OUT_OF_RANGE',
      `at=${at} is outside the ledger's tree (1..${cp.size})`,
    );
  }
  return at;
}

/** `known` consistency member: from the client's trusted size to the checkpoint's. */
export async function knownMember(
  backend: ServiceBackend,
  cp: BackendCheckpoint,
  known: number | undefined,
): Promise<{ known?: { size: number; consistency: string[] } }> {
  // A client ahead of us (known > size) gets nothing: it will detect the rollback itself.
  if (known === undefined || known < 1 || known >= cp.size) return {};
  return {
    known: { size: known, consistency: b64s(await backend.consistencyProof(known, cp.size)) },
  };
}

/** Entries at `indexes` (ascending, < size) with inclusion proofs in the tree of `size`. */
export async function provedEntries(
  backend: ServiceBackend,
  indexes: readonly number[],
  size: number,
  /** The entries themselves when the caller has them (just appended): saves re-reading them. */
  known?: readonly LedgerEntry[],
): Promise<WireEntry[]> {
  const out: WireEntry[] = [];
  for (const [i, index] of indexes.entries()) {
    let entry = known?.[i];
    if (!entry) {
      const [bytes] = await backend.entries(index, index + 1);
      if (!bytes) throw new ServiceError('NOT_FOUND', `entry ${index} is not in the ledger`);
      entry = JSON.parse(decoder.decode(bytes)) as LedgerEntry;
    }
    out.push({ index, entry, proof: b64s(await backend.inclusionProof(index, size)) });
  }
  return out;
}

/**
 * The lookup map's part of an answer (docs/formats.md, "Lookup map"): the map head (the tree's
 * last entry) with its inclusion proof, the asked keys, their values and one batch proof.
 */
export interface WireMap {
  head: WireEntry;
  keys: string[];
  values: (MapValue | null)[];
  proof: string;
}

/** The map member for `keys` in the tree of `size`, and the decoded values. */
export async function mapMember(
  backend: ServiceBackend,
  keys: readonly string[],
  size: number,
): Promise<{ map: WireMap; values: (MapValue | undefined)[] }> {
  const answer = await backend.mapAnswer(keys, size);
  const [head] = await provedEntries(backend, [answer.head], size);
  const { values } = answer;
  return {
    map: {
      head: head as WireEntry,
      keys: [...keys],
      values: values.map((v) => v ?? null),
      proof: b64(answer.proof),
    },
    values,
  };
}

/** Most entries one lookup answer holds; larger lookups are read page by page. */
export const LOOKUP_PAGE_ENTRIES = 1000;

export interface BundleRequest {
  at?: number;
  known?: number;
  /** The checkpoint to answer from (default: the latest), when the caller already read it. */
  checkpoint?: BackendCheckpoint;
  /** Lookup keys whose completeness the answer proves through the lookup map. */
  keys?: readonly string[];
  /** Given the tree size (and the keys' map values), the entry indexes to include. */
  select(size: number, values: readonly (MapValue | undefined)[]): Promise<number[]>;
  /** Answer only the selected entries [offset, offset + limit). */
  page?: { offset: number; limit: number };
}

export async function buildBundle(backend: ServiceBackend, request: BundleRequest) {
  const cp = request.checkpoint ?? (await backend.latest());
  const size = treeSizeFor(cp, request.at);
  // An empty tree holds nothing to hide: it has no map head, and its answers no map member.
  const proved =
    request.keys && size > 0 ? await mapMember(backend, request.keys, size) : undefined;
  const selected = await request.select(size, proved?.values ?? []);
  const { page } = request;
  const indexes = page ? selected.slice(page.offset, page.offset + page.limit) : selected;
  const [root, consistency, known, entries] = await Promise.all([
    size === cp.size ? Promise.resolve(cp.root) : backend.rootAt(size),
    size === cp.size ? Promise.resolve(undefined) : backend.consistencyProof(size, cp.size),
    knownMember(backend, cp, request.known),
    provedEntries(backend, indexes, size),
  ]);
  return {
    checkpoint: cp.note,
    tree: { size, root: b64(root) },
    ...(consistency ? { consistency: b64s(consistency) } : {}),
    ...known,
    ...(proved ? { map: proved.map } : {}),
    ...(page ? { page: { offset: page.offset } } : {}),
    entries,
  };
}
