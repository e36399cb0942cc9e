/**
 * The evidence action: uploads files (build logs, SBOMs, scan and test reports) to the ledger's
 * blob store and records one evidence entry per file for this job, about the given subjects.
 */
import { ciContext } from '@notarize/ci';
import { printable } from '@notarize/cli';
import { actionContext } from '../../shared/src/context.ts';
import { attachEvidence } from '../../shared/src/evidence.ts';
import { withActionLedger } from '../../shared/src/ledger.ts';
import { setOutputs } from '../../shared/src/outputs.ts';
import { runAction } from '../../shared/src/run-action.ts';
import { digestSubjects } from '../../shared/src/subjects.ts';
import { code, escapeHtml, writeSummary } from '../../shared/src/summary.ts';
import { readEvidenceInputs } from './inputs.ts';

export function run(): Promise<void> {
  const env = process.env;
  return runAction('notarize evidence', async () => {
    const inputs = readEvidenceInputs(env);
    const ctx = actionContext(env);
    const ci = ciContext({ env, cwd: ctx.cwd });
    const subjects = inputs.subjects.length > 0 ? await digestSubjects(inputs.subjects, ctx) : [];
    const receipts = await withActionLedger(inputs.ledger, ctx, 'write', (client) =>
      attachEvidence({ client, files: inputs.files, subjects, ci, ctx, metadata: inputs.metadata }),
    );
    setOutputs({ receipts });
    for (const r of receipts)
      ctx.output.print(printable(`evidence ${r.file} ${r.digest} #${r.index}`));
    const about = subjects.map((s) => code(s.subject)).join(', ');
    await writeSummary(
      {
        heading: `Evidence: ${receipts.length} file${receipts.length === 1 ? '' : 's'} recorded`,
        columns: ['File', 'Digest', 'Media type', 'Size', 'Ledger index'],
        rows: receipts.map((r) => [
          code(r.file),
          code(r.digest),
          escapeHtml(r.mediaType),
          String(r.size),
          String(r.index),
        ]),
        notes: [
          ...(about ? [`About ${about}`] : []),
          ...(receipts.length > 0
            ? [
                `Ledger ${code(inputs.ledger.ledger)} at tree size ${receipts.at(-1)?.checkpoint.size}, root ${code(receipts.at(-1)?.checkpoint.root ?? '')}`,
              ]
            : []),
        ],
        jobUrl: ci.jobUrl,
      },
      env,
    );
  });
}
