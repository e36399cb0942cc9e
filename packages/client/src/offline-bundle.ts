/**
 * The offline bundle (`trust --bundle FILE`, the actions' `bundle-path`): everything needed to
 * check, without the ledger, that the written entries are in its log and what every identity
 * asserted about the subjects as of that moment, proved complete. Per subject it holds the
 * receipts of the entries written (C2SP tlog-proof: inclusion proof and signed checkpoint) and the
 * ledger's status answer as served (map head, map proof, each identity's latest assertion and the
 * revocations, each with its inclusion proof). `verifyOfflineBundle` checks all of it against a
 * pinned ledger key: the same verification an online `status` makes, minus consistency with a
 * later state, which an air-gapped reader does not have.
 */
import { verifyTlogProof } from '@notarize/tlog';
import { canonicalBytes, type LedgerEntry } from '@notarize/trust';
import { LedgerClientError, verificationError } from './errors.ts';
import { fastNoteVerifier } from './fast-note-verifier.ts';
import type { LedgerClient, Receipt, VerifiedStatuses } from './ledger-client.ts';
import { verifyStatuses } from './lookup-verify.ts';
import { MemoryStateStore } from './state.ts';
import { leafHash, LedgerVerifier } from './verifier.ts';
import { parseBundle, type WireBundle } from './wire.ts';

export const OFFLINE_BUNDLE_TYPE = 'application/vnd.notarize.bundle.v1+json';

export interface OfflineBundle {
  mediaType: typeof OFFLINE_BUNDLE_TYPE;
  /** The ledger's origin (its checkpoints' first line). */
  origin: string;
  /** The subjects, as named when written, with their digests. */
  subjects: { subject: string; digest: string }[];
  /** The entries written, each with its C2SP tlog-proof. */
  receipts: { entry: LedgerEntry; tlogProof: string }[];
  /** The ledger's status answer for the subjects' digests, as served, proved complete. */
  status: WireBundle;
}

export interface VerifiedOfflineBundle {
  subjects: { subject: string; digest: string }[];
  receipts: { index: number; entry: LedgerEntry; treeSize: number }[];
  statuses: VerifiedStatuses;
}

/** The bundle of a write: its receipts and the status answer read right after it. */
export function offlineBundle(
  origin: string,
  subjects: readonly { subject: string; digest: string }[],
  receipts: readonly Receipt[],
  statuses: VerifiedStatuses,
): OfflineBundle {
  const [status] = statuses.proof ?? [];
  if (!status || (statuses.proof?.length ?? 0) !== 1) {
    throw new LedgerClientError(
      'ARGUMENT_INVALID',
      'input',
      'a bundle holds one status answer: too many subjects for one lookup',
    );
  }
  return {
    mediaType: OFFLINE_BUNDLE_TYPE,
    origin,
    subjects: subjects.map(({ subject, digest }) => ({ subject, digest })),
    receipts: receipts.map((r) => ({ entry: r.entry, tlogProof: r.tlogProof })),
    status,
  };
}

/**
 * The bundle of a write, read right after it: the subjects' status as of the tree the receipts
 * are in (every identity's latest assertion there, proved complete).
 */
export async function readOfflineBundle(
  client: LedgerClient,
  subjects: readonly { subject: string; digest: string }[],
  receipts: readonly Receipt[],
): Promise<OfflineBundle> {
  const first = receipts[0];
  if (!first) throw new LedgerClientError('ARGUMENT_INVALID', 'input', 'no receipts to bundle');
  const at = Math.max(...receipts.map((r) => r.checkpoint.size));
  const statuses = await client.statuses(
    subjects.map((s) => s.digest),
    { at },
  );
  return offlineBundle(first.checkpoint.origin, subjects, receipts, statuses);
}

const invalid = (what: string) =>
  new LedgerClientError(
    'BUNDLE_INVALID',
    'input',
    `not a notarize bundle (${OFFLINE_BUNDLE_TYPE}): ${what}`,
  );

function parseOfflineBundle(value: unknown): OfflineBundle {
  const b = value as Partial<OfflineBundle> | null;
  if (typeof b !== 'object' || b === null) throw invalid('not a JSON object');
  if (b.mediaType !== OFFLINE_BUNDLE_TYPE) throw invalid(`mediaType is not ${OFFLINE_BUNDLE_TYPE}`);
  if (typeof b.origin !== 'string') throw invalid('no origin');
  const digest = /^sha256:[0-9a-f]{64}$/;
  if (
    !Array.isArray(b.subjects) ||
    b.subjects.length === 0 ||
    !b.subjects.every((s) => typeof s?.subject === 'string' && digest.test(String(s?.digest)))
  ) {
    throw invalid('"subjects" must list {subject, digest: sha256:<hex>}');
  }
  if (
    !Array.isArray(b.receipts) ||
    !b.receipts.every((r) => typeof r?.entry === 'object' && typeof r?.tlogProof === 'string')
  ) {
    throw invalid('"receipts" must list {entry, tlogProof}');
  }
  return { ...(b as OfflineBundle), status: parseBundle(b.status) };
}

/**
 * Verifies a bundle against the ledger key `vkey`: every receipt's inclusion proof and signed
 * checkpoint, and the status answer's checkpoint, map proof and entries (nothing left out or
 * added). Malformed input is an 'input' error; any failed check a 'verification' error.
 */
export async function verifyOfflineBundle(
  value: unknown,
  vkey: string,
): Promise<VerifiedOfflineBundle> {
  const bundle = parseOfflineBundle(value);
  const verifier = new LedgerVerifier(vkey, new MemoryStateStore());
  if (bundle.origin !== verifier.origin) {
    throw verificationError(
      'ORIGIN_MISMATCH',
      `the bundle is from the ledger "${bundle.origin}", the key is for "${verifier.origin}"`,
    );
  }
  const receipts = bundle.receipts.map((r, i) => {
    const leaf = leafHash(canonicalBytes(r.entry));
    try {
      const proved = verifyTlogProof(r.tlogProof, leaf, [fastNoteVerifier(vkey)], verifier.origin);
      return { index: proved.index, entry: r.entry, treeSize: proved.checkpoint.size };
    } catch (error) {
      throw verificationError(
        'RECEIPT_INVALID',
        `receipt ${i} does not prove its entry in the ledger's signed log: ${(error as Error).message}`,
        { cause: error },
      );
    }
  });
  const digests = bundle.subjects.map((s) => s.digest);
  // No consistency source offline: the status answer's checkpoint is checked on its own (a
  // fresh verifier trusts no earlier tree, so none is asked for).
  const statuses = await verifyStatuses(
    verifier,
    (note) =>
      verifier.checkpoint(note, async () => {
        throw verificationError('CONSISTENCY_FAILED', 'no consistency proof offline');
      }),
    bundle.status,
    digests,
    bundle.status.tree.size,
    0,
  );
  const subjects = new Set(digests);
  for (const r of receipts) {
    // A receipt's entry must be about a subject of the bundle and within the proved tree.
    const named = r.entry.statement.subject.some((s) =>
      subjects.has(`sha256:${s.digest.sha256 ?? ''}`),
    );
    if (!named || r.index >= statuses.tree.size) {
      throw verificationError(
        'BUNDLE_MISMATCH',
        `receipt for entry ${r.index} is not about the bundle's subjects as of tree size ${statuses.tree.size}`,
      );
    }
  }
  return { subjects: bundle.subjects, receipts, statuses };
}
