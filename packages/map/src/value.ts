import { decodeBase64 } from './base64.ts';
import { canonicalInteger, canonicalString, compareUtf16 } from './canonical-json.ts';
import { MapError } from './errors.ts';
import { toLatin1 } from './latin1.ts';
import { defaultSha256, HASH_SIZE, VALUE_PREFIX, type Hash, type Sha256 } from './hash.ts';

/**
 * What the map holds for one lookup key as of a tree size:
 * - `n`: how many log entries are filed under the key;
 * - `chain`: base64 of the entry chain hash over them (see chain.ts), so the list is complete;
 * - `assert`: per identity, the index of its latest `assertion` entry naming the subject, sorted
 *   by identity name (UTF-16 order), so a gate needs only those entries, not every assertion;
 * - `revoke`: the index of the earliest `revocation` entry naming the subject.
 */
export interface MapValue {
  n: number;
  chain: string;
  assert?: [string, number][];
  revoke?: number;
}

const MEMBERS = new Set(['n', 'chain', 'assert', 'revoke']);

function invalid(message: string): MapError {
  return new MapError('MAP_VALUE_INVALID', `map value: ${message}`);
}

function isIndex(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** Throws MAP_VALUE_INVALID unless `v` has exactly the shape and invariants of a MapValue. */
function checkValue(v: unknown): asserts v is MapValue {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid('not an object');
  for (const k of Object.keys(v)) if (!MEMBERS.has(k)) throw invalid(`unknown member "${k}"`);
  const o = v as Record<string, unknown>;
  if (!isIndex(o.n)) throw invalid('"n" must be a non-negative safe integer');
  const chain = typeof o.chain === 'string' ? decodeBase64(o.chain) : undefined;
  if (chain?.length !== HASH_SIZE) throw invalid('"chain" must be canonical base64 of 32 bytes');
  if ('assert' in o && o.assert !== undefined) {
    const a = o.assert;
    // Absent and empty would be two encodings of "no assertions"; only absence is allowed.
    if (!Array.isArray(a) || a.length === 0) throw invalid('"assert" must be a non-empty array');
    a.forEach((pair: unknown, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) throw invalid(`"assert"[${i}] not a pair`);
      const [name, index] = pair as unknown[];
      if (typeof name !== 'string' || !name.isWellFormed()) {
        throw invalid(`"assert"[${i}] identity must be a well-formed string`);
      }
      if (!isIndex(index)) throw invalid(`"assert"[${i}] index must be a non-negative integer`);
      if (i > 0 && compareUtf16((a[i - 1] as [string])[0], name) >= 0) {
        throw invalid('"assert" must be sorted by identity name, one pair per identity');
      }
    });
  }
  if ('revoke' in o && o.revoke !== undefined && !isIndex(o.revoke)) {
    throw invalid('"revoke" must be a non-negative safe integer');
  }
}

const utf8Encoder = new TextEncoder();

function canonicalText(v: MapValue): string {
  // Members in RFC 8785 order: "assert" < "chain" < "n" < "revoke".
  const parts: string[] = [];
  if (v.assert !== undefined) {
    const pairs = v.assert.map(([name, i]) => `[${canonicalString(name)},${canonicalInteger(i)}]`);
    parts.push(`"assert":[${pairs.join(',')}]`);
  }
  parts.push(`"chain":${canonicalString(v.chain)}`);
  parts.push(`"n":${canonicalInteger(v.n)}`);
  if (v.revoke !== undefined) parts.push(`"revoke":${canonicalInteger(v.revoke)}`);
  return `{${parts.join(',')}}`;
}

/** RFC 8785 canonical JSON (UTF-8) of a map value; throws MAP_VALUE_INVALID for a bad shape. */
export function encodeValue(v: MapValue): Uint8Array {
  checkValue(v);
  return utf8Encoder.encode(canonicalText(v));
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Parses map value bytes strictly: valid UTF-8, the exact shape, and the bytes must be the
 * canonical encoding (re-encoding gives them back), so one value has exactly one value hash.
 */
export function decodeValue(bytes: Uint8Array): MapValue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(bytes));
  } catch {
    throw invalid('not UTF-8 JSON');
  }
  checkValue(parsed);
  const v: MapValue = { n: parsed.n, chain: parsed.chain };
  if (parsed.assert !== undefined) v.assert = parsed.assert.map(([s, i]) => [s, i]);
  if (parsed.revoke !== undefined) v.revoke = parsed.revoke;
  const again = utf8Encoder.encode(canonicalText(v));
  if (again.length !== bytes.length || again.some((b, i) => b !== bytes[i])) {
    throw invalid('not in canonical form (RFC 8785)');
  }
  return v;
}

/** SHA-256(0x05 || bytes): what a leaf commits to. */
export function valueHash(bytes: Uint8Array, sha: Sha256 = defaultSha256): Hash {
  if (!(bytes instanceof Uint8Array)) throw new MapError('MAP_INPUT_INVALID', 'bytes expected');
  return sha([Uint8Array.of(VALUE_PREFIX), bytes]);
}

/** valueHash() as a 32-char latin1 string (latin1.ts), with `sha.latin1` when the hasher has it. */
export function valueHashLatin1(bytes: Uint8Array, sha: Sha256 = defaultSha256): string {
  if (!(bytes instanceof Uint8Array)) throw new MapError('MAP_INPUT_INVALID', 'bytes expected');
  const input = new Uint8Array(1 + bytes.length);
  input[0] = VALUE_PREFIX;
  input.set(bytes, 1);
  return sha.latin1 ? sha.latin1(input) : toLatin1(sha([input]));
}
