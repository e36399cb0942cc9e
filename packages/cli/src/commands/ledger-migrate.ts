/**
 * `notarize ledger migrate --from <file:dir|postgres://…> --to <file:dir|postgres://…>`: copies a
 * ledger between the embedded store and PostgreSQL (either way, or between databases), verifying
 * the source first and the copy completely after (same size, root and checkpoints). The
 * destination must be empty. Stop appends to the source while it runs.
 */
import { copyFile, chmod, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import {
  copyLedgerStore,
  KEY_FILE,
  LedgerError,
  loadLedgerKey,
  openStore,
  parseStoreSpec,
  redact,
  VKEY_FILE,
  type LedgerStore,
  type StoreSpec,
} from '@notarize/ledger';
import type { CommandContext } from '../context.ts';

interface MigrateOptions {
  from: string;
  to: string;
  keyDir?: string;
  json?: boolean;
}

function describe(spec: StoreSpec): string {
  return spec.kind === 'file' ? `file:${spec.dir}` : redact(spec.url);
}

/** Gives an embedded destination the ledger's key pair, so it is a working ledger directory. */
async function installKey(keyDir: string, dest: StoreSpec): Promise<void> {
  if (dest.kind !== 'file' || path.resolve(keyDir) === dest.dir) return;
  await mkdir(dest.dir, { recursive: true, mode: 0o700 });
  for (const file of [KEY_FILE, VKEY_FILE]) {
    const from = path.join(keyDir, file);
    const to = path.join(dest.dir, file);
    if (existsSync(from) && !existsSync(to)) {
      await copyFile(from, to);
      if (file === KEY_FILE) await chmod(to, 0o600);
    }
  }
}

export function registerLedgerMigrate(ledgerCommand: Command, ctx: CommandContext): void {
  ledgerCommand
    .command('migrate')
    .description('Copy a ledger between stores (file:<dir> and postgres://…), verified end to end')
    .requiredOption(
      '--from <store>',
      'source: file:<dir> (or a directory) or postgres://…[?schema=s]',
    )
    .requiredOption('--to <store>', 'destination (empty): file:<dir> or postgres://…[?schema=s]')
    .option(
      '--key-dir <dir>',
      'directory holding ledger.vkey (and ledger.key); default: the file: side',
    )
    .option('--json', 'print JSON')
    .action(async (options: MigrateOptions) => {
      const from = parseStoreSpec(options.from, ctx.cwd);
      const to = parseStoreSpec(options.to, ctx.cwd);
      if (from.kind === to.kind && describe(from) === describe(to)) {
        throw new LedgerError('RESTORE_REFUSED', 'input', '--from and --to name the same store');
      }
      const keyDir = options.keyDir
        ? path.resolve(ctx.cwd, options.keyDir)
        : from.kind === 'file'
          ? from.dir
          : to.kind === 'file'
            ? to.dir
            : undefined;
      if (!keyDir) {
        throw new LedgerError(
          'KEY_INVALID',
          'input',
          'between two databases, name the directory holding the ledger key with --key-dir',
        );
      }
      let source: LedgerStore | undefined;
      let destination: LedgerStore | undefined;
      try {
        source = await openStore(from, { readOnly: true, mustExist: true });
        const meta = await source.readMeta();
        if (!meta) {
          throw new LedgerError('STORE_UNAVAILABLE', 'input', `${describe(from)} holds no ledger`);
        }
        const key = await loadLedgerKey(keyDir, meta.origin, { create: false });
        destination = await openStore(to);
        const report = await copyLedgerStore(source, destination, {
          verifier: key.verifier,
          progress: (done, total) => {
            if (ctx.output.interactive) ctx.output.notice(`copied ${done} of ${total} entries`);
          },
        });
        await installKey(keyDir, to);
        const summary = {
          from: describe(from),
          to: describe(to),
          origin: report.origin,
          size: report.size,
          root: report.root,
          checkpoints: report.checkpoints,
          idempotencyKeys: report.idempotencyKeys,
          verified: report.destination.ok,
        };
        if (options.json) ctx.output.json(summary);
        else
          ctx.output.print(
            `migrated ${report.size} entries and ${report.checkpoints} checkpoints from ` +
              `${summary.from} to ${summary.to}; the copy verifies with root ${report.root}`,
          );
      } finally {
        await source?.close();
        await destination?.close();
      }
    });
}
