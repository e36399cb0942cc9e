/**
 * The notarize action: digests the subjects, appends one assertion per subject (one batch, one
 * checkpoint) with this job's CI context, and attaches the `evidence` files. The same operations
 * as `notarize trust|untrust|unsupport` and `notarize evidence add`.
 */
import { ciContext } from '@notarize/ci';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readOfflineBundle } from '@notarize/client';
import { notarize, printable, recordedLine, type NotarizeResult } from '@notarize/cli';
import { actionContext } from '../../shared/src/context.ts';
import { attachEvidence, type EvidenceRow } from '../../shared/src/evidence.ts';
import { readSigningKey } from '../../shared/src/keys.ts';
import { withActionLedger } from '../../shared/src/ledger.ts';
import { setOutputs } from '../../shared/src/outputs.ts';
import { runAction } from '../../shared/src/run-action.ts';
import { resolveSubjectInputs } from '../../shared/src/subject-inputs.ts';
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
    const subjects = await resolveSubjectInputs(inputs.subjects, ctx);
    const { results, evidence, bundle } = await withActionLedger(
      inputs.ledger,
      ctx,
      'write',
      async (client) => {
        const results = await notarize({
          client,
          subjects,
          status: inputs.status,
          metadata: inputs.metadata,
          ci,
          ...(inputs.reason !== undefined ? { reason: inputs.reason } : {}),
          ...(signingKey ? { signingKey } : {}),
        });
        const evidence: EvidenceRow[] =
          inputs.evidence.length > 0
            ? await attachEvidence({ client, files: inputs.evidence, subjects, ci, ctx })
            : [];
        const receipts = results.map((r) => r.receipt);
        return { results, evidence, bundle: await readOfflineBundle(client, subjects, receipts) };
      },
    );
    const receipts: ReceiptRow[] = results.map(({ receipt: _receipt, ...row }) => row);
    const checkpoint = (evidence.at(-1) ?? results.at(-1))?.checkpoint;
    // The offline bundle: receipts and the proved status, for `notarize verify --bundle`.
    const bundlePath = path.join(env.RUNNER_TEMP ?? ctx.cwd, `notarize-bundle-${process.pid}.json`);
    await writeFile(bundlePath, `${JSON.stringify(bundle, null, 2)}\n`);
    setOutputs({
      digest: subjects[0]?.digest ?? '',
      digests: subjects.map((s) => s.digest).join('\n'),
      index: String(receipts[0]?.index ?? ''),
      'bundle-path': bundlePath,
      subjects,
      receipts,
      checkpoint: checkpoint ?? null,
    });
    for (const r of receipts) {
      ctx.output.print(printable(`${r.status} ${r.subject} ${r.digest} #${r.index}`));
    }
    for (const e of evidence)
      ctx.output.print(printable(`evidence ${e.file} ${e.digest} #${e.index}`));
    const recorded = recordedLine(results.map((r) => r.receipt));
    if (recorded) ctx.output.print(recorded);
    if (!inputs.showSummary) return;
    const who = results[0]?.receipt.entry.identity;
    await writeSummary(
      {
        heading:
          `Notarized ${count(receipts.length, 'artifact')}` +
          (evidence.length > 0 ? ` and ${count(evidence.length, 'evidence file')}` : '') +
          ` as ${inputs.status}` +
          (who ? `, recorded as ${who.name} (${who.role})` : ''),
        columns: ['Artifact', 'Digest', 'Status', 'Ledger index'],
        rows: [
          ...receipts.map((r) => [
            code(r.subject),
            // A subject named by its digest shows it once.
            r.subject === r.digest ? '–' : code(r.digest),
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

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
