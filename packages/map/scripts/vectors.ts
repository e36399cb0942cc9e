// Generates testdata/vectors.json: a small map of realistic lookup keys and values, its root, and
// proofs (single and batch, present and absent keys) with expected results, plus invalid proofs
// and claims with the error a verifier must report. Deterministic, so the golden test can check
// that the committed file is what the code produces:
//   node packages/map/scripts/vectors.ts            (writes the file; Node 24, as npm scripts run)
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  chainStep,
  EMPTY_CHAIN,
  EMPTY_NODE,
  encodeBase64,
  mapKey,
  SparseMerkleMap,
  encodeValue,
  valueHash,
  type MapValue,
  type MapErrorCode,
} from '../src/index.ts';
import { sha256 } from '@noble/hashes/sha2.js';

export interface VectorCase {
  name: string;
  root: string;
  keys: string[];
  /** The claimed answer per lookup key: its value, or null for "absent". */
  values: Record<string, MapValue | null>;
  proof: string;
  valid: boolean;
  /** For invalid cases: the code a verifier reports (MAP_VALUE_MISMATCH = proof fine, claim wrong). */
  error?: MapErrorCode | 'MAP_VALUE_MISMATCH';
  reason?: string;
}

export interface Vectors {
  description: string;
  entries: Record<string, MapValue>;
  root: string;
  cases: VectorCase[];
}

const te = new TextEncoder();
/** A stand-in RFC 9162 leaf hash for log entry `i`: SHA-256(0x00 || "entry <i>"). */
const leafHashOf = (i: number) => sha256(Uint8Array.of(0, ...te.encode(`entry ${i}`)));

function chainOf(indexes: number[]): string {
  let c = EMPTY_CHAIN;
  for (const i of indexes) c = chainStep(c, i, leafHashOf(i));
  return encodeBase64(c);
}

const hex64 = (n: number) =>
  sha256(te.encode(`artifact ${n}`)).reduce((s, b) => s + b.toString(16).padStart(2, '0'), '');

/** The map of the vectors: lookup key -> value. */
export function vectorEntries(): Record<string, MapValue> {
  return {
    [`subject:sha256:${hex64(1)}`]: {
      n: 3,
      chain: chainOf([1, 4, 9]),
      assert: [
        ['ci', 4],
        ['qa-alice', 9],
      ],
    },
    [`subject:sha256:${hex64(2)}`]: {
      n: 4,
      chain: chainOf([2, 5, 11, 12]),
      assert: [
        ['ci', 2],
        ['ops "night"\tteam é', 11],
        ['scanner', 5],
      ],
      revoke: 12,
    },
    [`subject:sha256:${hex64(3)}`]: { n: 1, chain: chainOf([3]), assert: [['ci', 3]] },
    [`subject:sha256:${hex64(4)}`]: { n: 1, chain: chainOf([6]), revoke: 6 },
    'job:github\nacme/widgets\n2001/1/build': { n: 2, chain: chainOf([1, 2]) },
    'job:gitlab\ngroup/proj\n77': { n: 1, chain: chainOf([3]) },
    'identity:ci': { n: 3, chain: chainOf([2, 3, 4]) },
    'identity:qa-alice': { n: 1, chain: chainOf([9]) },
    'identity:ops "night"\tteam é': { n: 1, chain: chainOf([11]) },
    'identity:scanner': { n: 1, chain: chainOf([5]) },
    'identity:zoë-🚀': { n: 0, chain: encodeBase64(EMPTY_CHAIN) },
  };
}

/** Byte-level proof writer for hand-crafted invalid proofs. */
const bytes = (...parts: (number | Uint8Array)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'number' ? [p] : [...p])));

