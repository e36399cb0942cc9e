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
import { progressLine, type ProgressLine } from '../progress.ts';

const SYMLINK_MODES: readonly SymlinkMode[] = ['error', 'follow', 'skip'];

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
      const line = progressLine(ctx, 'bytes');
      const results = await digestSubjects(subjects, {
        cwd: ctx.cwd,
        env: ctx.env,
        symlinks,
        insecure: options.insecureRegistry ?? false,
        onProgress: line ? digestProgress(line) : undefined,
      }).finally(() => line?.end());
      if (options.json) ctx.output.json(results);
      else ctx.output.print(humanTable(results, ctx.output.columns));
    });
}

function humanTable(results: readonly DigestResult[], columns: number | undefined): string {
  const rows: string[][] = [];
  for (const r of results) {
    rows.push([r.subject, r.type, r.digest]);
    // An index's platforms follow it, indented, so a reader sees what each platform resolves to.
    for (const p of r.platforms ?? []) rows.push([`  ${p.platform}`, 'platform', p.digest]);
  }
  return table(['SUBJECT', 'TYPE', 'DIGEST'], rows, { columns });
}

/** Digest progress on the progress line: bytes, and files for a directory. */
export function digestProgress(line: ProgressLine): (p: DigestProgress) => void {
  return (p) => {
    const files = p.totalFiles ? ` (${p.files ?? 0}/${p.totalFiles} files)` : '';
    line.update(`digesting ${p.subject}${files}`, p.bytes, p.totalBytes);
  };
}
