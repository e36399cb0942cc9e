/**
 * A small in-memory Merkle tree with a signing key, for testing the client's verification
 * directly: entries are plain JSON objects hashed from their canonical bytes (as the client does),
 * proofs come from @notarize/tlog's planners, checkpoints are signed C2SP notes.
 */
import { canonicalBytes } from '@notarize/trust';
import {
  formatCheckpoint,
  generateNoteKey,
  leafHash,
  nodeCoverage,
  noteSignerFromSkey,
  planConsistencyProof,
  planInclusionProof,
  rootFromLeafHashes,
  signNote,
  type Hash,
  type ProofPlan,
} from '@notarize/tlog';

export const b64 = (h: Uint8Array): string => Buffer.from(h).toString('base64');

export class TestTree {
  readonly entries: Record<string, unknown>[];
  readonly leaves: Hash[];

  /** `size` entries; another `seed` gives another tree (a fork) of the same sizes. */
  constructor(size: number, seed = 'honest') {
    this.entries = Array.from({ length: size }, (_, n) => ({ n, seed }));
    this.leaves = this.entries.map((e) => leafHash(canonicalBytes(e)));
  }

  root(size: number): Hash {
    return rootFromLeafHashes(this.leaves.slice(0, size));
  }

  consistency(size1: number, size2: number): Hash[] {
    return this.run(planConsistencyProof(size1, size2));
  }

  inclusion(index: number, size: number): Hash[] {
    return this.run(planInclusionProof(index, size));
  }

  private run(plan: ProofPlan): Hash[] {
    return plan.assemble(
      plan.nodes.map((id) => {
        const { start, count } = nodeCoverage(id);
        return rootFromLeafHashes(this.leaves.slice(start, start + count));
      }),
    );
  }
}

export interface TestKey {
  vkey: string;
  skey: string;
  /** A checkpoint note of (`size`, `root`) for `origin` (default: the key's name), signed. */
  sign(size: number, root: Hash, origin?: string): string;
}

export function testKey(name = 'log.example/test', seed?: Uint8Array): TestKey {
  const { skey, vkey } = generateNoteKey(name, seed);
  const signer = noteSignerFromSkey(skey);
  return {
    vkey,
    skey,
    sign: (size, root, origin = name) =>
      signNote(formatCheckpoint({ origin, size, root, extensions: [] }), signer),
  };
}
