/**
 * The one interface the CLI (and the actions) use to talk to a ledger, whether it is a service
 * (`http(s)://…`, HttpLedgerClient) or a local directory (`file:<dir>`, EmbeddedLedgerClient).
 *
 * Every read is verified before it is returned: the checkpoint's signature against the pinned
 * ledger key, its consistency with the last checkpoint this client trusted (state file), and the
 * inclusion proof of every returned entry. A failed check throws a LedgerClientError with
 * category 'verification' (CLI exit code 20); it is never retried into success.
 *
 * This file is the contract: keep it stable; add, don't change.
 */
import type { DsseEnvelope, EntryKind, InTotoStatement, LedgerEntry } from '@notarize/trust';
import type { WireBundle } from './wire.ts';

/** What a caller asks the ledger to append. The ledger fills in `v`, `identity` and `time`. */
export interface AppendRequest {
  kind: EntryKind;
  statement: InTotoStatement;
  /** Optional DSSE envelope of `statement`, signed by the asserting party's own key. */
  envelope?: DsseEnvelope;
}

export interface AppendOptions {
  /**
   * Makes the append safe to retry: the ledger answers a repeated key (same identity, same body)
   * with the first answer instead of appending again. HTTP clients generate one when absent.
   */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface RevokeOptions extends AppendOptions {
  /**
   * Revoke even an identity the ledger does not know (not configured, never wrote to it); without
   * it such a revocation — typically a typo or a look-alike name — is refused (IDENTITY_UNKNOWN).
   */
  force?: boolean;
}

export interface ReadOptions {
  /**
   * Time travel: answer as of tree size `at` (1 <= at <= current size). The entries are proved
   * against the tree of that size, whose root is proved consistent with the current checkpoint.
   */
  at?: number;
  /**
   * Read as of `at` without a completeness proof — only for a size before the ledger's first
   * map head (a ledger written before the lookup map), and only when the caller accepts that
   * entries could be missing from the answer. Refused (verification) where the tree of `at`
   * ends with a map head: there the answer can be, so must be, proved complete.
   */
  acceptIncomplete?: boolean;
  signal?: AbortSignal;
}

/** A checkpoint whose signature was verified with the pinned key and that is consistent with
 *  every checkpoint this client trusted before. */
export interface VerifiedCheckpoint {
  origin: string;
  size: number;
  /** 32-byte RFC 9162 root hash. */
  root: Uint8Array;
  /** Standard base64 of `root`, as the checkpoint writes it. */
  rootBase64: string;
  /** The full signed note (C2SP tlog-checkpoint in a signed-note), as served. */
  note: string;
}

/** The tree a read was proved in: the verified checkpoint, or the prefix of size `at` of it. */
export interface ProvedTree {
  size: number;
  root: Uint8Array;
  rootBase64: string;
}

/** An entry whose inclusion in `tree` was verified. */
export interface VerifiedEntry {
  index: number;
  entry: LedgerEntry;
  /** RFC 9162 leaf hash of the entry's canonical bytes. */
  leafHash: Uint8Array;
  /** The verified inclusion proof (in `tree`). */
  proof: Uint8Array[];
  /** Size of the tree the proof is for. */
  treeSize: number;
}

/** What an append returns per entry: offline-verifiable proof that it is in the log. */
export interface Receipt extends VerifiedEntry {
  checkpoint: VerifiedCheckpoint;
  /** C2SP tlog-proof@v1 text: index, inclusion proof and the signed checkpoint. */
  tlogProof: string;
}

export interface VerifiedLookup {
  /** The latest checkpoint (verified, consistent with the client's state). */
  checkpoint: VerifiedCheckpoint;
  /** The tree the entries are proved in: equals `checkpoint` unless `at` was asked. */
  tree: ProvedTree;
  /** Matching entries in log order (ascending index). */
  entries: VerifiedEntry[];
}

/** A status answer, proved complete by the ledger's lookup map. */
export interface VerifiedStatuses {
  checkpoint: VerifiedCheckpoint;
  tree: ProvedTree;
  /** Per asked digest (without repeats, in order): each identity's latest assertion on it. */
  subjects: { digest: string; entries: VerifiedEntry[] }[];
  /** The first revocation of every identity named in `subjects`, where there is one. */
  revocations: VerifiedEntry[];
  /** The answers as served (one per lookup part), for an offline bundle (offline-bundle.ts). */
  proof?: WireBundle[];
}

export interface LedgerInfo {
  /** `file:` or `http(s):` */
  transport: 'file' | 'http';
  /** The ledger's location as given (`file:/abs/dir` or the service's base URL). */
  url: string;
  origin: string;
  /** The ledger's note verifier key (`<name>+<hex id>+<base64>`). */
  vkey: string;
  checkpoint: VerifiedCheckpoint;
  /** True when the ledger refuses writes (a service without a config). */
  readOnly: boolean;
  /** Limits the ledger enforces, when it says (bytes / counts). */
  limits?: {
    maxBodyBytes?: number;
    maxEntryBytes?: number;
    maxBatchEntries?: number;
    maxBlobBytes?: number;
  };
  /**
   * Who the ledger authenticated this client as, when it sent credentials (a service) or named
   * an identity (`file:`). Signed statements name it (`predicate.signer.identity`).
   */
  caller?: { name: string; role: string; auth: string };
}

export interface BlobPutOptions {
  /** `sha256:<hex>` when known in advance: the ledger verifies it and the upload becomes retryable. */
  digest?: string;
  /** Byte length when known (sent as Content-Length, checked against limits before uploading). */
  size?: number;
  signal?: AbortSignal;
}

export interface BlobInfo {
  digest: string;
  size: number;
  /** False when the ledger already held the blob (deduplicated). */
  created: boolean;
}

export interface BlobDownload {
  digest: string;
  size: number;
  /**
   * The bytes. The digest is checked as they stream: the iterator throws a 'verification' error
   * (BLOB_DIGEST_MISMATCH) at the end if they do not hash to `digest`, so write to a temporary
   * file and rename only after the iteration completed.
   */
  body: AsyncIterable<Uint8Array>;
}

export interface ConsistencyProof {
  size1: number;
  size2: number;
  proof: Uint8Array[];
}

export interface LedgerClient {
  /** Service info and the verified latest checkpoint. */
  info(options?: { signal?: AbortSignal }): Promise<LedgerInfo>;
  /** The latest checkpoint, verified and persisted as the new trusted state. */
  checkpoint(options?: { signal?: AbortSignal }): Promise<VerifiedCheckpoint>;
  /** Appends `requests` as one batch (one checkpoint); receipts in request order, verified. */
  append(requests: readonly AppendRequest[], options?: AppendOptions): Promise<Receipt[]>;
  /** Revokes an identity (admin): appends a 'revocation' entry. */
  revoke(identity: string, reason: string, options?: RevokeOptions): Promise<Receipt>;
  /** The entry at `index`, verified. Throws NOT_FOUND (input) when index >= tree size. */
  entry(index: number, options?: ReadOptions): Promise<VerifiedLookup & { found: VerifiedEntry }>;
  /**
   * Every entry whose statement names `digest` (`sha256:<hex>`) as a subject, verified and proved
   * complete by the ledger's lookup map.
   */
  subject(digest: string, options?: ReadOptions): Promise<VerifiedLookup>;
  /**
   * What status resolution needs for each digest, in one answer proved complete: every
   * identity's latest assertion and those identities' revocations (O(identities), not
   * O(assertions)). A hidden, added or altered entry is a 'verification' error.
   */
  statuses(digests: readonly string[], options?: ReadOptions): Promise<VerifiedStatuses>;
  /** Every entry recorded for CI job (provider, project, jobId), verified. */
  job(
    provider: string,
    project: string,
    jobId: string,
    options?: ReadOptions,
  ): Promise<VerifiedLookup>;
  /** A consistency proof between two tree sizes (raw; verify it with the two roots). */
  consistency(
    size1: number,
    size2: number,
    options?: { signal?: AbortSignal },
  ): Promise<ConsistencyProof>;
  /** Stores a blob (evidence) in the content-addressed store; streamed, never fully in memory. */
  putBlob(
    body: AsyncIterable<Uint8Array> | Uint8Array,
    options?: BlobPutOptions,
  ): Promise<BlobInfo>;
  /** Reads a blob; see BlobDownload.body for how its digest is verified. */
  getBlob(digest: string, options?: { signal?: AbortSignal }): Promise<BlobDownload>;
  /** Releases connections / the store. */
  close(): Promise<void>;
}
