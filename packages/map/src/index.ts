// @notarize/map: the verifiable lookup map (docs/formats.md, "Lookup map"): map keys and values,
// entry chains, an in-memory sparse Merkle map with batch proofs, and the proof verifier.
// Pure and browser-safe: no node:* imports, no I/O.
export { MapError, type MapErrorCode } from './errors.ts';
export {
  type Hash,
  type Sha256,
  HASH_SIZE,
  EMPTY_NODE,
  leafNodeHash,
  innerNodeHash,
  hashEquals,
} from './hash.ts';
export { mapKey, MAP_KEY_DOMAIN } from './key.ts';
export { type MapValue, encodeValue, decodeValue, valueHash, valueHashLatin1 } from './value.ts';
export { EMPTY_CHAIN, chainStep } from './chain.ts';
export { sortKeys } from './sort-keys.ts';
export { SparseMerkleMap } from './tree.ts';
export { type MapProofResult, verifyMapProof } from './verify.ts';
export { encodeBase64, decodeBase64 } from './base64.ts';
