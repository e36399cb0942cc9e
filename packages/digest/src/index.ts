export { digestSubject, digestSubjects } from './digest.ts';
export { isDigest, parseSubject, type ParsedSubject } from './subject.ts';
export { DigestError, type DigestErrorCode, type DigestErrorCategory } from './errors.ts';
export { digestDirectory, manifestLine } from './directory.ts';
export { hashFile, sha256Digest } from './hash.ts';
export { parseRegistryReference, type RegistryReference } from './registry/reference.ts';
export type { RegistryOptions } from './registry/client.ts';
export type {
  DigestOptions,
  DigestProgress,
  DigestResult,
  PlatformDigest,
  SubjectType,
  SymlinkMode,
} from './types.ts';
