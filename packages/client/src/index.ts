export type * from './ledger-client.ts';
export type { LedgerClientOptions } from './options.ts';
export {
  LedgerClientError,
  isVerificationError,
  type LedgerClientErrorCode,
  type LedgerClientErrorCategory,
} from './errors.ts';
export { openLedgerClient, parseLedgerLocation, type LedgerLocation } from './open.ts';
export { withoutCredentials } from './redact-url.ts';
export { createLedgerDispatcher } from './dispatcher.ts';
export { HttpLedgerClient } from './http-client.ts';
export { auditLedger, type AuditOptions, type AuditReport } from './audit.ts';
export { AuditMemory } from './audit-memory.ts';
export {
  offlineBundle,
  readOfflineBundle,
  verifyOfflineBundle,
  OFFLINE_BUNDLE_TYPE,
  type OfflineBundle,
  type VerifiedOfflineBundle,
} from './offline-bundle.ts';
export { RootBuilder, replayTiles, type TileSource, type ReplayTarget } from './tile-replay.ts';
export {
  witnessPolicy,
  checkWitnessQuorum,
  MAX_CLOCK_SKEW_SECONDS,
  type WitnessPolicy,
  type WitnessPolicyOptions,
} from './witness-quorum.ts';
export { WitnessedLedgerClient } from './witnessed-client.ts';
