/**
 * Verified trust decisions: every entry the decision rests on comes from the client with its
 * inclusion proof and checkpoint verified; revocations of the identities involved are read the
 * same way; DSSE envelopes are checked against the policy's keys before `signedBy` rules count
 * them. A failed check throws (exit 20) rather than deciding on unverified data.
 */
import type { LedgerClient, ProvedTree, VerifiedEntry } from '@notarize/client';
import {
  evaluateGate,
  withVerifiedSignatures,
  type GateDecision,
  type IndexedEntry,
  type Policy,
  type PublicKey,
} from '@notarize/trust';

export interface EvaluateInput {
  client: LedgerClient;
  subjects: readonly { subject: string; digest: string }[];
  policy: Policy;
  /** Extra public keys to verify envelopes with (besides the policy's own PEM keys). */
  keys?: readonly PublicKey[];
  at?: number;
  now?: Date;
}

export interface GateReport extends GateDecision {
  checkpoint: { size: number; root: string };
}

const indexed = (e: VerifiedEntry): IndexedEntry => ({ index: e.index, entry: e.entry });

export async function evaluate(input: EvaluateInput): Promise<GateReport> {
  const read = input.at !== undefined ? { at: input.at } : {};
  const keys = [...input.policy.keys, ...(input.keys ?? [])];
  // One answer for every subject, proved complete by the ledger's lookup map: each identity's
  // latest assertion and the revocations of those identities — all that resolution reads.
  const answer = await input.client.statuses(
    input.subjects.map((s) => s.digest),
    read,
  );
  const byDigest = new Map(answer.subjects.map((s) => [s.digest, s.entries]));
  const subjects = [];
  for (const s of input.subjects) {
    const latest = byDigest.get(s.digest) ?? [];
    const entries = await withVerifiedSignatures(latest.map(indexed), keys);
    subjects.push({ subject: s.subject, digest: s.digest, entries });
  }
  const decision = evaluateGate(input.policy, subjects, {
    revocations: answer.revocations.map(indexed),
    ...(input.now ? { now: input.now } : {}),
  });
  const tree: ProvedTree = answer.tree;
  return { ...decision, checkpoint: { size: tree.size, root: tree.rootBase64 } };
}
