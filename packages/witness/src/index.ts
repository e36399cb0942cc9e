// @notarize/witness: a C2SP tlog-witness that cosigns (tlog-cosignature v1, Ed25519) the
// checkpoints of the ledgers it follows, optionally after checking their lookup-map heads.
export { WitnessError, type WitnessErrorCode } from './errors.ts';
export { parseAddCheckpoint, formatAddCheckpoint, MAX_PROOF_LINES } from './request.ts';
export { StateStore, type LogState } from './state-store.ts';
export { ForkStore, type ForkEvidence } from './forks.ts';
export {
  loadOrCreateWitnessKey,
  readWitnessIdentity,
  defaultWitnessName,
  type WitnessIdentity,
  type WitnessStatement,
} from './witness-key.ts';
export { Witness, type WitnessOptions, type EntryCheck } from './witness.ts';
export { MapCheck } from './map-check.ts';
export {
  startWitnessServer,
  witnessHandler,
  WitnessMetrics,
  MAX_BODY_BYTES,
  type StartedWitness,
  type WitnessLog,
} from './server.ts';
export { openWitness, logVerifiers, type WitnessSettings, type OpenedWitness } from './open.ts';
