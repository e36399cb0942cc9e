/**
 * `notarize verify --bundle FILE`: checks an offline bundle (written by `trust|untrust|unsupport
 * --bundle` or the notarize action's `bundle-path`) against the ledger's key, with no ledger in
 * reach, then decides on what it proves like `status` (or `gate` with --policy): exit 0 allowed,
 * the blocking status code otherwise, 20 when any proof or signature fails.
 */
import type { Command } from 'commander';
import { verifyOfflineBundle } from '@notarize/client';
import { DEFAULT_POLICY } from '@notarize/trust';
import { CliError } from '../cli-error.ts';
import type { CommandContext } from '../context.ts';
import { collect, loadPolicy, loadPublicKeys, readText } from '../flags.ts';
import { decideOn } from '../operations/evaluate.ts';
import { printReport } from './status.ts';

interface VerifyFlags {
  bundle?: string;
  ledgerKey?: string;
  policy?: string;
  trustedKey?: string[];
  json?: boolean;
}

export function registerVerify(program: Command, ctx: CommandContext): void {
  program
    .command('verify')
    .description(
      'Verify an offline bundle (receipts and a proved status) with the ledger key alone, then decide as status/gate do',
    )
    .requiredOption(
      '--bundle <file>',
      'the bundle (trust --bundle, the notarize action bundle-path)',
    )
    .option('--ledger-key <vkey>', "the ledger's verifier key (env NOTARIZE_LEDGER_KEY)")
    .option('--policy <file>', 'decide with this policy instead of the built-in one')
    .option(
      '--trusted-key <file>',
      'public key (PEM or JWK) to verify DSSE signatures with, repeatable',
      collect,
    )
    .option('--json', 'print JSON')
    .action(async (flags: VerifyFlags) => {
      const vkey = flags.ledgerKey ?? ctx.env.NOTARIZE_LEDGER_KEY?.trim();
      if (!vkey) {
        throw new CliError(
          'LEDGER_KEY_MISSING',
          'input',
          "verify --bundle needs the ledger's key to check the bundle against: --ledger-key VKEY or NOTARIZE_LEDGER_KEY (`notarize ledger info` prints it)",
        );
      }
      const text = await readText(flags.bundle as string, ctx.cwd, 'bundle');
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new CliError('BUNDLE_INVALID', 'input', `${flags.bundle} is not JSON`, {
          cause: error,
        });
      }
      const policy = flags.policy ? await loadPolicy(flags.policy, ctx.cwd) : DEFAULT_POLICY;
      const keys = await loadPublicKeys(flags.trustedKey ?? [], ctx.cwd);
      const verified = await verifyOfflineBundle(value, vkey);
      const report = await decideOn(
        { subjects: verified.subjects, policy, keys },
        verified.statuses,
      );
      if (flags.json) {
        ctx.output.json({
          ...report,
          receipts: verified.receipts.map((r) => ({ index: r.index, treeSize: r.treeSize })),
        });
      } else {
        printReport(report, ctx);
        ctx.output.notice(
          `verified offline: ${verified.receipts.length} receipt(s) and the status as of tree size ${report.checkpoint.size}, signed by ${verified.statuses.checkpoint.origin}`,
        );
      }
      ctx.setExitCode(report.code);
    });
}
