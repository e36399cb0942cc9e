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
  return serialize(value, '$');
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
        return `[${value.map((v, i) => serialize(v, `${where}[${i}]`)).join(',')}]`;
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
