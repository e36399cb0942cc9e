// How a client checks a vector case: map keys of the lookup keys, canonical value -> value hash,
// proof verification, then the proved answer against the claimed one.
import type { VectorCase } from '../../scripts/vectors.ts';
import { decodeBase64 } from '../base64.ts';
import { MapError } from '../errors.ts';
import { hashEquals } from '../hash.ts';
import { mapKey } from '../key.ts';
import { encodeValue, valueHash } from '../value.ts';
import { verifyMapProof } from '../verify.ts';

/** Checks a case the way a client checks an answer; returns null or the error code. */
export function checkCase(c: VectorCase): string | null {
  try {
    const root = decodeBase64(c.root)!;
    const proof = decodeBase64(c.proof)!;
    const want = c.keys.map((lk) => {
      const v = c.values[lk];
      return {
        key: mapKey(lk),
        vh: v === null || v === undefined ? undefined : valueHash(encodeValue(v)),
      };
    });
    const got = verifyMapProof(
      root,
      want.map((w) => w.key),
      proof,
    );
    for (const w of want) {
      const r = got.find((g) => hashEquals(g.key, w.key))!;
      const same =
        r.valueHash === undefined
          ? w.vh === undefined
          : w.vh !== undefined && hashEquals(r.valueHash, w.vh);
      if (!same) return 'MAP_VALUE_MISMATCH';
    }
    return null;
  } catch (e) {
    if (e instanceof MapError) return e.code;
    throw e;
  }
}
