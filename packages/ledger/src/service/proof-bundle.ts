/**
 * Builds the proof bundles of API.md: the latest checkpoint, the tree the entries are proved in
 * (the checkpoint's, or the tree of size `at` with its consistency proof), an optional consistency
 * proof from the client's last trusted size (`known`), and each entry with its inclusion proof.
 */
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

export interface BundleRequest {
  at?: number;
  known?: number;
  /** Given the tree size, the entry indexes to include. */
  select(size: number): Promise<number[]>;
}

export async function buildBundle(backend: ServiceBackend, request: BundleRequest) {
  const cp = await backend.latest();
  const size = treeSizeFor(cp, request.at);
  const indexes = await request.select(size);
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
    entries,
  };
}
