// The engine's map takes shortcuts on its append path (map keys hashed from strings, chains and
// value hashes as latin1 text, setLatin1). Its roots, values and proofs must be exactly those
// that @notarize/map's reference functions give for the same entries: that is what every client
// verifies against.
import {
  chainStep,
  EMPTY_CHAIN,
  encodeValue,
  mapKey,
  SparseMerkleMap,
  valueHash,
  verifyMapProof,
  type MapValue,
} from '@notarize/map';
import { LedgerMap, type MapEntry } from '../ledger-map.ts';

const leaf = (i: number) => Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j) & 0xff);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Entries under a few keys, some non-ASCII (UTF-8 in the map key), some repeated. */
function entries(first: number, count: number): MapEntry[] {
  return Array.from({ length: count }, (_, k) => {
    const index = first + k;
    const who = ['ci', 'José', 'scanner-\u{1F512}'][index % 3]!;
    const kind = index % 5 === 4 ? ('revocation' as const) : ('assertion' as const);
    return {
      index,
      leafHash: leaf(index),
      info: {
        keys: [`subject:sha256:${String(index % 7).repeat(64)}`, `identity:${who}`],
        kind,
        identity: who,
      },
    };
  });
}

/** The map by the reference functions: per key, n, the chain, latest assertion per identity. */
function reference(all: MapEntry[]): { root: Uint8Array; values: Map<string, MapValue> } {
  interface State {
    n: number;
    chain: Uint8Array;
    assert: Map<string, number>;
    revoke?: number;
  }
  const state = new Map<string, State>();
  for (const e of all) {
    for (const key of e.info.keys) {
      const s: State = state.get(key) ?? { n: 0, chain: EMPTY_CHAIN, assert: new Map() };
      s.n++;
      s.chain = chainStep(s.chain, e.index, e.leafHash);
      if (key.startsWith('subject:')) {
        if (e.info.kind === 'assertion') s.assert.set(e.info.identity, e.index);
        else if (s.revoke === undefined) s.revoke = e.index;
      }
      state.set(key, s);
    }
  }
  const values = new Map<string, MapValue>();
  const tree = new SparseMerkleMap();
  for (const [key, s] of state) {
    const value: MapValue = { n: s.n, chain: Buffer.from(s.chain).toString('base64') };
    if (s.assert.size > 0) value.assert = [...s.assert].sort(([a], [b]) => (a < b ? -1 : 1));
    if (s.revoke !== undefined) value.revoke = s.revoke;
    values.set(key, value);
    tree.set(mapKey(key), valueHash(encodeValue(value)));
  }
  return { root: tree.root(), values };
}

describe('LedgerMap', () => {
  it('gives the reference roots, values and provable answers batch after batch', () => {
    const map = LedgerMap.empty();
    const all: MapEntry[] = [];
    let next = 0;
    for (const size of [1, 5, 40, 3, 90]) {
      const batch = entries(next, size);
      all.push(...batch);
      next += size;
      const prepared = map.prepare(batch, next);
      const ref = reference(all);
      expect(hex(prepared.root)).toBe(hex(ref.root));
      expect(prepared.keys).toBe(ref.values.size);
      prepared.adopt();
      next++; // the map head's index
      const keys = [...ref.values.keys(), 'subject:sha256:absent'];
      const answer = map.answer(keys);
      expect(answer.values).toEqual([...ref.values.values(), undefined]);
      const proved = verifyMapProof(
        ref.root,
        keys.map((k) => mapKey(k)),
        answer.proof,
      );
      expect(proved.filter((p) => p.valueHash !== undefined)).toHaveLength(ref.values.size);
    }
  });

  it('refuses a lookup key that UTF-8 cannot carry, and changes nothing', () => {
    const map = LedgerMap.empty();
    const bad: MapEntry = {
      index: 0,
      leafHash: leaf(0),
      info: { keys: ['identity:\ud800'], kind: 'assertion', identity: 'x' },
    };
    expect(() => map.prepare([bad], 1)).toThrow(
      expect.objectContaining({ code: 'MAP_INPUT_INVALID' }),
    );
    expect(map.keys).toBe(0);
  });
});
