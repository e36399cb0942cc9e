/**
 * RFC 8785 canonical JSON with a fast path. Entries arrive as JSON that the ledger produced from
 * canonical bytes, so their members are already in canonical order; for such values (every
 * object's keys strictly ascending by UTF-16 code units, finite numbers, well-formed strings) the
 * canonical text equals JSON.stringify, which is native and several times faster. Anything else
 * goes through @notarize/trust's reference implementation.
 */
import { canonicalize } from '@notarize/trust';

function inCanonicalOrder(value: unknown, depth: number): boolean {
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
      if (Array.isArray(value)) return value.every((v) => inCanonicalOrder(v, depth + 1));
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      let previous: string | undefined;
      for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
        // JSON.stringify drops undefined members, canonicalize too; keep the slow path for them.
        if (member === undefined) return false;
        if (previous !== undefined && !(previous < key)) return false;
        previous = key;
        if (!inCanonicalOrder(member, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

export function canonicalText(value: unknown): string {
  return inCanonicalOrder(value, 0) ? JSON.stringify(value) : canonicalize(value);
}

const encoder = new TextEncoder();
export const canonicalUtf8 = (value: unknown): Uint8Array => encoder.encode(canonicalText(value));
