/**
 * RFC 8785 canonical JSON checks for the append path, on top of `@notarize/trust`'s `canonicalize`
 * (the definition, fast for entries already in canonical order), with the ledger's error codes.
 */
import { canonicalize } from '@notarize/trust';
import { LedgerError } from './errors.ts';

/** The canonical JSON text of `value`; throws ENTRY_INVALID (input) for values JSON cannot hold. */
export function canonicalText(value: unknown): string {
  try {
    return canonicalize(value);
  } catch (error) {
    throw new LedgerError(
      'ENTRY_INVALID',
      'input',
      `entry is not JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Parses entry bytes that must already be canonical JSON: valid UTF-8, valid JSON, and equal to
 * their own canonicalization byte for byte. Throws ENTRY_INVALID or ENTRY_NOT_CANONICAL (input).
 */
export function parseCanonical(bytes: Uint8Array, where = 'entry'): unknown {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch (error) {
    throw new LedgerError('ENTRY_INVALID', 'input', `${where} is not valid UTF-8`, {
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    throw new LedgerError(
      'ENTRY_INVALID',
      'input',
      `${where} is not valid JSON: ${(error as Error).message}`,
      { cause: error },
    );
  }
  let canonical: string;
  try {
    canonical = canonicalize(value);
  } catch (error) {
    throw new LedgerError('ENTRY_NOT_CANONICAL', 'input', `${where}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (canonical !== text) {
    throw new LedgerError(
      'ENTRY_NOT_CANONICAL',
      'input',
      `${where} is not RFC 8785 canonical JSON (member order, white space, number or string ` +
        'encoding differ); send the canonical encoding (canonicalize from @notarize/trust)',
    );
  }
  return value;
}

/** True when `bytes` are exactly the canonical JSON of the value they encode. */
export function isCanonical(bytes: Uint8Array): boolean {
  try {
    parseCanonical(bytes);
    return true;
  } catch {
    return false;
  }
}
