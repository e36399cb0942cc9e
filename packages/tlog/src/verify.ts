import { TlogError } from './errors.ts';
import { checkHash, emptyRoot, hashEquals, nodeHash, type Hash } from './hash.ts';
import { checkCount, isPowerOfTwo } from './numbers.ts';
import { consistencyRanges, inclusionRanges } from './proof-plan.ts';

// Verification follows RFC 9162 sections 2.1.3.2 and 2.1.4.2 step by step, after checking that
// the proof has exactly the length the tree shape implies: a verifier that tolerates extra or
// missing elements can be made to accept a forged history (immudb GHSA-672p-m5jq-mrh8).

/** The exact number of hashes in the inclusion proof of leaf `index` in a tree of `size` (index < size). */
export function inclusionProofLength(index: number, size: number): number {
  checkCount(index, 'leaf index');
  checkCount(size, 'tree size');
  if (index >= size) return 0;
  return inclusionRanges(index, size).length;
}

/** The exact number of hashes in the consistency proof from `size1` to `size2` (size1 <= size2). */
export function consistencyProofLength(size1: number, size2: number): number {
  checkCount(size1, 'old tree size');
  checkCount(size2, 'new tree size');
  if (size1 > size2) return 0;
  return consistencyRanges(size1, size2).length;
}

/** Recomputes the tree root from a leaf hash and its inclusion proof (RFC 9162 2.1.3.2). */
export function rootFromInclusionProof(
  leafHash: Hash,
  index: number,
  size: number,
  proof: readonly Hash[],
  /** RFC 9162 node hash; a caller on Node may pass a node:crypto one (same function, faster). */
  hashNode: (left: Hash, right: Hash) => Hash = nodeHash,
): Hash {
  checkCount(index, 'leaf index');
  checkCount(size, 'tree size');
  checkHash(leafHash, 'leaf hash', 'input');
  if (size === 0) {
    throw new TlogError('TLOG_EMPTY_TREE', 'no leaf can be included in the empty tree (size 0)');
  }
  if (index >= size) {
    throw new TlogError(
      'TLOG_INDEX_OUT_OF_RANGE',
      `leaf index ${index} is not in a tree of size ${size}; the proof is for another tree`,
    );
  }
  checkProofLength(proof, inclusionRanges(index, size).length, `leaf ${index} in size ${size}`);
  proof.forEach((h, i) => checkHash(h, `inclusion proof element ${i}`));

  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    // sn === 0 cannot happen after the exact length check; kept as the RFC's own guard.
    if (sn === 0) throw lengthError(proof.length, `leaf ${index} in size ${size}`);
    if (fn % 2 === 1 || fn === sn) {
      r = hashNode(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = hashNode(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw lengthError(proof.length, `leaf ${index} in size ${size}`);
  return r;
}

/** Throws TlogError unless `proof` proves `leafHash` is leaf `index` of the tree (`size`, `root`). */
export function verifyInclusion(
  leafHash: Hash,
  index: number,
  size: number,
  proof: readonly Hash[],
  root: Hash,
  hashNode: (left: Hash, right: Hash) => Hash = nodeHash,
): void {
  checkHash(root, 'tree root', 'input');
  const computed = rootFromInclusionProof(leafHash, index, size, proof, hashNode);
  if (!hashEquals(computed, root)) {
    throw new TlogError(
      'TLOG_ROOT_MISMATCH',
      `inclusion proof for leaf ${index} does not lead to the root of the tree of size ${size}: the entry, the proof or the checkpoint is wrong`,
    );
  }
}

/**
 * Throws TlogError unless `proof` shows that the tree (`size2`, `root2`) extends (`size1`, `root1`).
 * Edge cases: size1 = size2 needs an empty proof and equal roots; size1 = 0 needs an empty proof
 * and `root1` = SHA-256("") (every tree extends the empty tree, but a size-0 checkpoint with any
 * other root is bogus).
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Hash,
  root2: Hash,
  proof: readonly Hash[],
): void {
  checkCount(size1, 'old tree size');
  checkCount(size2, 'new tree size');
  checkHash(root1, 'old tree root', 'input');
  checkHash(root2, 'new tree root', 'input');
  const what = `sizes ${size1} -> ${size2}`;
  if (size1 > size2) {
    throw new TlogError(
      'TLOG_SIZE_ORDER',
      `old tree size ${size1} is larger than new tree size ${size2}: the log went backwards or the arguments are swapped`,
    );
  }
  if (size1 === size2) {
    checkProofLength(proof, 0, what);
    if (!hashEquals(root1, root2)) {
      throw new TlogError(
        'TLOG_ROOT_MISMATCH',
        `two different roots for the same tree size ${size1}: the log forked`,
      );
    }
    return;
  }
  if (size1 === 0) {
    checkProofLength(proof, 0, what);
    if (!hashEquals(root1, emptyRoot())) {
      throw new TlogError(
        'TLOG_ROOT_MISMATCH',
        'the old root of a size-0 tree must be the empty-tree hash SHA-256("")',
      );
    }
    return;
  }
  checkProofLength(proof, consistencyRanges(size1, size2).length, what);
  proof.forEach((h, i) => checkHash(h, `consistency proof element ${i}`));

  // RFC 9162 2.1.4.2: if size1 is a power of two, the old root is itself the first node.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) throw lengthError(proof.length, what);
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw lengthError(proof.length, what);
  if (!hashEquals(fr, root1)) {
    throw new TlogError(
      'TLOG_ROOT_MISMATCH',
      `consistency proof (${what}) does not lead to the old root: the proof or the old checkpoint is wrong`,
    );
  }
  if (!hashEquals(sr, root2)) {
    throw new TlogError(
      'TLOG_ROOT_MISMATCH',
      `consistency proof (${what}) does not lead to the new root: the new tree does not extend the old one`,
    );
  }
}

function checkProofLength(proof: readonly Hash[], expected: number, what: string): void {
  if (!Array.isArray(proof) || proof.length !== expected) {
    throw new TlogError(
      'TLOG_PROOF_LENGTH',
      `proof for ${what} must have exactly ${expected} hashes, got ${Array.isArray(proof) ? proof.length : typeof proof}`,
    );
  }
}

function lengthError(got: number, what: string): TlogError {
  return new TlogError(
    'TLOG_PROOF_LENGTH',
    `proof for ${what} has the wrong shape (${got} hashes)`,
  );
}
