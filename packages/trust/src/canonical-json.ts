/**
 * RFC 8785 JSON Canonicalization Scheme (JCS). Object members sorted by their names' UTF-16 code
 * units, no white space, numbers and strings serialized as ECMAScript's JSON.stringify does (JCS
 * defines them that way). Values that JSON cannot represent are refused rather than dropped, so
 * two parties can never hash different documents to the same bytes.
 */
export class CanonicalJsonError extends Error {
  readonly code = 'CANONICAL_JSON_INVALID' as const;
  readonly category = 'input' as const;
  constructor(message: string) {
    super(message);
    this.name = 'CanonicalJsonError';
  }
}

export function canonicalize(value: unknown): string {
  // Fast paths first: entries usually arrive already in canonical member order (they were parsed
  // from canonical bytes), and then JCS output equals native JSON.stringify. Otherwise a
  // serializer without path bookkeeping; the reference serializer runs only to explain a refusal.
  if (inCanonicalOrder(value, 0)) return JSON.stringify(value);
  return fastSerialize(value, 0) ?? serialize(value, '$');
}

/** Deeper values take the reference path (no recursion limit there; this one must be cheap). */
const FAST_PATH_DEPTH = 64;

/** True when `value` is plain JSON whose objects list their members in canonical order. */
function inCanonicalOrder(value: unknown, depth: number): boolean {
  if (depth > FAST_PATH_DEPTH) return false;
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
        // A for loop sees holes as undefined (not JSON), where every() would skip them.
        for (let i = 0; i < value.length; i++) {
          if (!inCanonicalOrder(value[i], depth + 1)) return false;
        }
        return true;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      const record = value as Record<string, unknown>;
      let previous: string | undefined;
      for (const key of Object.keys(record)) {
        if (previous !== undefined && !(previous < key)) return false;
        previous = key;
        // An undefined member is dropped by both; keep it on the slow path to stay simple.
        const member = record[key];
        if (member === undefined || !inCanonicalOrder(member, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** JCS output, or undefined where the reference serializer would refuse (it says why). */
function fastSerialize(value: unknown, depth: number): string | undefined {
  if (depth > FAST_PATH_DEPTH) return undefined;
  switch (typeof value) {
    case 'string':
      return value.isWellFormed() ? JSON.stringify(value) : undefined;
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : undefined;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      const parts: string[] = [];
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item = fastSerialize(value[i], depth + 1);
          if (item === undefined) return undefined;
          parts.push(item);
        }
        return `[${parts.join(',')}]`;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return undefined;
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record).sort()) {
        const member = record[key];
        if (member === undefined) continue;
        const text = fastSerialize(member, depth + 1);
        if (text === undefined) return undefined;
        parts.push(`${JSON.stringify(key)}:${text}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      return undefined;
  }
}

const encoder = new TextEncoder();

/** The canonical UTF-8 bytes of `value`. */
export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalize(value));
}

function serialize(value: unknown, where: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) {
        throw new CanonicalJsonError(`${where}: ${value} is not a JSON number`);
      }
      return JSON.stringify(value);
    case 'string':
      if (!value.isWellFormed()) {
        throw new CanonicalJsonError(`${where}: string holds a lone UTF-16 surrogate`);
      }
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        // Array.from visits holes as undefined, which is refused below (JSON has no holes).
        return `[${Array.from(value, (v: unknown, i) => serialize(v, `${where}[${i}]`)).join(',')}]`;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        throw new CanonicalJsonError(`${where}: only plain objects can be canonicalized`);
      }
      const record = value as Record<string, unknown>;
      const members: string[] = [];
      for (const key of Object.keys(record).sort()) {
        const member = record[key];
        if (member === undefined) continue; // JSON.stringify drops undefined members too
        members.push(`${JSON.stringify(key)}:${serialize(member, `${where}.${key}`)}`);
      }
      return `{${members.join(',')}}`;
    }
    default:
      throw new CanonicalJsonError(`${where}: a ${typeof value} is not JSON`);
  }
}
