/**
 * Attaching job evidence with the CLI's own operation (`notarize evidence add`): every file is
 * streamed into the ledger's blob store, then one evidence entry per file (name, media type, size,
 * blob digest, the subjects, this job's CI context) is appended, all in one batch.
 */
import type { CiContext } from '@notarize/ci';
import type { LedgerClient } from '@notarize/client';
import { addEvidence, type CommandContext, type EvidenceAddResult } from '@notarize/cli';

/** One row of `notarize evidence add --json` (the receipt itself stays out of outputs). */
export type EvidenceRow = Omit<EvidenceAddResult, 'receipt'>;

export interface AttachEvidenceInput {
  client: LedgerClient;
  files: readonly string[];
  /** The artifacts the evidence is about; none: each file is its own subject. */
  subjects: readonly { subject: string; digest: string }[];
  ci: CiContext;
  ctx: CommandContext;
  metadata?: Record<string, string>;
}

export async function attachEvidence(input: AttachEvidenceInput): Promise<EvidenceRow[]> {
  const results = await addEvidence({
    client: input.client,
    files: input.files,
    cwd: input.ctx.cwd,
    ci: input.ci,
    subjects: input.subjects.map((s) => ({ name: s.subject, digest: s.digest })),
    ...(input.metadata ? { metadata: input.metadata } : {}),
  });
  return results.map(({ receipt: _receipt, ...row }) => row);
}
