import type { Command } from 'commander';
import path from 'node:path';
import {
  AuditMemory,
  auditLedger,
  HttpLedgerClient,
  WitnessedLedgerClient,
} from '@notarize/client';
import { CliError } from '../cli-error.ts';
import type { CommandContext } from '../context.ts';
import { keepForkEvidence } from '../fork-evidence.ts';
import { progressLine } from '../progress.ts';
import { withLedger, withLedgerOptions, type LedgerFlags } from '../ledger-access.ts';

interface AuditFlags extends LedgerFlags {
  forkEvidence?: string;
  sample?: string;
  resume?: string;
  json?: boolean;
}

/**
 * `notarize audit [--state FILE]`: follows a ledger service as a monitor would — its checkpoint
 * verified against the pinned key and consistent with the state file, every entry read through
 * the tlog-tiles bundles and hashed back to the signed root, and the subject and job indexes
 * re-derived from the entries and compared, for a sample, with the service's lookups. Exit 20 when
 * anything does not check out.
 */
export function registerAudit(program: Command, ctx: CommandContext): void {
  withLedgerOptions(
    program
      .command('audit')
      .description('Follow a ledger service, verify its log and compare its lookups with the log')
      .option('--sample <n>', 'subjects and jobs to compare with the lookups', '50')
      .option(
        '--resume <file>',
        "the monitor's memory (SQLite, created if missing): read only what was appended since the last audit with it",
      )
      .option(
        '--fork-evidence <dir>',
        'where a proof of a fork (two signed checkpoints of one size, different roots) is kept',
        '.',
      )
      .option('--json', 'print JSON'),
  ).action(async (flags: AuditFlags) => {
    const sample = Number(flags.sample ?? '50');
    if (!Number.isSafeInteger(sample) || sample < 0) {
      throw new CliError(
        'USAGE',
        'input',
        `--sample must be a non-negative integer, got ${flags.sample}`,
      );
    }
    const report = await keepForkEvidence(ctx, flags.forkEvidence, () =>
      withLedger(
        flags,
        ctx,
        async (opened) => {
          // With witnesses, the audit starts from the witnessed checkpoint (quorum checked here).
          if (opened instanceof WitnessedLedgerClient) await opened.witnessed();
          const client = opened instanceof WitnessedLedgerClient ? opened.inner : opened;
          if (!(client instanceof HttpLedgerClient)) {
            throw new CliError(
              'USAGE',
              'input',
              'audit follows a ledger service (http(s)://…); for a file: ledger run `notarize ledger verify`',
            );
          }
          const memory = flags.resume
            ? AuditMemory.open(path.resolve(ctx.cwd, flags.resume))
            : undefined;
          const line = progressLine(ctx, 'entries');
          try {
            return await auditLedger(client, {
              sample,
              ...(memory ? { memory } : {}),
              ...(line
                ? { progress: (done: number, total: number) => line.update('audit', done, total) }
                : {}),
            });
          } finally {
            line?.end();
            memory?.close();
          }
        },
        'read',
      ),
    );
    if (flags.json) ctx.output.json({ ok: true, ...report });
    else
      ctx.output.print(
        `ledger ${report.origin}: ${report.entries} entries hash to the signed root ${report.root} (size ${report.size}` +
          `${report.from > 0 ? `; read from ${report.from}` : ''}); ` +
          `lookups of ${report.subjectsChecked} subjects and ${report.jobsChecked} jobs match the log; ` +
          `${report.mapHeads} map heads replayed and correct`,
      );
  });
}
