/**
 * What the HTTP service needs from a ledger. `engine-backend.ts` implements it on the engine
 * (`Ledger`); keeping the service behind this small interface keeps HTTP concerns out of the
 * engine and lets a future store (PostgreSQL) plug in unchanged.
 */
import type { Hash, NodeId } from '@notarize/tlog';
import type { MapValue } from '@notarize/map';
import type { LedgerEntry } from '@notarize/trust';

export interface BackendCheckpoint {
  size: number;
  root: Hash;
  /** The signed note. */
  note: string;
}

export interface BackendAppendResult {
  /** The checkpoint that includes the batch (size >= last index + 1). */
  checkpoint: BackendCheckpoint;
  /** Index of each entry, in request order. */
  indexes: number[];
  /** Inclusion proof of each entry in `checkpoint`'s tree, when the engine made them anyway. */
  proofs?: Hash[][];
}

export interface ServiceBackend {
  readonly origin: string;
  /** The ledger's note verifier key. */
  readonly vkey: string;
  /** The latest signed checkpoint. */
  latest(): Promise<BackendCheckpoint>;
  /** Appends durably as one group-committed batch; resolves once a signed checkpoint includes it. */
  append(entries: readonly LedgerEntry[]): Promise<BackendAppendResult>;
  /** Canonical entry bytes [from, to). */
  entries(from: number, to: number): Promise<Uint8Array[]>;
  /** Root of the tree of `size` (1 <= size <= latest size). */
  rootAt(size: number): Promise<Hash>;
  inclusionProof(index: number, size: number): Promise<Hash[]>;
  consistencyProof(size1: number, size2: number): Promise<Hash[]>;
  /** Indexes < size of entries naming `digest` as a subject, ascending. */
  subjectIndexes(digest: string, size: number): Promise<number[]>;
  /** Indexes < size of entries for a CI job, ascending. */
  jobIndexes(provider: string, project: string, jobId: string, size: number): Promise<number[]>;
  /**
   * The lookup map's answer for `keys` (lookup key strings) in the tree of `size`, whose last
   * entry (`head`) is the map head it is proved against: a batch proof and each key's value
   * (undefined: no entry has the key).
   */
  mapAnswer(
    keys: readonly string[],
    size: number,
  ): Promise<{ head: number; proof: Uint8Array; values: (MapValue | undefined)[] }>;
  /** Indexes < size of entries appended by the identity, ascending. */
  identityIndexes(name: string, size: number): Promise<number[]>;
  /** Stored perfect-subtree hashes (for tiles). */
  nodes(ids: readonly NodeId[]): Promise<Hash[]>;
  close(): Promise<void>;
}
