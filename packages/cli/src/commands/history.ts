import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { CliError } from '../cli-error.ts';
import { parseTreeSize } from '../flags.ts';
import { withLedger, withLedgerOptions, type LedgerFlags } from '../ledger-access.ts';
import { history } from '../operations/history.ts';
import { printable, table } from '../output.ts';
import { resolveSubjects, type SubjectFlags } from '../subjects.ts';

interface HistoryFlags extends LedgerFlags, SubjectFlags {
  at?: string;
  json?: boolean;
}

export function registerHistory(program: Command, ctx: CommandContext): void {
  withLedgerOptions(
    program
      .command('history')
      .description('Show the verified timeline of a subject: who asserted what, when and why')
      .argument('<subject>', 'file, directory, oci:, docker-archive:, docker:// or sha256:')
      .option('--at <size>', 'as of this tree size (time travel, verified)')
      .option('--insecure-registry', 'allow plain http / unverified TLS for docker:// subjects')
      .option('--json', 'print JSON'),
  ).action(async (subject: string, flags: HistoryFlags) => {
    const at = parseTreeSize(flags.at);
    const digests = await resolveSubjects([subject], ctx, flags);
    if (digests.length !== 1) {
      throw new CliError(
        'SUBJECT_AMBIGUOUS',
        'input',
        `history takes one subject; "${subject}" names ${digests.length}`,
      );
    }
    const report = await withLedger(
      flags,
      ctx,
      (client) => history(client, digests[0] as (typeof digests)[0], at),
      'read',
    );
    if (flags.json) {
      ctx.output.json(report);
      return;
    }
    ctx.output.print(printable(`${report.subject} ${report.digest}`));
    ctx.output.print(
      table(
        ['INDEX', 'TIME', 'IDENTITY', 'ROLE', 'KIND', 'STATUS', 'REASON'],
        report.events.map((e) => [
          String(e.index),
          e.time,
          e.identity,
          e.role,
          e.kind,
          e.status ?? (e.file ? `file ${e.file.name}` : '-'),
          e.reason ?? '',
        ]),
        { columns: ctx.output.columns },
      ),
    );
    ctx.output.print(
      `verified at tree size ${report.checkpoint.size}, root ${report.checkpoint.root}`,
    );
  });
}
