// @notarize/tlog: RFC 9162 Merkle trees, proofs, compact ranges, C2SP signed notes, checkpoints,
// tiles and tlog-proof receipts. Pure and browser-safe: no node:* imports.
export { TlogError, type TlogErrorCode, type TlogErrorCategory } from './errors.ts';
export {
  type Hash,
  HASH_SIZE,
  leafHash,
  nodeHash,
  emptyRoot,
  rootFromLeafHashes,
  hashEquals,
} from './hash.ts';
export { type NodeId, peakNodes, rangeNodes, nodeCoverage } from './node-id.ts';
export { type ProofPlan, planInclusionProof, planConsistencyProof } from './proof-plan.ts';
export {
  verifyInclusion,
  verifyConsistency,
  rootFromInclusionProof,
  inclusionProofLength,
  consistencyProofLength,
} from './verify.ts';
export { CompactRange } from './compact-range.ts';
export { encodeBase64, decodeBase64 } from './base64.ts';
export {
  type NoteSigner,
  type NoteVerifier,
  generateNoteKey,
  noteSignerFromSkey,
  noteVerifierFromVkey,
  noteKeyId,
  isValidKeyName,
} from './note-keys.ts';
export {
  type OpenedNote,
  type NoteSignature,
  MAX_NOTE_SIGNATURES,
  signNote,
  openNote,
  parseNote,
} from './note.ts';
export {
  type Checkpoint,
  formatCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  openCheckpoint,
} from './checkpoint.ts';
export {
  TILE_HEIGHT,
  TILE_WIDTH,
  MAX_TILE_LEVEL,
  type TileCoord,
  type TileRef,
  tilesForNodes,
  formatTileIndex,
  tilePath,
  entryBundlePath,
  parseTilePath,
  tileForNode,
  tileWidth,
  encodeTile,
  decodeTile,
  nodeHashFromTile,
} from './tiles.ts';
export { MAX_ENTRY_SIZE, encodeEntryBundle, decodeEntryBundle } from './entry-bundle.ts';
export {
  TLOG_PROOF_HEADER,
  type TlogProof,
  formatTlogProof,
  parseTlogProof,
  verifyTlogProof,
} from './tlog-proof.ts';
export {
  ALG_COSIGNATURE_V1,
  type Cosigner,
  type CosignatureVerifier,
  type VerifiedCosignature,
  type CosignatureAlgorithm,
  cosignatureMessage,
  cosignatureTimestamp,
  generateCosignerKey,
  cosignerFromSkey,
  cosignatureVerifierFromVkey,
  verifyCosignatures,
} from './cosignature.ts';
export { formatAddCheckpoint } from './witness-request.ts';
export {
  ALG_COSIGNATURE_MLDSA44,
  MLDSA44_PUBLIC_KEY_SIZE,
  MLDSA44_SIGNATURE_SIZE,
  mldsaCosignedMessage,
} from './cosignature-mldsa.ts';
