/**
 * `notarize ledger info|verify|backup|restore|reindex`: administration of an embedded ledger
 * directory (`--data DIR`, default `.notarize` in the working directory).
 */
import path from 'node:path';
import type { Command } from 'commander';
import {
  backupLedger,
  Ledger,
  restoreLedger,
  verifyEvidenceBlobsInDir,
  verifyLedgerDir,
  type BlobVerifyReport,
  type VerifyReport,
} from '@notarize/ledger';
import { parseDuration } from '@notarize/trust';
import type { CommandContext } from '../context.ts';
import { ExitCode } from '../exit-codes.ts';
import { readVerifyState, writeVerifyState } from '../verify-state.ts';
import { printable, table } from '../output.ts';
import { registerLedgerMigrate } from './ledger-migrate.ts';

export const DEFAULT_LEDGER_DIR = '.notarize';
const DATA_HELP = 'ledger directory (default: file: NOTARIZE_LEDGER, else .notarize)';

interface DataOption {
  data?: string;
  json?: boolean;
}

/** `--data`, else a `file:` NOTARIZE_LEDGER, else `.notarize` in the working directory. */
function dataDir(ctx: CommandContext, options: DataOption): string {
  const env = ctx.env.NOTARIZE_LEDGER;
  const fromEnv = env?.startsWith('file:') ? env.slice('file:'.length) : undefined;
  return path.resolve(ctx.cwd, options.data ?? fromEnv ?? DEFAULT_LEDGER_DIR);
}

function printBlobReport(ctx: CommandContext, blobs: BlobVerifyReport, json?: boolean): void {
  const removed = blobs.orphans.filter((o) => o.removed).length;
  if (!json)
    ctx.output.print(
      `evidence: ${blobs.evidenceEntries} entries, ${blobs.blobs} blobs (${blobs.bytes} bytes) ` +
        `${blobs.ok ? 'verified' : 'FAILED'}; ${blobs.orphans.length} unreferenced blobs` +
        (removed > 0 ? ` (${removed} removed)` : ''),
    );
  for (const p of json ? [] : blobs.problems) {
    ctx.output.print(printable(`FAILED ${p.code}: ${p.message} (entries ${p.entries.join(', ')})`));
  }
  if (!blobs.ok) {
    ctx.output.notice(
      'notarize: evidence blobs do not match the log: restore them from a verified backup.',
    );
    ctx.setExitCode(ExitCode.verification);
  }
}

async function withLedger<T>(
  dir: string,
  readOnly: boolean,
  fn: (ledger: Ledger) => Promise<T>,
): Promise<T> {
  const ledger = await Ledger.open({ dir, readOnly });
  try {
    return await fn(ledger);
  } finally {
    await ledger.close();
  }
}

/** Human report (unless `json`: the caller printed the JSON) and the failure notice and exit code. */
function printReport(ctx: CommandContext, report: VerifyReport, json: boolean | undefined): void {
  if (json) {
    // Printed by the caller, together with the blob report.
  } else if (report.ok) {
    const since =
      report.from > 0 ? ` (resumed: entries ${report.from}..${report.size - 1} read)` : '';
    ctx.output.print(
      `ok: ${report.size} entries${since}, ${report.checkpoints} checkpoints and ${report.lookupRows} ` +
        `lookup rows verified, map heads replayed; root ${report.root}`,
    );
  } else {
    ctx.output.print(printable(`FAILED at ${report.problem?.code}: ${report.problem?.message}`));
  }
  if (!report.ok) {
    ctx.output.notice(
      `notarize: verification failed: ${printable(report.problem?.message ?? '')}. The store may have been ` +
        'tampered with or damaged; restore a verified backup (`notarize ledger restore`).',
    );
    ctx.setExitCode(ExitCode.verification);
  }
}

