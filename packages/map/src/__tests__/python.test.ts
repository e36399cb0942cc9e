// The second verifier (python/verify_map.py, written from docs/formats.md alone) must agree with
// this package on the golden vectors and on fresh random maps, valid and mutated proofs alike.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VECTORS_PATH, type VectorCase, type Vectors } from '../../scripts/vectors.ts';
import { encodeBase64 } from '../base64.ts';
import { EMPTY_CHAIN } from '../chain.ts';
import { mapKey } from '../key.ts';
import { SparseMerkleMap } from '../tree.ts';
import { encodeValue, valueHash, type MapValue } from '../value.ts';
import { checkCase } from './check-case.ts';
import { flipBit, prng } from './helpers.ts';

const SCRIPT = fileURLToPath(new URL('../../python/verify_map.py', import.meta.url));

interface PyResult {
  name: string;
  ok: boolean;
  error: string | null;
}

function runPython(doc: { cases: VectorCase[] }): PyResult[] {
  const out = execFileSync('python3', [SCRIPT], {
    input: JSON.stringify(doc),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return (JSON.parse(out) as { results: PyResult[] }).results;
}

describe('python verifier', () => {
  it('agrees with every golden vector (reading the file itself)', () => {
    const doc = JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as Vectors;
    const out = execFileSync('python3', [SCRIPT, VECTORS_PATH], { encoding: 'utf8' });
    const results = (JSON.parse(out) as { results: PyResult[] }).results;
    expect(results.length).toBe(doc.cases.length);
    doc.cases.forEach((c, i) => {
      expect({ name: results[i]!.name, ok: results[i]!.ok, error: results[i]!.error }).toEqual({
        name: c.name,
        ok: c.valid,
        error: c.valid ? null : c.error,
      });
    });
  });

  it('agrees with this package on a fresh random map, valid and mutated proofs', () => {
    const seed = Date.now() % 2 ** 31;
    const r = prng(seed);
    const names = ['ci', 'qa', 'Zoë', 'ops "x"\t', '🚀', '\uff5e', 'a\\b', 'x\u0001'];
    const entries: Record<string, MapValue> = {};
    for (let i = 0; i < 400; i++) {
      const kind = r.int(3);
      const lk =
        kind === 0
          ? `subject:sha256:${encodeBase64(r.bytes(12))}`
          : kind === 1
            ? `job:github\nacme/${names[r.int(names.length)]}\n${i}`
            : `identity:${names[r.int(names.length)]}-${i}`;
      const v: MapValue = { n: r.int(1000), chain: encodeBase64(r.bytes(32)) };
      const who = names.filter(() => r.next() < 0.3).sort();
      if (who.length > 0) v.assert = who.map((w) => [w, r.int(2 ** 30)]);
      if (r.next() < 0.2) v.revoke = r.int(2 ** 40);
      entries[lk] = v;
    }
    const map = new SparseMerkleMap();
    for (const [lk, v] of Object.entries(entries)) map.set(mapKey(lk), valueHash(encodeValue(v)));
    const root = encodeBase64(map.root());
    const present = Object.keys(entries);
    const cases: VectorCase[] = [];
    const add = (
      name: string,
      keys: string[],
      values: Record<string, MapValue | null>,
      proof: Uint8Array,
      valid = false,
    ) => cases.push({ name, root, keys, values, proof: encodeBase64(proof), valid });
    const claim = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, entries[k] ?? null]));
    for (let i = 0; i < 60; i++) {
      const keys = Array.from({ length: 1 + r.int(i % 3 === 0 ? 8 : 1) }, () =>
        r.next() < 0.7 ? present[r.int(present.length)]! : `identity:absent-${r.int(1e9)}`,
      );
      const uniq = [...new Set(keys)];
      const proof = map.prove(uniq.map((k) => mapKey(k)));
      add(`random ${i}`, uniq, claim(uniq), proof, true);
      // Mutations: a flipped bit, a dropped last byte, an extra byte, a wrong claim.
      add(`random ${i} flipped`, uniq, claim(uniq), flipBit(proof, r.int(proof.length * 8)));
      add(`random ${i} truncated`, uniq, claim(uniq), proof.subarray(0, proof.length - 1));
      add(`random ${i} trailing`, uniq, claim(uniq), Uint8Array.from([...proof, r.int(4)]));
      const wrong = claim(uniq);
      const k0 = uniq[0]!;
      wrong[k0] = wrong[k0] === null ? { n: 1, chain: encodeBase64(EMPTY_CHAIN) } : null;
      add(`random ${i} wrong claim`, uniq, wrong, proof);
    }
    const py = runPython({ cases });
    const mismatches = cases
      .map((c, i) => ({ name: c.name, ts: checkCase(c), py: py[i]!.ok ? null : py[i]!.error }))
      .filter((x) => x.ts !== x.py);
    expect({ seed, mismatches }).toEqual({ seed, mismatches: [] });
    // The originals verify, every mutation is rejected.
    expect(py.filter((x, i) => x.ok !== cases[i]!.valid)).toEqual([]);
  });
});
