/**
 * Proof assembly from stored perfect subtrees: `@notarize/tlog` plans which O(log n) nodes a
 * proof needs; they come from the store, or, for the receipts of a batch being committed, from
 * the nodes the batch itself produced (no reads on the append path).
 */
import {
  planConsistencyProof,
  planInclusionProof,
  type Hash,
  type NodeId,
  type ProofPlan,
} from '@notarize/tlog';
import { LedgerError } from './errors.ts';
import type { LedgerStore } from './store.ts';

/** Map key of a node: index < 2^47 keeps it an exact integer. */
export function nodeKey(level: number, index: number): number {
  return index * 64 + level;
}

export type NodeMap = Map<number, Hash>;

export function proofFromMap(plan: ProofPlan, nodes: NodeMap): Hash[] {
  const hashes = plan.nodes.map((id: NodeId) => {
    const hash = nodes.get(nodeKey(id.level, id.index));
    if (!hash) {
      throw new LedgerError(
        'STORE_CORRUPT',
        'internal',
        `node (${id.level}, ${id.index}) not in batch`,
      );
    }
    return hash;
  });
  return plan.assemble(hashes);
}

export async function inclusionProof(
  store: LedgerStore,
  index: number,
  size: number,
): Promise<Hash[]> {
  const plan = planInclusionProof(index, size);
  return plan.assemble(await store.readNodes(plan.nodes));
}

export async function consistencyProof(
  store: LedgerStore,
  size1: number,
  size2: number,
): Promise<Hash[]> {
  const plan = planConsistencyProof(size1, size2);
  return plan.assemble(await store.readNodes(plan.nodes));
}
