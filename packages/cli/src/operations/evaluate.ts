/**
 * Verified trust decisions: every entry the decision rests on comes from the client with its
 * inclusion proof and checkpoint verified; revocations of the identities involved are read the
 * same way; DSSE envelopes are checked against the policy's keys before `signedBy` rules count
 * them. A failed check throws (exit 20) rather than deciding on unverified data.
 */
import type { LedgerClient, ProvedTree, VerifiedEntry } from '@notarize/client';
import {
  evaluateGate,
  identityDigest,
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
  let tree: ProvedTree | undefined;
  const subjects = [];
  const identities = new Set<string>();
  for (const s of input.subjects) {
    const lookup = await input.client.subject(s.digest, read);
    tree = lookup.tree;
    const entries = await withVerifiedSignatures(lookup.entries.map(indexed), keys);
    for (const e of entries)
      if (e.entry.kind === 'assertion') identities.add(e.entry.identity.name);
    subjects.push({ subject: s.subject, digest: s.digest, entries });
  }
  const revocations: IndexedEntry[] = [];
  for (const name of identities) {
    const lookup = await input.client.subject(await identityDigest(name), read);
    revocations.push(...lookup.entries.filter((e) => e.entry.kind === 'revocation').map(indexed));
  }
  if (!tree) {
    const cp = await input.client.checkpoint();
    tree = { size: cp.size, root: cp.root, rootBase64: cp.rootBase64 };
  }
  const decision = evaluateGate(input.policy, subjects, {
    revocations,
    ...(input.now ? { now: input.now } : {}),
  });
  return { ...decision, checkpoint: { size: tree.size, root: tree.rootBase64 } };
}
