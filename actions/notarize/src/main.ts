/**
 * The notarize action: digests the subjects, appends one assertion per subject (one batch, one
 * checkpoint) with this job's CI context, and attaches the `evidence` files. The same operations
 * as `notarize trust|untrust|unsupport` and `notarize evidence add`.
 */
import { ciContext } from '@notarize/ci';
import { notarize, printable, type NotarizeResult } from '@notarize/cli';
import { actionContext } from '../../shared/src/context.ts';
import { attachEvidence, type EvidenceRow } from '../../shared/src/evidence.ts';
import { readSigningKey } from '../../shared/src/keys.ts';
import { withActionLedger } from '../../shared/src/ledger.ts';
import { setOutputs } from '../../shared/src/outputs.ts';
import { runAction } from '../../shared/src/run-action.ts';
import { digestSubjects } from '../../shared/src/subjects.ts';
import { code, escapeHtml, writeSummary } from '../../shared/src/summary.ts';
import { readNotarizeInputs } from './inputs.ts';

/** The `trust --json` row of docs/cli.md (the receipt itself stays out of outputs). */
export type ReceiptRow = Omit<NotarizeResult, 'receipt'>;

export function run(): Promise<void> {
  const env = process.env;
  return runAction('notarize', async () => {
    const inputs = readNotarizeInputs(env);
    const ctx = actionContext(env);
    const signingKey = inputs.key ? await readSigningKey(inputs.key, ctx) : undefined;
    const ci = ciContext({ env, cwd: ctx.cwd });
    const digests = await digestSubjects(inputs.subjects, ctx);
    const { results, evidence } = await withActionLedger(
      inputs.ledger,
      ctx,
      'write',
      async (client) => {
        const results = await notarize({
          client,
          subjects: digests,
          status: inputs.status,
          metadata: inputs.metadata,
          ci,
          ...(inputs.reason !== undefined ? { reason: inputs.reason } : {}),
          ...(signingKey ? { signingKey } : {}),
        });
        const evidence: EvidenceRow[] =
          inputs.evidence.length > 0
            ? await attachEvidence({ client, files: inputs.evidence, subjects: digests, ci, ctx })
            : [];
        return { results, evidence };
      },
    );
    const receipts: ReceiptRow[] = results.map(({ receipt: _receipt, ...row }) => row);
    const checkpoint = (evidence.at(-1) ?? results.at(-1))?.checkpoint;
    setOutputs({ digests, receipts, checkpoint: checkpoint ?? null });
    for (const r of receipts) {
      ctx.output.print(printable(`${r.status} ${r.subject} ${r.digest} #${r.index}`));
    }
    for (const e of evidence)
      ctx.output.print(printable(`evidence ${e.file} ${e.digest} #${e.index}`));
    await writeSummary(
      {
        heading: `Notarized ${receipts.length} artifact${receipts.length === 1 ? '' : 's'} as ${inputs.status}`,
        columns: ['Artifact', 'Digest', 'Status', 'Ledger index'],
        rows: [
          ...receipts.map((r) => [
            code(r.subject),
            code(r.digest),
            escapeHtml(r.status),
            String(r.index),
          ]),
          ...evidence.map((e) => [code(e.file), code(e.digest), 'evidence', String(e.index)]),
        ],
        notes: checkpoint
          ? [
              `Ledger ${code(inputs.ledger.ledger)} at tree size ${checkpoint.size}, root ${code(checkpoint.root)}`,
            ]
          : [],
        jobUrl: ci.jobUrl,
      },
      env,
    );
  });
}
