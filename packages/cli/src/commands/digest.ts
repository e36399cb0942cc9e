import type { Command } from 'commander';
import {
  digestSubjects,
  type DigestProgress,
  type DigestResult,
  type SymlinkMode,
} from '@notarize/digest';
import { CliError } from '../cli-error.ts';
import type { CommandContext } from '../context.ts';
import { table } from '../output.ts';

const SYMLINK_MODES: readonly SymlinkMode[] = ['error', 'follow', 'skip'];
/** Progress is drawn only for work that lasts, and then at most once a second. */
const PROGRESS_DELAY_MS = 1000;

interface DigestCommandOptions {
  json?: boolean;
  insecureRegistry?: boolean;
  symlinks?: string;
}

export function registerDigest(program: Command, ctx: CommandContext): void {
  program
    .command('digest')
    .description('Compute the sha256 digest of each subject')
    .argument('<subject...>', 'file, directory, glob, oci:, docker-archive:, docker:// or sha256:')
    .option('--json', 'print JSON: [{"subject","type","digest",...}]')
    .option('--insecure-registry', 'allow plain http and unverified TLS for docker:// registries')
    .option('--symlinks <mode>', 'symlinks inside directories: error, follow or skip', 'error')
    .action(async (subjects: string[], options: DigestCommandOptions) => {
      const symlinks = options.symlinks as SymlinkMode;
      if (!SYMLINK_MODES.includes(symlinks)) {
        throw new CliError(
          'USAGE',
          'input',
          `--symlinks must be one of ${SYMLINK_MODES.join(', ')} (got "${options.symlinks}")`,
        );
      }
      const results = await digestSubjects(subjects, {
        cwd: ctx.cwd,
        env: ctx.env,
        symlinks,
        insecure: options.insecureRegistry ?? false,
        onProgress: ctx.output.interactive ? progressPrinter(ctx) : undefined,
      });
      if (options.json) ctx.output.json(results);
      else ctx.output.print(humanTable(results));
    });
}

function humanTable(results: readonly DigestResult[]): string {
  const rows: string[][] = [];
  for (const r of results) {
    rows.push([r.subject, r.type, r.digest]);
    // An index's platforms follow it, indented, so a reader sees what each platform resolves to.
    for (const p of r.platforms ?? []) rows.push([`  ${p.platform}`, 'platform', p.digest]);
  }
  return table(['SUBJECT', 'TYPE', 'DIGEST'], rows);
}

/** Progress lines on stderr (`ctx.output.notice`) for work that lasts longer than `delayMs`. */
export function progressPrinter(
  ctx: CommandContext,
  delayMs = PROGRESS_DELAY_MS,
): (p: DigestProgress) => void {
  const started = Date.now();
  let last = -Infinity;
  return (p) => {
    const now = Date.now();
    if (now - started < delayMs || now - last < delayMs) return;
    last = now;
    const total = p.totalBytes ? ` / ${mib(p.totalBytes)}` : '';
    const files = p.totalFiles ? `, ${p.files ?? 0}/${p.totalFiles} files` : '';
    ctx.output.notice(`digest: ${p.subject}: ${mib(p.bytes)}${total}${files}`);
  };
}

const mib = (n: number): string => `${(n / (1 << 20)).toFixed(1)} MiB`;
