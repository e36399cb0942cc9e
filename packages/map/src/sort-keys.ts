import { checkHash, type Hash } from './hash.ts';

/** Byte-order comparison of two 32-byte keys. */
export function compareKeys(a: Hash, b: Hash): number {
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The keys in ascending byte order without duplicates: the order of a proof walk and of its
 * results. Prover and verifier both normalize, so callers may pass keys in any order.
 */
export function sortKeys(keys: readonly Hash[]): Hash[] {
  keys.forEach((k, i) => checkHash(k, `key ${i}`));
  const sorted = [...keys].sort(compareKeys);
  return sorted.filter((k, i) => i === 0 || compareKeys(sorted[i - 1]!, k) !== 0);
}