export function buildVectors(): Vectors {
  const entries = vectorEntries();
  const map = new SparseMerkleMap();
  for (const [lk, v] of Object.entries(entries)) map.set(mapKey(lk), valueHash(encodeValue(v)));
  const root = encodeBase64(map.root());
  const lookupKeys = Object.keys(entries);
  const absent = ['subject:sha256:' + hex64(99), 'identity:nobody', 'job:github\nacme/widgets\n1'];
  const cases: VectorCase[] = [];
  const claim = (keys: string[]) =>
    Object.fromEntries(keys.map((k) => [k, entries[k] ?? null])) as Record<string, MapValue | null>;
  const proofOf = (keys: string[]) => map.prove(keys.map((k) => mapKey(k)));
  const add = (name: string, keys: string[], extra: Partial<VectorCase> = {}) =>
    cases.push({
      name,
      root,
      keys,
      values: claim(keys),
      proof: encodeBase64(proofOf(keys)),
      valid: true,
      ...extra,
    });

  for (const lk of lookupKeys) add(`present: ${JSON.stringify(lk)}`, [lk]);
  for (const lk of absent) add(`absent: ${JSON.stringify(lk)}`, [lk]);
  add('batch: every present key', lookupKeys);
  add('batch: present and absent keys', [lookupKeys[1]!, absent[0]!, lookupKeys[6]!, absent[1]!]);
  add('batch: absent keys only', absent);

  // Maps of size 0 and 1, where the root is EMPTY or a leaf node hash.
  const one = new SparseMerkleMap();
  const only = lookupKeys[0]!;
  one.set(mapKey(only), valueHash(encodeValue(entries[only]!)));
  cases.push({
    name: 'empty map: absent key',
    root: encodeBase64(EMPTY_NODE),
    keys: [only],
    values: { [only]: null },
    proof: encodeBase64(Uint8Array.of(0x02)),
    valid: true,
  });
  cases.push({
    name: 'one-leaf map: the key',
    root: encodeBase64(one.root()),
    keys: [only],
    values: { [only]: entries[only]! },
    proof: encodeBase64(one.prove([mapKey(only)])),
    valid: true,
  });
  cases.push({
    name: 'one-leaf map: another key (absent, shown by the other leaf)',
    root: encodeBase64(one.root()),
    keys: [absent[0]!],
    values: { [absent[0]!]: null },
    proof: encodeBase64(one.prove([mapKey(absent[0]!)])),
    valid: true,
  });

  // Invalid proofs and claims.
  const k0 = lookupKeys[0]!;
  const p0 = proofOf([k0]);
  const bad = (
    name: string,
    error: VectorCase['error'],
    reason: string,
    proof: Uint8Array,
    over: Partial<VectorCase> = {},
  ) =>
    cases.push({
      name,
      root,
      keys: [k0],
      values: claim([k0]),
      proof: encodeBase64(proof),
      valid: false,
      error,
      reason,
      ...over,
    });
  bad('truncated', 'MAP_PROOF_MALFORMED', 'last byte missing', p0.subarray(0, p0.length - 1));
  bad('trailing byte', 'MAP_PROOF_MALFORMED', 'one byte after the walk', bytes(p0, 0x02));
  bad('unknown tag', 'MAP_PROOF_MALFORMED', 'first tag 0x07', bytes(0x07, p0.subarray(1)));
  bad(
    'hash tag where a key is requested',
    'MAP_PROOF_MALFORMED',
    'the walk must descend to the requested key; 0x03 + the root claims nothing',
    bytes(0x03, map.root()),
  );
  const flipped = p0.slice();
  flipped[p0.length - 1]! ^= 1;
  bad('flipped bit', 'MAP_ROOT_MISMATCH', 'last bit of the proof flipped', flipped);
  bad(
    'proof for another root',
    'MAP_ROOT_MISMATCH',
    'a valid proof in the one-leaf map',
    one.prove([mapKey(k0)]),
  );
  bad('wrong value claimed', 'MAP_VALUE_MISMATCH', 'the proof is valid, the claimed n is not', p0, {
    values: { [k0]: { ...entries[k0]!, n: entries[k0]!.n + 1 } },
  });
  bad(
    'present key claimed absent',
    'MAP_VALUE_MISMATCH',
    'an omission: the key is in the map',
    p0,
    {
      values: { [k0]: null },
    },
  );
  bad(
    'absent key claimed present',
    'MAP_VALUE_MISMATCH',
    'the proof shows absence',
    proofOf([absent[1]!]),
    {
      keys: [absent[1]!],
      values: { [absent[1]!]: entries[k0]! },
    },
  );
  bad(
    'invalid value: unknown member',
    'MAP_VALUE_INVALID',
    'values have exactly the members n, chain, assert, revoke',
    p0,
    { values: { [k0]: { ...entries[k0]!, extra: 1 } as MapValue } },
  );
  bad(
    'invalid value: unsorted assert',
    'MAP_VALUE_INVALID',
    'assert pairs are sorted by identity name',
    p0,
    { values: { [k0]: { ...entries[k0]!, assert: [...entries[k0]!.assert!].reverse() } } },
  );

  // Two leaves differing in bit 0: a leaf placed on the wrong side is off its position.
  const two = new SparseMerkleMap();
  let a = mapKey('a');
  let b = mapKey('b');
  for (let i = 0; a[0]! >> 7 === b[0]! >> 7; i++) b = mapKey(`b${i}`);
  if (a[0]! >> 7 === 1) [a, b] = [b, a];
  const lookupA = [...['a'], ...Array.from({ length: 1000 }, (_, i) => `b${i}`)].find((s) =>
    mapKey(s).every((x, i) => x === a[i]),
  )!;
  const vh = valueHash(encodeValue({ n: 1, chain: chainOf([0]) }));
  two.set(a, vh);
  two.set(b, vh);
  cases.push({
    name: 'leaf off its position',
    root: encodeBase64(two.root()),
    keys: [lookupA],
    values: { [lookupA]: null },
    proof: encodeBase64(bytes(0x00, 0x01, b, vh, 0x03, sha256(bytes(0x02, a, vh)))),
    valid: false,
    error: 'MAP_PROOF_MALFORMED',
    reason: 'the leaf of a key with bit 0 = 1 given as the left child of the root',
  });
  // A chain of 256 inner nodes down the requested key's path, then one more: depth 256 has no bit.
  const k = mapKey(k0);
  const deep: number[] = [];
  const walk = (d: number) => {
    deep.push(0x00);
    if (d === 255) {
      deep.push(0x00);
      return;
    }
    if (((k[d >> 3]! >> (7 - (d & 7))) & 1) === 0) {
      walk(d + 1);
      deep.push(0x02);
    } else {
      deep.push(0x02);
      walk(d + 1);
    }
  };
  walk(0);
  bad(
    'inner node at depth 256',
    'MAP_PROOF_MALFORMED',
    '257 inner tags on one path',
    Uint8Array.from(deep),
  );

  return {
    description:
      'Lookup map test vectors (docs/formats.md, "Lookup map"). entries: lookup key -> value; ' +
      'root: base64 map root of entries. Each case: root, requested lookup keys, the claimed ' +
      'values (null = absent), base64 proof; valid, or the error a verifier reports. ' +
      'Generated by packages/map/scripts/vectors.ts.',
    entries,
    root,
    cases,
  };
}

export const VECTORS_PATH = fileURLToPath(new URL('../testdata/vectors.json', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // Formatted as the repository's prettier would, so `prettier --check` passes on the output.
  const { format, resolveConfig } = await import('prettier');
  const options = { ...(await resolveConfig(VECTORS_PATH)), parser: 'json' };
  writeFileSync(VECTORS_PATH, await format(JSON.stringify(buildVectors()), options));
  console.log(`wrote ${VECTORS_PATH}`);
}
