import { TlogError, type TlogErrorCategory } from './errors.ts';

// Sizes and indexes go up to 2^53, past the 32 bits that JS bitwise operators handle, so all bit
// arithmetic here is done with `%`, `/` and multiplication, which are exact on safe integers.

/** Throws TLOG_BAD_NUMBER unless `value` is a non-negative safe integer. */
export function checkCount(
  value: number,
  what: string,
  category: TlogErrorCategory = 'input',
): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TlogError(
      'TLOG_BAD_NUMBER',
      `${what} must be a non-negative safe integer, got ${String(value)}`,
      { category },
    );
  }
}

/** The largest power of two strictly below `n` (n >= 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}
