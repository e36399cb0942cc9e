/**
 * RFC 8785 canonical JSON checks for the append path. `@notarize/trust`'s `canonicalize` is the
 * definition; this adds a fast path: when every object's members are already in JCS order (UTF-16
 * code-unit order, which JS's default sort uses) and every value is representable, JCS output
 * equals `JSON.stringify`, which is native and ~5x faster. Anything else takes the reference path.
 */
import { canonicalize } from '@notarize/trust';
import { LedgerError } from './errors.ts';

/** True when `value` is plain JSON whose objects list their members in canonical order. */
function isInCanonicalOrder(value: unknown, depth: number): boolean {
  if (depth > 64) return false;
  switch (typeof value) {
    case 'string':
      return value.isWellFormed();
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
      return true;
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (const item of value) if (!isInCanonicalOrder(item, depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      const record = value as Record<string, unknown>;
      let previous: string | undefined;
      for (const key of Object.keys(record)) {
        if (previous !== undefined && !(previous < key)) return false;
        previous = key;
        if (!isInCanonicalOrder(record[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/**
 * JCS serialization without the error bookkeeping of the reference (it builds a path string per
 * value); returns undefined where the reference would throw, so the caller can ask it why.
 */
function fastSerialize(value: unknown, depth: number): string | undefined {
  if (depth > 64) return undefined;
  switch (typeof value) {
    case 'string':
      return value.isWellFormed() ? JSON.stringify(value) : undefined;
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : undefined;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item = fastSerialize(value[i], depth + 1);
          if (item === undefined) return undefined;
          out += i === 0 ? item : `,${item}`;
        }
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return undefined;
      const record = value as Record<string, unknown>;
      let out = '{';
      let first = true;
      for (const key of Object.keys(record).sort()) {
        const member = record[key];
        if (member === undefined) continue;
        const text = fastSerialize(member, depth + 1);
        if (text === undefined) return undefined;
        out += `${first ? '' : ','}${JSON.stringify(key)}:${text}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      return undefined;
  }
}

/** The canonical JSON text of `value`; throws ENTRY_INVALID (input) for values JSON cannot hold. */
export function canonicalText(value: unknown): string {
  if (isInCanonicalOrder(value, 0)) return JSON.stringify(value);
  const fast = fastSerialize(value, 0);
  if (fast !== undefined) return fast;
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
    canonical = isInCanonicalOrder(value, 0)
      ? JSON.stringify(value)
      : (fastSerialize(value, 0) ?? canonicalize(value));
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
