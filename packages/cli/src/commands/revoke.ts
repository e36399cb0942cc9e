import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { CliError } from '../cli-error.ts';
import { withLedger, withLedgerOptions, type LedgerFlags } from '../ledger-access.ts';
import { printable } from '../output.ts';
import { recordedLine } from '../recorded-line.ts';

interface RevokeFlags extends LedgerFlags {
  reason?: string;
  force?: boolean;
  json?: boolean;
}

export function registerRevoke(program: Command, ctx: CommandContext): void {
  withLedgerOptions(
    program
      .command('revoke')
      .description(
        'Revoke an identity (admin): its assertions after this entry count as revoked; what it asserted before stays',
      )
      .argument('<identity>', 'the identity name to revoke')
      .requiredOption('--reason <text>', 'why (recorded in the log)')
      .option(
        '--force',
        'revoke even an identity the ledger does not know (not configured, never wrote to it)',
      )
      .option('--json', 'print JSON'),
  ).action(async (identity: string, flags: RevokeFlags) => {
    if (!flags.reason?.trim())
      throw new CliError('REASON_MISSING', 'input', 'revoke needs a --reason');
    if (flags.force) {
      ctx.output.notice(
        `warning: --force: revoking ${JSON.stringify(identity)} even if the ledger does not know it; ` +
          'check the name for typos and look-alike characters',
      );
    }
    const receipt = await withLedger(flags, ctx, (client) =>
      client.revoke(identity, flags.reason as string, flags.force ? { force: true } : {}),
    );
    const row = {
      identity,
      index: receipt.index,
      checkpoint: { size: receipt.checkpoint.size, root: receipt.checkpoint.rootBase64 },
    };
    if (flags.json) ctx.output.json(row);
    else {
      ctx.output.print(
        printable(`revoked ${identity} at index ${row.index} (tree size ${row.checkpoint.size})`),
      );
    }
    ctx.output.notice(recordedLine([receipt]) as string);
  });
}