export function registerLedger(program: Command, ctx: CommandContext): void {
  const ledger = program
    .command('ledger')
    .description('Administer an embedded ledger directory (file: ledger)');
  registerLedgerMigrate(ledger, ctx);

  ledger
    .command('info')
    .description("Print the ledger's origin, size, root and public key (vkey)")
    .option('--data <dir>', DATA_HELP)
    .option('--json', 'print JSON')
    .action(async (options: DataOption) => {
      const dir = dataDir(ctx, options);
      const info = await withLedger(dir, true, async (l) => {
        const cp = l.checkpoint();
        return {
          dir,
          origin: l.origin,
          size: cp.size,
          root: cp.root,
          vkey: l.vkey,
          checkpoint: cp.note,
        };
      });
      if (options.json) ctx.output.json(info);
      else
        ctx.output.print(
          table(
            ['FIELD', 'VALUE'],
            [
              ['dir', info.dir],
              ['origin', info.origin],
              ['size', String(info.size)],
              ['root', info.root],
              ['vkey', info.vkey],
            ],
            { columns: ctx.output.columns },
          ),
        );
    });

  ledger
    .command('verify')
    .description('Recompute and check everything in the store; exit 20 at the first inconsistency')
    .option('--data <dir>', DATA_HELP)
    .option(
      '--vkey <vkey>',
      'check the checkpoints against this pinned vkey instead of ledger.vkey',
    )
    .option(
      '--gc-blobs <age>',
      'also delete evidence blobs no entry references, last modified longer ago than <age> (e.g. 24h)',
    )
    .option(
      '--skip-blobs',
      'check the log only, not the evidence blobs (e.g. blobs kept elsewhere)',
    )
    .option(
      '--state <file>',
      'resume from what the last verification with this file proved, and record this one (incremental)',
    )
    .option('--json', 'print JSON')
    .action(
      async (
        options: DataOption & {
          vkey?: string;
          gcBlobs?: string;
          skipBlobs?: boolean;
          state?: string;
        },
      ) => {
        const dir = dataDir(ctx, options);
        const olderThanMs =
          options.gcBlobs !== undefined ? parseDuration(options.gcBlobs) : undefined;
        const stateFile = options.state && path.resolve(ctx.cwd, options.state);
        const resume = stateFile ? await readVerifyState(stateFile) : undefined;
        const report = await verifyLedgerDir(dir, {
          ...(options.vkey ? { vkey: options.vkey } : {}),
          ...(resume ? { resume } : {}),
        });
        if (stateFile && report.ok && report.state) await writeVerifyState(stateFile, report.state);
        // Blobs are checked only against a log that verified: their references come from it.
        const blobs =
          report.ok && !options.skipBlobs
            ? await verifyEvidenceBlobsInDir(
                dir,
                olderThanMs !== undefined ? { removeOrphans: { olderThanMs } } : {},
              )
            : undefined;
        if (options.json) {
          ctx.output.json({
            ...report,
            ok: report.ok && (blobs?.ok ?? true),
            ...(blobs ? { blobs } : {}),
          });
        }
        printReport(ctx, report, options.json);
        if (blobs) printBlobReport(ctx, blobs, options.json);
      },
    );

  ledger
    .command('backup')
    .description('Online, consistent backup (includes the signing key: keep it private)')
    .option('--data <dir>', DATA_HELP)
    .requiredOption('--out <file|dir>', 'a new file, or a directory (existing, or ending in /)')
    .option('--json', 'print JSON')
    .action(async (options: DataOption & { out: string }) => {
      const dir = dataDir(ctx, options);
      const out = path.resolve(ctx.cwd, options.out) + (/[\\/]$/.test(options.out) ? path.sep : '');
      const result = await withLedger(dir, true, (l) => backupLedger(l, out));
      if (options.json) ctx.output.json(result);
      else {
        ctx.output.print(
          `backed up ${result.size} entries and ${result.blobs.copied} evidence blobs to ${result.out} (${result.form})`,
        );
      }
      if (result.blobs.omitted > 0) {
        ctx.output.notice(
          `notarize: a single-file backup holds the log and key only: ${result.blobs.omitted} evidence blobs ` +
            'in blobs/ were not copied; back up to a directory (--out DIR/) to include them.',
        );
      }
    });

  ledger
    .command('restore')
    .description('Verify a backup, then restore it into the ledger directory')
    .requiredOption('--from <file|dir>', 'a backup written by `notarize ledger backup`')
    .option('--data <dir>', DATA_HELP)
    .option('--force', 'replace a ledger that holds entries')
    .option('--json', 'print JSON')
    .action(async (options: DataOption & { from: string; force?: boolean }) => {
      const dir = dataDir(ctx, options);
      const report = await restoreLedger({
        from: path.resolve(ctx.cwd, options.from),
        dir,
        force: options.force ?? false,
      });
      if (options.json) ctx.output.json(report);
      else ctx.output.print(`restored and verified ${report.size} entries into ${dir}`);
    });

  ledger
    .command('reindex')
    .description(
      'Rebuild the lookup indexes and the lookup map from the log (a ledger written before the map gets its first map head)',
    )
    .option('--data <dir>', DATA_HELP)
    .option('--json', 'print JSON')
    .action(async (options: DataOption) => {
      const dir = dataDir(ctx, options);
      const result = await withLedger(dir, false, (l) => l.reindex());
      if (options.json) ctx.output.json(result);
      else
        ctx.output.print(
          `reindexed ${result.entries} entries (${result.rows} lookup rows, ${result.mapRows} lookup-map rows)`,
        );
    });
}
