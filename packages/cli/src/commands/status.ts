import path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_POLICY, type Policy } from '@notarize/trust';
import type { CommandContext } from '../context.ts';
import { writeFileAtomic } from '../atomic-file.ts';
import { CliError, describeError } from '../cli-error.ts';
import { junitError, junitReport } from '../junit.ts';
import { collect, loadPolicy, loadPublicKeys, parseTreeSize } from '../flags.ts';
import { withLedger, withLedgerOptions, type LedgerFlags } from '../ledger-access.ts';
import { evaluate, type GateReport } from '../operations/evaluate.ts';
import { printable, table } from '../output.ts';
import { resolveSubjects, type SubjectFlags } from '../subjects.ts';

interface DecideFlags extends LedgerFlags, SubjectFlags {
  policy?: string;
  at?: string;
  acceptIncomplete?: boolean;
  trustedKey?: string[];
  junit?: string;
  json?: boolean;
}

export function printReport(report: GateReport, ctx: CommandContext): void {
  ctx.output.print(
    table(
      ['SUBJECT', 'DIGEST', 'DECISION', 'CODE', 'IDENTITIES'],
      report.subjects.map((s) => [
        s.subject,
        s.digest,
        s.decision,
        String(s.code),
        Object.entries(s.identities)
          .map(([name, status]) => `${name}=${status}`)
          .join(', ') || '-',
      ]),
      { columns: ctx.output.columns },
    ),
  );
  for (const s of report.subjects) {
    for (const reason of s.reasons) ctx.output.print(printable(`${s.subject}: ${reason}`));
  }
  // The summary line goes where `trust` puts its "recorded as" line: stderr, after the table.
  ctx.output.notice(
    `${report.decision} (code ${report.code}) at tree size ${report.checkpoint.size}, root ${report.checkpoint.root}`,
  );
}

/**
 * The policy's `witnesses:` apply when the command names none (--witness, NOTARIZE_WITNESSES):
 * a policy that requires witnesses is never read without them.
 */
function withPolicyWitnesses(
  flags: DecideFlags,
  policy: Policy,
  env: NodeJS.ProcessEnv,
): DecideFlags {
  const w = policy.witnesses;
  if (!w || (flags.witness?.length ?? 0) > 0 || env.NOTARIZE_WITNESSES?.trim()) return flags;
  return {
    ...flags,
    witness: w.keys,
    ...(w.quorum !== undefined ? { witnessQuorum: String(w.quorum) } : {}),
    ...(w.maxAgeMs !== undefined
      ? { witnessMaxAge: String(Math.max(1, Math.floor(w.maxAgeMs / 1000))) }
      : {}),
  };
}

function decide(ctx: CommandContext, command: 'gate' | 'status') {
  const requirePolicy = command === 'gate';
  return async (subjects: string[], flags: DecideFlags) => {
    try {
      await decideOnce(ctx, command, requirePolicy, subjects, flags);
    } catch (error) {
      // No decision: the report still says why (a CI's test view shows it, not a missing file).
      if (flags.junit) {
        const { code, message, exitCode } = describeError(error);
        await writeFileAtomic(
          path.resolve(ctx.cwd, flags.junit),
          junitError(command, code, message.split('\n')[0] ?? '', exitCode),
        ).catch(() => undefined);
      }
      throw error;
    }
  };
}

async function decideOnce(
  ctx: CommandContext,
  command: 'gate' | 'status',
  requirePolicy: boolean,
  subjects: string[],
  flags: DecideFlags,
): Promise<void> {
  if (requirePolicy && !flags.policy) {
    throw new CliError(
      'POLICY_MISSING',
      'input',
      'gate needs --policy FILE (a YAML policy, see the README)',
    );
  }
  const policy = flags.policy ? await loadPolicy(flags.policy, ctx.cwd) : DEFAULT_POLICY;
  const keys = await loadPublicKeys(flags.trustedKey ?? [], ctx.cwd);
  const at = parseTreeSize(flags.at);
  const digests = await resolveSubjects(subjects, ctx, flags);
  const report = await withLedger(
    withPolicyWitnesses(flags, policy, ctx.env),
    ctx,
    (client) =>
      evaluate({
        client,
        subjects: digests,
        policy,
        keys,
        ...(at !== undefined ? { at } : {}),
        ...(flags.acceptIncomplete ? { acceptIncomplete: true } : {}),
      }),
    'read',
  );
  if (report.complete === false) {
    ctx.output.notice(
      `notarize: as of tree size ${report.checkpoint.size} (before the ledger's first map head) ` +
        'this decision rests on entries proved included but NOT proved complete: an entry ' +
        'could have been left out (--accept-incomplete)',
    );
  }
  if (flags.junit) {
    // Written whatever the decision: a blocked gate is exactly what the report is for.
    await writeFileAtomic(
      path.resolve(ctx.cwd, flags.junit),
      junitReport(report, { command, policy: flags.policy ?? 'built-in default policy' }),
    );
  }
  if (flags.json) ctx.output.json(report);
  else printReport(report, ctx);
  ctx.setExitCode(report.code);
}

function decisionOptions(command: Command, policyHelp: string): Command {
  return withLedgerOptions(
    command
      .argument(
        '<subject...>',
        'file, directory, glob, oci:, docker-archive:, docker:// or sha256:',
      )
      .option('--policy <file>', policyHelp)
      .option('--at <size>', 'decide as of this tree size (time travel, verified)')
      .option(
        '--accept-incomplete',
        "with --at before the ledger's first map head: decide without a completeness proof (said on stderr)",
      )
      .option(
        '--trusted-key <file>',
        'public key (PEM or JWK) to verify DSSE signatures with, repeatable',
        collect,
      )
      .option('--insecure-registry', 'allow plain http / unverified TLS for docker:// subjects')
      .option(
        '--junit <file>',
        'also write the decision as a JUnit XML report (one test per subject)',
      )
      .option('--json', 'print JSON'),
  );
}

export function registerStatus(program: Command, ctx: CommandContext): void {
  decisionOptions(
    program
      .command('status')
      .alias('authenticate')
      .description(
        'Show the verified trust status of each subject; exit code 0 trusted, 1 untrusted, 2 unknown, 3 unsupported, 4 revoked',
      ),
    'decide with this policy instead of the built-in one (one trusted, none untrusted/unsupported/revoked)',
  ).action(decide(ctx, 'status'));
  decisionOptions(
    program
      .command('gate')
      .description(
        'Allow or block the subjects by a policy, after verifying the proofs; exit code 0 allow, else the blocking status code',
      ),
    'the gate policy (YAML)',
  ).action(decide(ctx, 'gate'));
}
