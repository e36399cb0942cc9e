import { TlogError, type TlogErrorCode } from '../errors.ts';
import type { Hash } from '../hash.ts';
import type { NodeId } from '../node-id.ts';
import type { ProofPlan } from '../proof-plan.ts';

export function hex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'hex'));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

export function b64(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'base64'));
}

/** Runs `fn` and returns the TlogError code it threw; fails the test if it did not throw one. */
export function codeOf(fn: () => unknown): TlogErrorCode {
  try {
    fn();
  } catch (e) {
    if (e instanceof TlogError) return e.code;
    throw e;
  }
  throw new Error('expected a TlogError, nothing was thrown');
}

export function flipBit(h: Hash, bit = 0): Hash {
  const out = h.slice();
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

/** A node store filled from CompactRange.append callbacks. */
export class NodeStore {
  readonly map = new Map<string, Hash>();
  put = (id: NodeId, h: Hash): void => {
    const key = `${id.level}/${id.index}`;
    if (this.map.has(key)) throw new Error(`node ${key} emitted twice`);
    this.map.set(key, h);
  };
  get(id: NodeId): Hash {
    const h = this.map.get(`${id.level}/${id.index}`);
    if (!h) throw new Error(`plan asked for node ${id.level}/${id.index}, which is not stored`);
    return h;
  }
  run(plan: ProofPlan): Hash[] {
    return plan.assemble(plan.nodes.map((n) => this.get(n)));
  }
}
