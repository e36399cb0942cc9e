export { Ledger, DB_FILE } from './ledger.ts';
export { DEFAULT_ORIGIN_PREFIX } from './ledger-state.ts';
export type { LedgerOptions, AppendOptions, ReadOptions } from './ledger.ts';
export type {
  SignedCheckpoint,
  Receipt,
  ProvedEntry,
  ConsistencyProof,
  ReadContext,
  EntryResult,
  LookupResult,
} from './types.ts';
export { LedgerError, type LedgerErrorCode, type LedgerErrorCategory } from './errors.ts';
export type {
  LedgerStore,
  AppendBatch,
  NodeRecord,
  LookupRow,
  IdempotencyRecord,
  MapValueRow,
  StoredCheckpoint,
  StoreMeta,
} from './store.ts';
export { SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.ts';
export {
  PostgresStore,
  type PostgresStoreOptions,
  isPostgresSpec,
  parsePostgresSpec,
  redact,
  openStore,
  parseStoreSpec,
  copyLedgerStore,
  type OpenStoreOptions,
  type StoreSpec,
  type CopyOptions,
  type CopyReport,
} from './postgres/index.ts';
export { prepareEntry, checkEntry, type PreparedEntry } from './validate-entry.ts';
export { parseCanonical, isCanonical, canonicalText } from './canonical.ts';
export {
  entryKeys,
  entryJob,
  keyId,
  subjectKey,
  jobKey,
  identityKey,
  type JobRef,
} from './index-keys.ts';
export {
  verifyLedgerStore,
  type VerifyReport,
  type VerifyProblem,
  type VerifyState,
} from './verify-store.ts';
export { verifyNotRolledBack, checkLedgerExtends, type TrustedTreeHead } from './rollback.ts';
export { loadLedgerKey, KEY_FILE, VKEY_FILE } from './signing-key.ts';
export { backupLedger, restoreLedger, verifyLedgerDir } from './backup.ts';
export { receiptToTlogProof } from './receipt.ts';
export {
  verifyEvidenceBlobs,
  verifyEvidenceBlobsInDir,
  blobPaths,
  type BlobVerifyReport,
  type BlobProblem,
  type OrphanBlob,
  type BlobVerifyOptions,
} from './verify-blobs.ts';
export { MapReplay, type MapHeadMismatch } from './map/map-replay.ts';
export { LedgerMap, nodeSha256 } from './map/ledger-map.ts';
export { newestPerKey } from './map/map-rows.ts';
/** RFC 9162 hashing through node:crypto, for verifiers that run on Node. */
export { leafHash, nodeHash } from './hashing.ts';
export { inclusionProof, consistencyProof } from './proofs.ts';
export {
  acquireWriterLock,
  writerPid,
  WRITER_LOCK_FILE,
  WRITER_PID_FILE,
  type WriterLock,
} from './writer-lock.ts';
