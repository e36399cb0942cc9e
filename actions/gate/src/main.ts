/**
 * The gate action: the same verified decision as `notarize gate` (every entry it rests on is
 * proved against the ledger's signed checkpoint). A blocked subject gets one annotation per reason;
 * in `enforce` mode the step then fails, in `warn` mode it only warns.
 */
import * as core from '@actions/core';
import { evaluate, printable, type GateReport } from '@notarize/cli';
import { actionContext, jobUrl } from '../../shared/src/context.ts';
import { ActionError } from '../../shared/src/errors.ts';
import { readPolicy } from '../../shared/src/keys.ts';
import { withActionLedger } from '../../shared/src/ledger.ts';
import { setOutputs } from '../../shared/src/outputs.ts';
import { runAction } from '../../shared/src/run-action.ts';
import { resolveSubjectInputs } from '../../shared/src/subject-inputs.ts';
import { code, escapeHtml, writeSummary } from '../../shared/src/summary.ts';
import { readGateInputs, type GateMode } from './inputs.ts';

function identitiesCell(identities: Record<string, string>): string {
  const list = Object.entries(identities).map(([name, status]) => `${name}: ${status}`);
  return list.length > 0 ? escapeHtml(list.join(', ')) : '–';
}

/** Reasons, one per line, each with the policy rule that gave it in code (`require[0]`). */
function reasonsCell(reasons: readonly string[]): string {
  if (reasons.length === 0) return '–';
  return reasons
    .map((r) => escapeHtml(r).replace(/^(blocked|allowed): rule (\S+)/, '$1: rule <code>$2</code>'))
    .join('<br>');
}

function annotate(report: GateReport, mode: GateMode): void {
  const annotation = mode === 'enforce' ? core.error : core.warning;
  for (const s of report.subjects) {
    if (s.decision !== 'block') continue;
    const title = printable(`Blocked: ${s.subject}`);
    const reasons = s.reasons.length > 0 ? s.reasons : [`blocked with code ${s.code}`];
    for (const reason of reasons) {
      annotation(printable(`${s.subject} (${s.digest}): ${reason}`), { title });
    }
  }
}

export function run(): Promise<void> {
  const env = process.env;
  return runAction('notarize gate', async () => {
    const inputs = readGateInputs(env);
    const ctx = actionContext(env);
    const policy = await readPolicy(inputs.policy, ctx);
    const digests = await resolveSubjectInputs(inputs.subjects, ctx);
    const report = await withActionLedger(inputs.ledger, ctx, 'read', (client) =>
      evaluate({
        client,
        subjects: digests,
        policy,
        ...(inputs.at !== undefined ? { at: inputs.at } : {}),
      }),
    );
    setOutputs({
      decision: report.decision,
      code: String(report.code),
      digest: digests[0]?.digest ?? '',
      digests: digests.map((d) => d.digest).join('\n'),
      report,
    });
    const blocked = report.subjects.filter((s) => s.decision === 'block');
    for (const s of report.subjects) {
      ctx.output.print(printable(`${s.decision} ${s.subject} ${s.digest}`));
    }
    annotate(report, inputs.mode);
    if (inputs.showSummary)
      await writeSummary(
        {
          heading:
            report.decision === 'allow'
              ? `Gate: allowed ${report.subjects.length} artifact${report.subjects.length === 1 ? '' : 's'}`
              : `Gate: blocked ${blocked.length} of ${report.subjects.length} (code ${report.code})` +
                (inputs.mode === 'warn' ? ' (warn only)' : ''),
          columns: ['Artifact', 'Digest', 'Decision', 'Code', 'Identities', 'Reasons'],
          rows: report.subjects.map((s) => [
            code(s.subject === s.digest ? (s.name ?? s.subject) : s.subject),
            code(s.digest),
            s.decision === 'allow' ? '✅ allow' : '⛔ block',
            String(s.code),
            identitiesCell(s.identities),
            reasonsCell(s.reasons),
          ]),
          notes: [
            `Verified against ledger ${code(inputs.ledger.ledger)} at tree size ${report.checkpoint.size}, root ${code(report.checkpoint.root)}`,
          ],
          jobUrl: jobUrl(env, ctx.cwd),
        },
        env,
      );
    if (blocked.length === 0) return;
    const names = printable(blocked.map((s) => s.subject).join(', '));
    if (inputs.mode === 'warn') {
      core.warning(
        `notarize gate: would block ${names} (code ${report.code}); mode is warn, so the step passes.`,
      );
      return;
    }
    throw new ActionError(
      'GATE_BLOCKED',
      'forbidden',
      `blocked ${names} (code ${report.code}); see the annotations and the job summary for why.`,
    );
  });
}
