/**
 * Verified trust decisions: every entry the decision rests on comes from the client with its
 * inclusion proof and checkpoint verified; revocations of the identities involved are read the
 * same way; DSSE envelopes are checked against the policy's keys before `signedBy` rules count
 * them. A failed check throws (exit 20) rather than deciding on unverified data.
 */
import type { LedgerClient, ProvedTree, VerifiedEntry, VerifiedStatuses } from '@notarize/client';
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
  /**
   * As of a size before the ledger's first map head, decide on what can only be proved included,
   * not complete (the report says so). Without it such a read is refused.
   */
  acceptIncomplete?: boolean;
  now?: Date;
}

export interface GateReport extends Omit<GateDecision, 'subjects'> {
  /** Per subject; `name` is the name the ledger's newest assertion on the digest gives it. */
  subjects: (GateDecision['subjects'][number] & { name?: string })[];
  checkpoint: { size: number; root: string };
  /** Present (false) when the answer could not be proved complete (`acceptIncomplete`). */
  complete?: false;
}

const indexed = (e: VerifiedEntry): IndexedEntry => ({ index: e.index, entry: e.entry });

export async function evaluate(input: EvaluateInput): Promise<GateReport> {
  const read = input.at !== undefined ? { at: input.at } : {};
  // One answer for every subject, proved complete by the ledger's lookup map: each identity's
  // latest assertion and the revocations of those identities — all that resolution reads.
  let answer: StatusAnswer;
  let complete = true;
  try {
    answer = await input.client.statuses(
      input.subjects.map((s) => s.digest),
      read,
    );
  } catch (error) {
    if (!(input.acceptIncomplete && input.at !== undefined && isUnprovable(error))) throw error;
    answer = await unprovedStatuses(input.client, input.subjects, input.at);
    complete = false;
  }
  return decideOn(input, answer, complete);
}

/**
 * The decision on a status answer already verified (read from the ledger, or from an offline
 * bundle by `notarize verify --bundle`): envelopes checked against the keys, then the policy.
 */
export async function decideOn(
  input: Pick<EvaluateInput, 'subjects' | 'policy' | 'keys' | 'now'>,
  answer: StatusAnswer,
  complete = true,
): Promise<GateReport> {
  const keys = [...input.policy.keys, ...(input.keys ?? [])];
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
  return {
    ...decision,
    subjects: decision.subjects.map((d) => {
      const name = recordedName(byDigest.get(d.digest) ?? [], d.digest);
      return name === undefined ? d : { ...d, name };
    }),
    checkpoint: { size: tree.size, root: tree.rootBase64 },
    ...(complete ? {} : { complete: false as const }),
  };
}

/** The subject name of the newest entry that gives `digest` a name (for bare-digest subjects). */
function recordedName(entries: readonly VerifiedEntry[], digest: string): string | undefined {
  const hex = digest.slice('sha256:'.length);
  let newest: { index: number; name: string } | undefined;
  for (const e of entries) {
    // A name that is only the digest again (a subject given as sha256:…) names nothing.
    const named = e.entry.statement.subject.find(
      (s) => s.digest.sha256 === hex && !!s.name && !s.name.startsWith('sha256:'),
    );
    if (named?.name && (!newest || e.index > newest.index))
      newest = { index: e.index, name: named.name };
  }
  return newest?.name;
}

export type StatusAnswer = Pick<VerifiedStatuses, 'tree' | 'subjects' | 'revocations'>;

const isUnprovable = (error: unknown): boolean =>
  (error as { serviceCode?: unknown }).serviceCode === 'AT_NOT_PROVABLE';

/**
 * Before the ledger's first map head: every entry of each subject and of each identity's
 * revocation subject, each proved included (the client refuses this where the tree ends with a
 * map head). What resolution reads is the same; only completeness is not proved.
 */
async function unprovedStatuses(
  client: LedgerClient,
  subjects: readonly { digest: string }[],
  at: number,
): Promise<StatusAnswer> {
  const read = { at, acceptIncomplete: true };
  let tree: ProvedTree | undefined;
  const out: StatusAnswer['subjects'] = [];
  const identities = new Set<string>();
  for (const digest of new Set(subjects.map((s) => s.digest))) {
    const lookup = await client.subject(digest, read);
    tree = lookup.tree;
    for (const e of lookup.entries) {
      if (e.entry.kind === 'assertion') identities.add(e.entry.identity.name);
    }
    out.push({ digest, entries: lookup.entries });
  }
  const revocations: VerifiedEntry[] = [];
  for (const name of [...identities].sort()) {
    const lookup = await client.subject(await identityDigest(name), read);
    revocations.push(...lookup.entries.filter((e) => e.entry.kind === 'revocation'));
  }
  if (!tree) throw new Error('no subjects to decide on');
  return { tree, subjects: out, revocations };
}
